import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PasswordPrompt, PromptCancelled } from '../../src/cli/password-prompt.ts';

/**
 * The staff CLI's password prompt over a stand-in terminal that records, in order, when echo goes off and on and
 * what is written: echo must be off before anything typed can arrive and before any question is written.
 */

function fakeTerminal() {
  const events: string[] = [];
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (mode: boolean) => {
      events.push(mode ? 'echo off' : 'echo on');
    },
  });
  const output = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      events.push(`wrote ${JSON.stringify(chunk.toString())}`);
      done();
    },
  });
  return { input, output, events };
}

describe('the password prompt', () => {
  it('when it is opened, then echo is off before any question is written and back on when it is closed', async () => {
    const { input, output, events } = fakeTerminal();
    const prompt = new PasswordPrompt(input, output);
    expect(events).toContain('echo off');
    const asked = prompt.ask('New password: ');
    input.write('first one\r');
    expect(await asked).toBe('first one');
    prompt.close();

    expect(events[0]).toBe('echo off');
    expect(events.indexOf('echo off')).toBeLessThan(events.indexOf('wrote "New password: "'));
    expect(events.at(-1)).toBe('echo on');
    expect(events.join('\n')).not.toContain('first one');
  });

  it('when the passwords are typed before the questions, then they answer them in turn and are never written', async () => {
    const { input, output, events } = fakeTerminal();
    const prompt = new PasswordPrompt(input, output);
    input.write('typed ahead\rand again\r');
    await new Promise((resolve) => setImmediate(resolve));

    expect(await prompt.ask('New password: ')).toBe('typed ahead');
    expect(await prompt.ask('The same password again: ')).toBe('and again');
    prompt.close();
    for (const typed of ['typed ahead', 'and again']) expect(events.join('\n')).not.toContain(typed);
  });

  it('when Ctrl-C is pressed at a question, then the question is cancelled', async () => {
    const { input, output } = fakeTerminal();
    const prompt = new PasswordPrompt(input, output);
    const asked = prompt.ask('New password: ');
    input.write('\u0003');
    await expect(asked).rejects.toBeInstanceOf(PromptCancelled);
    prompt.close();
  });
});
