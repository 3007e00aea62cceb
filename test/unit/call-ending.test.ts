import { describe, expect, it } from 'vitest';
import {
  afterStream,
  callOutcome,
  decodeEnding,
  describeEnding,
  encodeEnding,
  type CallEnding,
} from '../../src/call/call-ending.ts';
import { resumeWindowInWords } from '../../src/intake/resumable-drafts.ts';

/** What Twilio is told after the media stream closes is decided by how the call ended, as data. */

const EVERY_ENDING: readonly CallEnding[] = [
  { kind: 'caller-hung-up' },
  { kind: 'stream-lost', closeCode: 1006 },
  { kind: 'stream-lost', closeCode: undefined },
  { kind: 'protocol-violation', detail: 'malformed frame' },
  { kind: 'media-flood' },
  { kind: 'agent-finished', goodbyeHeard: true },
  { kind: 'agent-finished', goodbyeHeard: false },
  { kind: 'model-lost', detail: 'model session closed (1006); reconnect failed' },
  { kind: 'tool-failed', tool: 'update_application' },
  { kind: 'service-stopping' },
  { kind: 'transfer-to-staff' },
  { kind: 'caller-silent', goodbyeHeard: true },
  { kind: 'caller-silent', goodbyeHeard: false },
  { kind: 'call-too-long', goodbyeHeard: true },
  { kind: 'call-too-long', goodbyeHeard: false },
];

describe('after the media stream', () => {
  it('when the application is submitted, then the call hangs up, however it ended (a transfer still puts them through)', () => {
    for (const ending of [...EVERY_ENDING, undefined])
      expect(afterStream(ending, true)).toBe(ending?.kind === 'transfer-to-staff' ? 'transfer' : 'hang-up');
  });

  it('when the agent finished before a submit, then the caller hears the goodbye with their answers saved', () => {
    expect(afterStream({ kind: 'agent-finished', goodbyeHeard: true }, false)).toBe('goodbye');
    expect(afterStream({ kind: 'agent-finished', goodbyeHeard: false }, false)).toBe('goodbye');
  });

  it('when the caller went silent or the call reached its length limit, then the caller hears the saved-answers goodbye, not the IVR, and the call counts as abandoned', () => {
    for (const goodbyeHeard of [true, false]) {
      for (const kind of ['caller-silent', 'call-too-long'] as const) {
        expect(afterStream({ kind, goodbyeHeard }, false)).toBe('goodbye');
        expect(callOutcome({ kind, goodbyeHeard }, false)).toBe('abandoned');
        expect(callOutcome({ kind, goodbyeHeard }, true)).toBe('submitted');
      }
    }
  });

  it('when a tool failed on our side, then the caller hears it went wrong and their answers are saved, not the IVR', () => {
    expect(afterStream({ kind: 'tool-failed', tool: 'submit_application' }, false)).toBe('trouble-goodbye');
  });

  it('when the model was lost, the stream broke or flooded, the service is stopping or the ending is unknown here, then the IVR carries on', () => {
    for (const ending of [
      { kind: 'model-lost', detail: 'x' },
      { kind: 'service-stopping' },
      { kind: 'stream-lost', closeCode: 1006 },
      { kind: 'protocol-violation', detail: 'malformed frame' },
      { kind: 'media-flood' },
      { kind: 'caller-hung-up' },
      undefined,
    ] as const)
      expect(afterStream(ending, false)).toBe('ivr');
  });

  it('when an ending is described for the close frame, then it fits (123 bytes) and says what happened', () => {
    const texts = EVERY_ENDING.map(describeEnding);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(123);
    expect(new Set(texts).size).toBe(texts.length);
    expect(describeEnding({ kind: 'tool-failed', tool: 'update_application' })).toBe('update_application failed');
  });
});

describe('the resume window in words', () => {
  it('when callers are told how long their answers wait, then the number is spoken as a word', () => {
    expect(resumeWindowInWords()).toBe('seven days');
    expect(resumeWindowInWords(1)).toBe('one day');
    expect(resumeWindowInWords(14)).toBe('14 days');
  });
});

describe('an ending kept in the database for another instance', () => {
  it('when any ending is stored and read back, then it is the same ending', () => {
    for (const ending of EVERY_ENDING) expect(decodeEnding(encodeEnding(ending))).toEqual(ending);
  });

  it('when the stored text is missing, not JSON, or not an ending this build knows, then there is no ending (the IVR is offered)', () => {
    expect(decodeEnding(undefined)).toBeUndefined();
    expect(decodeEnding('{not json')).toBeUndefined();
    expect(decodeEnding('{"kind":"transferred"}')).toBeUndefined();
    expect(decodeEnding('{"kind":"tool-failed"}')).toBeUndefined();
  });
});
