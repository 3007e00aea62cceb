import { describe, expect, it } from 'vitest';
import { AGENT_DONE_QUIET_MS, CallerScript, type ScriptEvent } from '../../src/sim/caller-script.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { FRAME_BYTES, FRAME_MS } from '../../src/protocols/media-stream-messages.ts';

const scenario = loadScenario('happy-path');

function agentLineOf(turnIndex: number): Buffer {
  const turn = scenario.turns[turnIndex];
  if (turn?.speaker !== 'agent') throw new Error(`turn ${turnIndex} is not the agent's`);
  const speech = turn.outputs.find((output) => 'say' in output);
  if (speech === undefined || !('say' in speech)) throw new Error(`turn ${turnIndex} has no speech`);
  return scenario.audioOf(speech.audio);
}

/** Plays `audio` to the caller frame by frame, then silence until they start talking (or give up). */
function hear(script: CallerScript, audio: Buffer): ScriptEvent[] {
  const events: ScriptEvent[] = [];
  for (let offset = 0; offset < audio.length; offset += FRAME_BYTES)
    events.push(...script.step(audio.subarray(offset, offset + FRAME_BYTES)).events);
  for (
    let quiet = 0;
    quiet <= AGENT_DONE_QUIET_MS + 10 * FRAME_MS && !events.some((e) => e.type === 'caller-speaking');
    quiet += FRAME_MS
  ) {
    events.push(...script.step(Buffer.alloc(0)).events);
  }
  return events;
}

/** Lets the caller finish what they are saying, agent silent. */
function finishSpeaking(script: CallerScript): void {
  for (let frames = 0; frames < 5000; frames += 1) {
    if (script.step(Buffer.alloc(0)).events.some((e) => e.type === 'caller-done')) return;
  }
  throw new Error('the caller never finished');
}

const spoken = (events: readonly ScriptEvent[]): number | undefined =>
  events.flatMap((e) => (e.type === 'caller-speaking' ? [e.turnIndex] : []))[0];

describe('caller script: the caller answers what they hear', () => {
  it('when the greeting plays, then the caller gives their first line after it ends', () => {
    const script = new CallerScript(scenario);
    expect(spoken(hear(script, agentLineOf(0)))).toBe(1);
  });

  it('when the agent asks a later question than the script expects, then the caller answers that question', () => {
    const script = new CallerScript(scenario);
    expect(spoken(hear(script, agentLineOf(6)))).toBe(7);
  });

  it('when the agent asks again a question the caller already answered, then the caller answers it again', () => {
    const script = new CallerScript(scenario);
    expect(spoken(hear(script, agentLineOf(0)))).toBe(1);
    finishSpeaking(script);
    expect(spoken(hear(script, agentLineOf(2)))).toBe(3);
    finishSpeaking(script);
    expect(spoken(hear(script, agentLineOf(2)))).toBe(3);
    expect(script.callerTurnsSpoken).toBe(2);
  });

  it('when two agent lines open with the same words, then each is still told apart', () => {
    // Two happy-path lines share their first quarter second ("Thank you…"): only a longer opening tells them apart.
    const lines = [2, 4, 6, 8, 10, 12, 14].map(agentLineOf);
    const shares = lines.some((a, i) => lines.slice(i + 1).some((b) => a.subarray(0, 800).equals(b.subarray(0, 800))));
    expect(shares).toBe(true);
    for (const turnIndex of [2, 4, 6, 8, 10, 12, 14]) {
      expect(spoken(hear(new CallerScript(scenario), agentLineOf(turnIndex))), `agent turn ${turnIndex}`).toBe(
        turnIndex + 1,
      );
    }
  });

  it('when the phone plays audio that is no line of the scenario, then the caller keeps to the script', () => {
    const script = new CallerScript(scenario);
    expect(spoken(hear(script, Buffer.alloc(8000, 0x10)))).toBe(1);
  });
});

describe('caller script: off-script agent speech', () => {
  const bargeIn = loadScenario('barge-in');
  const bargeInLine = (turnIndex: number): Buffer => {
    const turn = bargeIn.turns[turnIndex];
    if (turn?.speaker !== 'agent') throw new Error(`turn ${turnIndex} is not the agent's`);
    const speech = turn.outputs.find((output) => 'say' in output);
    if (speech === undefined || !('say' in speech)) throw new Error(`turn ${turnIndex} has no speech`);
    return bargeIn.audioOf(speech.audio);
  };
  const msOf = (audio: Buffer): number => (audio.length / FRAME_BYTES) * FRAME_MS;

  it('when the agent plays the scenario’s own lines to their end, then none of it is off-script', () => {
    const script = new CallerScript(scenario);
    hear(script, agentLineOf(0));
    finishSpeaking(script);
    hear(script, agentLineOf(2));
    expect(script.offScriptMs).toBe(0);
  });

  it('when the agent plays another scenario’s line, then it counts as off-script, even where it opens like one of the own lines, and the caller names the line it waits for', () => {
    const script = new CallerScript(bargeIn);
    hear(script, bargeInLine(0));
    finishSpeaking(script);
    const happyPathQuestion = agentLineOf(2);
    hear(script, happyPathQuestion);
    expect(script.offScriptMs).toBeGreaterThan(msOf(happyPathQuestion) / 2);
    expect(script.offScriptAudio.length).toBeGreaterThan(0);
    expect(script.expectedAgentLine).toBe('Sunny Side Lemonade, saved. Call back any time to finish. Goodbye.');
  });

  it('when an own line plays after off-script speech, then the count starts again from nothing', () => {
    const script = new CallerScript(scenario);
    hear(script, loadScenario('transfer').audioOf('agent-02.ulaw'));
    expect(script.offScriptMs).toBeGreaterThan(0);
    hear(script, agentLineOf(0));
    expect(script.offScriptMs).toBe(0);
  });
});
