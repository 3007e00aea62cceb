import { describe, expect, it } from 'vitest';
import { scenarioNotRun } from '../../src/cli/call-verdict.ts';
import type { CallResult } from '../../src/sim/call-simulator.ts';

const completed: CallResult = {
  callSid: `CA${'1'.repeat(32)}`,
  streamSid: `MZ${'2'.repeat(32)}`,
  webhookStatus: 200,
  endedBy: 'service',
  say: undefined,
  streamStatusCallbacks: [],
  framesSent: 100,
  callerTurnsSpoken: 8,
  agentAudioMsPlayed: 40_000,
  agentAudioMsUnplayed: 0,
  marksEchoed: [],
  clears: [],
  protocolViolations: [],
  errors: [],
  durationMs: 80_000,
  servedBy: {},
};

describe('whether npm run call ran its scenario', () => {
  it('when the call ran to its end with no redirect, then there is nothing to say', () => {
    expect(scenarioNotRun(completed, 'happy-path', 4)).toBeUndefined();
  });

  it('when the service closed a stream whose audio came too fast and redirected to the IVR, then it names MEDIA_MAX_PACE and --real-time', () => {
    const flooded: CallResult = {
      ...completed,
      closeCode: 1008,
      closeReason: 'media faster than real time',
      redirectedTo: { url: 'http://localhost:3000/twilio/ivr', by: 'connect-action' },
    };
    const said = scenarioNotRun(flooded, 'happy-path', 4) ?? '';
    expect(said).toContain('sent the call to the keypad IVR');
    expect(said).toContain('MEDIA_MAX_PACE=4');
    expect(said).toContain('--real-time');
  });

  it('when the redirect goes elsewhere than the IVR, then the call is not judged by it', () => {
    const elsewhere: CallResult = {
      ...completed,
      redirectedTo: { url: 'http://localhost:3000/twilio/other', by: 'connect-action' },
    };
    expect(scenarioNotRun(elsewhere, 'happy-path', 4)).toBeUndefined();
  });

  it('when the caller hung up on an agent playing two scenarios that share lines, then the service’s default is named first and the other as alike', () => {
    const offScript: CallResult = {
      ...completed,
      endedBy: 'off-script',
      offScript: { heardMs: 3_000, expectedLine: 'Goodbye.', playing: ['noisy-line', 'happy-path'] },
    };
    const said = scenarioNotRun(offScript, 'barge-in', 4) ?? '';
    expect(said).toContain('lines of scenario happy-path (or noisy-line, which share those lines)');
    expect(said).toContain('npm run call -- happy-path');
    expect(said).toContain('SIMULATOR_SCENARIO=barge-in npm start');
  });
});
