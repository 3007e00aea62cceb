import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/wait.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * Twilio's Messages API fails in a storm (5xx and 429) at the moment a
 * caller submits: the submit does not wait on Twilio (the text is queued in
 * the same transaction), so the call goes on as usual, and the text is sent
 * once, when Twilio answers again.
 */

let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('a Twilio storm during a submit', () => {
  it('when the Messages API answers 5xx and 429 while a caller submits, then the call submits as usual, the caller is told a text will follow, and it is sent once Twilio recovers', async () => {
    rig = await startVoiceRig('happy-path', {}, undefined, {
      SMS_WORKER: 'true',
      SMS_RATE_PER_SECOND: '0',
      SMS_POLL_INTERVAL_MS: '50',
      SMS_RETRY_MIN_MS: '20',
      SMS_RETRY_MAX_MS: '100',
      SMS_CIRCUIT_RESET_MS: '200',
      SMS_MAX_ATTEMPTS: '20',
    });
    const r = rig;
    const standIn = r.service.twilioStandIn;
    if (standIn === undefined) throw new Error('the service did not start the local Twilio stand-in');
    standIn.script(
      { status: 500 },
      { status: 503 },
      { status: 429, retryAfterSeconds: 0 },
      { status: 502 },
      { status: 504 },
      { status: 500 },
      { status: 429, retryAfterSeconds: 0 },
      { status: 503 },
    );

    const result = await r.call({ realTimeFactor: 4 });

    expect(result.endedBy).toBe('service');
    expect(result.errors).toEqual([]);
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    const submitted = r.model
      .toolOutputs()
      .map((o) => JSON.parse(o.output) as { ok?: boolean; reference?: string; text_message_will_follow?: boolean })
      .find((o) => o.reference !== undefined);
    expect(submitted).toMatchObject({ ok: true, text_message_will_follow: true });

    await eventually(
      async () => (await r.service.db.execute("SELECT status FROM sms_outbox WHERE status = 'sent'")).rows.length === 1,
      'the text is sent once Twilio recovers',
      30_000,
    );
    expect(standIn.messages).toHaveLength(1);
    expect(standIn.messages[0]?.body).toContain(submitted?.reference ?? 'no reference');
    const row = (await r.service.db.execute('SELECT attempts FROM sms_outbox')).rows[0];
    expect(Number(row?.attempts)).toBeGreaterThan(1);
  }, 90_000);
});
