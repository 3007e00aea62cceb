import { afterEach, describe, expect, it } from 'vitest';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { OPENAI_TEST_KEY, PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';
import { pause, waitUntil } from '../support/wait.ts';

/**
 * The circuit breaker on the model, over real sockets: while the model
 * refuses or cannot be reached, calls are answered at once without trying
 * it (no Connect, no socket to the model); once it answers again, calls go
 * to it again.
 */

const RESET_MS = 400;
let rig: VoiceRig | undefined;
let callNumber = 0;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function phoneIn(r: VoiceRig): Promise<string> {
  callNumber += 1;
  const params = {
    CallSid: `CA${String(callNumber).padStart(32, '0')}`,
    From: `+1312555${String(100 + (callNumber % 100)).padStart(4, '0')}`,
    To: '+13125550100',
    CallStatus: 'ringing',
  };
  const res = await postTwilioWebhook(
    { serviceUrl: r.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    '/twilio/voice',
    params,
  );
  expect(res.status).toBe(200);
  return res.body;
}

describe('the model circuit breaker', () => {
  it('when the model refuses our key, then the circuit opens at once and calls go to the keypad IVR without trying it; when the key works again, calls reach the model', async () => {
    rig = await startVoiceRig('happy-path', {}, 'revoked-key', { MODEL_CIRCUIT_RESET_MS: String(RESET_MS) });
    const r = rig;

    const first = await phoneIn(r);
    expect(first).toContain('<Connect');
    await waitUntil(() => !r.service.callOrchestrator.modelAvailable, 'the circuit opens after the refusal');
    expect(r.model.refusedConnections).toBe(1);

    const during = [await phoneIn(r), await phoneIn(r)];
    for (const twiml of during) {
      expect(twiml).not.toContain('<Connect');
      expect(twiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    }
    await pause(100);
    expect(r.model.refusedConnections).toBe(1);
    expect(r.model.connections).toBe(0);

    r.model.setApiKey('revoked-key');
    await waitUntil(
      () => r.service.callOrchestrator.modelAvailable,
      'the circuit lets a call try again',
      RESET_MS * 10,
    );
    const after = await phoneIn(r);
    expect(after).toContain('<Connect');
    await waitUntil(() => r.model.connections === 1, 'the trial call reaches the model');
    expect(await phoneIn(r)).toContain('<Connect');
    await waitUntil(() => r.model.connections === 2, 'the next call reaches the model too');
  });

  it('when the model cannot be reached at all, then after three failed calls the rest go to the keypad IVR', async () => {
    rig = await startVoiceRig('happy-path', {}, OPENAI_TEST_KEY, {
      MODEL_CIRCUIT_RESET_MS: '60000',
      MODEL_CONNECT_TIMEOUT_MS: '500',
    });
    const r = rig;
    await r.model.close();

    for (let i = 0; i < 3; i++) expect(await phoneIn(r)).toContain('<Connect');
    await waitUntil(() => !r.service.callOrchestrator.modelAvailable, 'the circuit opens after repeated failures');

    const answered = await phoneIn(r);
    expect(answered).not.toContain('<Connect');
    expect(answered).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
  });
});
