import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { OPENAI_TEST_KEY, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * A session renewal in the call's trace: sessions announce a 4-second life and are renewed 3.5 s before it ends
 * (as in voice-renewal.test.ts), so the call moves to a new session right after the greeting.
 */

let receiver: OtlpReceiver;
let rig: VoiceRig;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  rig = await startVoiceRig('happy-path', { sessionLifetimeSeconds: 4 }, OPENAI_TEST_KEY, {
    MODEL_SESSION_RENEW_BEFORE_MS: '3500',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
  });
});

afterAll(async () => {
  await rig.close();
  await receiver.close();
});

describe('traces of a session renewal', () => {
  it('when a call outlives its model session, then the renewal is a span of the call with the new session connect inside it', async () => {
    const result = await rig.call({ realTimeFactor: 2, hangUpAfterTurn: 0, timeoutMs: 30_000 });
    expect(result.endedBy).toBe('caller');
    const named = (name: string) => receiver.spans.filter((s) => s.name === name);
    const renewalConnects = () =>
      named('model connect').filter((s) => s.attributes['permitline.model.open'] === 'renewal');
    // A renewal ends after the session it opened: wait until each one's span is in as well as its connect's.
    await waitUntil(
      () =>
        named('call').length === 1 &&
        renewalConnects().length > 0 &&
        renewalConnects().every((c) => named('model renewal').some((r) => r.spanId === c.parentSpanId)),
      'the call span and every renewal span reached the collector',
      20_000,
    );
    const [call] = named('call');
    const renewals = named('model renewal');
    for (const renewal of renewals)
      expect(renewal).toMatchObject({ traceId: call?.traceId, parentSpanId: call?.spanId });
    expect(renewalConnects().length).toBeGreaterThanOrEqual(1);
    expect(call?.attributes['permitline.call.ending']).toBe('caller-hung-up');
  }, 60_000);
});
