import { describe, expect, it } from 'vitest';
import { callOutcome } from '../../src/call/call-ending.ts';
import { toolResultOf } from '../../src/intake/permit-tools.ts';

const outcome = (output: unknown) => ({ output: JSON.stringify(output), summary: '', endCall: false });

describe('what a tool call comes to, for metrics and spans', () => {
  it('when a tool saved everything, then it is ok with no problems', () => {
    expect(toolResultOf(outcome({ saved: ['Permit type'], problems: [], still_missing: 3 }))).toEqual({
      result: 'ok',
      problems: 0,
    });
  });

  it('when some answers were refused, then it is invalid and counts them, whatever they said', () => {
    expect(toolResultOf(outcome({ saved: [], problems: ['a date in the past', 'not a phone number'] }))).toEqual({
      result: 'invalid',
      problems: 2,
    });
  });

  it('when a tool answered without a problems list (a submit, a read-back), then it is ok', () => {
    expect(toolResultOf(outcome({ ok: true, reference: 'FP-2026-ABCDEF' }))).toEqual({ result: 'ok', problems: 0 });
  });

  it('when the tool refused the call itself, then it is invalid with one problem', () => {
    expect(toolResultOf(outcome({ ok: false, error: 'Read the application back first.' }))).toEqual({
      result: 'invalid',
      problems: 1,
    });
  });
});

describe('how a call on the AI path ended, for metrics and spans', () => {
  it('when the application was submitted, then the outcome is submitted however the call ended', () => {
    expect(callOutcome({ kind: 'caller-hung-up' }, true)).toBe('submitted');
    expect(callOutcome({ kind: 'agent-finished', goodbyeHeard: true }, true)).toBe('submitted');
  });

  it('when the caller hung up before submitting, then it was abandoned', () => {
    expect(callOutcome({ kind: 'caller-hung-up' }, false)).toBe('abandoned');
  });

  it('when the model was lost or the service stopped, then the call went on in the IVR', () => {
    expect(callOutcome({ kind: 'model-lost', detail: 'x' }, false)).toBe('ivr_fallback');
    expect(callOutcome({ kind: 'service-stopping' }, false)).toBe('ivr_fallback');
    expect(callOutcome({ kind: 'stream-lost', closeCode: 1006 }, false)).toBe('ivr_fallback');
  });

  it('when the agent said goodbye without a submit, or a tool failed, then it was abandoned', () => {
    expect(callOutcome({ kind: 'agent-finished', goodbyeHeard: true }, false)).toBe('abandoned');
    expect(callOutcome({ kind: 'tool-failed', tool: 'update_application' }, false)).toBe('abandoned');
  });
});
