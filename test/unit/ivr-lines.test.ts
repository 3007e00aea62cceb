import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IVR_LINES_VERSION, IvrLines, loadIvrLines } from '../../src/ivr/ivr-lines.ts';

const shipped = readFileSync(join(import.meta.dirname, '../../prompts', `${IVR_LINES_VERSION}.json`), 'utf8');

function withLines(change: (file: { version: string; lines: Record<string, string> }) => void): string {
  const file = JSON.parse(shipped) as { version: string; lines: Record<string, string> };
  change(file);
  return JSON.stringify(file);
}

describe('the IVR lines file', () => {
  it('when the shipped file is loaded, then it is the version the code names and every line fills in to plain text', () => {
    const lines = loadIvrLines();
    expect(lines.version).toBe('ivr-lines.v1');
    const values = {
      label: 'mobile food unit',
      digit: '2',
      number: '3 1 2, 5 5 5, 0 1 0 1',
      field: 'event address',
      value: 'Harbor Grill',
      which: 'first day of the event',
      date: 'March 5, 2027',
      reference: 'F P, 2 0 2 6, 7 K Q, 3 X M',
      applyAddress: 'permits.example.test/apply',
    };
    const file = JSON.parse(shipped) as { lines: Record<string, string> };
    for (const name of Object.keys(file.lines)) {
      // Every line takes at most these values; extra ones are ignored.
      const text = (lines.line as (name: string, values: Record<string, string>) => string)(name, values);
      expect(text, name).not.toMatch(/\{\{|\}\}/);
      expect(text.length, name).toBeGreaterThan(0);
    }
    expect(lines.line('permitTypeOption', { label: 'mobile food unit', digit: '2' })).toBe(
      'For a mobile food unit, press 2.',
    );
  });

  it('when a line the IVR says is missing from the file, then loading fails and names it', () => {
    expect(
      () =>
        new IvrLines(
          withLines((f) => {
            delete f.lines.webLinkOffer;
          }),
        ),
    ).toThrow(/webLinkOffer/);
  });

  it('when a line uses a placeholder the IVR does not fill in, then loading fails and says which ones it may use', () => {
    expect(
      () =>
        new IvrLines(
          withLines((f) => {
            f.lines.callbackQuestion = 'Is {{phone}} your number?';
          }),
        ),
    ).toThrow(/callbackQuestion.*\{\{phone\}\}.*number/);
  });

  it('when the file says another version than the one asked for, then loading fails', () => {
    expect(
      () =>
        new IvrLines(
          withLines((f) => {
            f.version = 'ivr-lines.v2';
          }),
        ),
    ).toThrow(/ivr-lines\.v2/);
  });

  it('when the file has a line the code does not know, then loading fails (a renamed line would otherwise go unnoticed)', () => {
    expect(
      () =>
        new IvrLines(
          withLines((f) => {
            f.lines.goodbye = 'Bye.';
          }),
        ),
    ).toThrow(/goodbye/);
  });
});
