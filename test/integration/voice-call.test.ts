import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectedFrame, mediaFrame, startFrame } from '../../src/sim/twilio-stream-frames.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { FRAME_BYTES, MULAW_SILENCE } from '../../src/protocols/media-stream-messages.ts';
import { testDataKeys } from '../support/keys.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { pause, waitUntil } from '../support/wait.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * A phone call end to end over real sockets: the call simulator plays
 * Twilio (signed webhooks, the media stream at real-time pace), the realtime
 * simulator plays the model over TLS, and the service in between stores
 * into a real libSQL file.
 */
let rig: VoiceRig;

beforeAll(async () => {
  rig = await startVoiceRig('happy-path', { transcriptionDelayMs: 300 });
});
afterAll(async () => {
  await rig.close();
});

async function rows(sql: string, args: (string | number)[] = []) {
  return (await rig.service.db.execute({ sql, args })).rows;
}

describe('a phone call through the voice path', () => {
  it('when a caller completes the happy path, then the application is submitted, the SMS queued, the call accounted for and its transcript in order', async () => {
    const callSid = `CA${'1'.repeat(32)}`;
    const events: string[] = [];
    const callInProgress = rig.call({ callSid, realTimeFactor: 2, onEvent: (e) => events.push(`${e.atMs} ${e.type}`) });
    // While this call is live, another socket misbehaves: only that socket may be closed.
    await pause(3_000);
    const intruders = await Promise.all([
      openAndSend('{"event":"media","streamSid":"MZ9","media":{"payload":"%%%"}}'),
      openAndStart('forged.token'),
    ]);
    expect(intruders.map((c) => c.code)).toEqual([1007, 1008]);
    const result = await callInProgress;
    if (result.endedBy !== 'service')
      throw new Error(
        `call ended by ${result.endedBy}: ${JSON.stringify(result.errors)}\n${events.join('\n')}\n${rig.service.log.text.slice(-4000)}`,
      );

    if (
      !String(result.connectActionTwiml).includes('<Hangup/></Response>') ||
      String(result.connectActionTwiml).includes('<Say')
    ) {
      process.stderr.write(`${JSON.stringify(rig.model.toolOutputs(), null, 1)}\n${events.join('\n')}\n`);
    }
    expect(result.errors).toEqual([]);
    expect(result.protocolViolations).toEqual([]);
    expect(result.endedBy).toBe('service');
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(result.connectActionTwiml).not.toContain('<Say');
    expect(result.agentAudioMsUnplayed).toBe(0);
    expect(result.statusCallbackStatus).toBe(204);

    const [application] = await rows(
      "SELECT id, status, channel, reference FROM applications WHERE channel = 'voice' AND status = 'submitted'",
    );
    const applicationId = application?.id as string;
    expect(application).toMatchObject({ status: 'submitted', channel: 'voice' });
    expect(application?.reference as string).toMatch(/^FP-\d{4}-[2-9A-HJKMNP-Z]{6}$/);
    expect(await rows('SELECT status FROM sms_outbox WHERE application_id = ?', [applicationId])).toEqual([
      expect.objectContaining({ status: 'pending' }),
    ]);

    const [callRow] = await rows('SELECT * FROM calls WHERE call_sid = ?', [callSid]);
    expect(callRow).toMatchObject({
      application_id: application?.id,
      status: 'completed',
      prompt_version: 'agent-instructions.v3',
      model: 'gpt-realtime',
    });
    expect(Number(callRow?.cost_usd)).toBeGreaterThan(0);
    expect(Number(callRow?.output_tokens)).toBeGreaterThan(0);
    const detail = JSON.parse(callRow?.usage_detail as string) as Record<string, number>;
    expect(detail.audio_out).toBeGreaterThan(0);
    expect(detail.transcription_in).toBeGreaterThan(0);

    const stored = await rig.service.db.execute({
      sql: 'SELECT field FROM application_fields WHERE application_id = ?',
      args: [applicationId],
    });
    expect(stored.rows.map((r) => r.field)).toEqual(
      expect.arrayContaining(['eventStartDate', 'contactPhone', 'attestation']),
    );

    const transcript = await rigTranscript(callSid);
    const spoken = transcript.filter((t) => t.role !== 'tool');
    const expected = rig.scenario.turns.flatMap((turn) =>
      turn.speaker === 'caller'
        ? [{ role: 'caller', text: turn.say }]
        : turn.outputs.flatMap((o) => ('say' in o ? [{ role: 'agent', text: o.say }] : [])),
    );
    expect(spoken.map((t) => ({ role: t.role, text: t.text }))).toEqual(expected);
    expect(transcript.some((t) => t.role === 'tool' && t.text.startsWith('submit_application: submitted as FP-'))).toBe(
      true,
    );
    const offsets = transcript.map((t) => t.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  }, 120_000);

  it('when the voice webhook is forged or unsigned, then it is refused with 403 and no call is recorded', async () => {
    const params = { CallSid: `CA${'2'.repeat(32)}`, From: '+12125550142', To: '+12125550100', CallStatus: 'ringing' };
    const forged = await postForm('/twilio/voice', params, 'forged');
    const unsigned = await postForm('/twilio/voice', params, 'none');

    expect([forged.status, unsigned.status]).toEqual([403, 403]);
    expect(await rows('SELECT call_sid FROM calls WHERE call_sid = ?', [params.CallSid])).toEqual([]);
  });

  it('when the same voice webhook is delivered twice, then one call and one draft exist', async () => {
    const params = { CallSid: `CA${'3'.repeat(32)}`, From: '+12125550143', To: '+12125550100', CallStatus: 'ringing' };
    const modelSessionsBefore = rig.model.connections;
    const draftsBefore = Number((await rows("SELECT count(*) AS n FROM applications WHERE channel = 'voice'"))[0]?.n);
    // Twilio retries a webhook it gave up on while the first request may still be in progress.
    await Promise.all([1, 2, 3].map(() => rig.service.callOrchestrator.answer(params.CallSid, params.From, 'ringing')));
    const [first, second] = [await postForm('/twilio/voice', params), await postForm('/twilio/voice', params)];
    expect(Number((await rows("SELECT count(*) AS n FROM applications WHERE channel = 'voice'"))[0]?.n)).toBe(
      draftsBefore + 1,
    );
    // The model session is opened while answering (pre-warm), once, before any media stream exists.
    await pause(300);
    expect(rig.model.connections).toBe(modelSessionsBefore + 1);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toContain('<Connect action="https://permits.example.test/twilio/voice/after-stream">');
    expect(first.body).toContain('<Stream url="wss://permits.example.test/twilio/media"');
    expect(await rows('SELECT count(*) AS n FROM calls WHERE call_sid = ?', [params.CallSid])).toEqual([
      expect.objectContaining({ n: 1 }),
    ]);
    const apps = await rows('SELECT DISTINCT application_id FROM calls WHERE call_sid = ?', [params.CallSid]);
    expect(apps).toHaveLength(1);
  });

  it('when a media socket starts without a valid token, then it is closed as a policy violation within a second and no model session opens', async () => {
    await pause(300); // let earlier tests' early model sessions settle
    const before = rig.model.connections;
    for (const token of [undefined, 'forged.AAAA', '1.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      const started = Date.now();
      const close = await openAndStart(token);
      expect(close.code).toBe(1008);
      expect(Date.now() - started).toBeLessThan(1500);
    }
    expect(rig.model.connections).toBe(before);
    expect(rig.service.log.text).toContain('"security":true');
  });

  it('when caller audio arrives before the model session is attached, then none of it is lost', async () => {
    const params = { CallSid: `CA${'6'.repeat(32)}`, From: '+12125550144', To: '+12125550100', CallStatus: 'ringing' };
    const twiml = (await postForm('/twilio/voice', params)).body;
    const token = /name="token" value="([^"]+)"/.exec(twiml)?.[1] ?? '';
    await pause(300);
    const connection = rig.model.connections;
    const ws = mediaSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    const frames = 25;
    // start and the first frames in one burst: they are read before the bridge can attach.
    const stream = STREAM(params.CallSid);
    ws.send(JSON.stringify(startFrame(stream, 1, tokenParameters(token))));
    for (let chunk = 1; chunk <= frames; chunk++)
      ws.send(JSON.stringify(mediaFrame(stream.streamSid, chunk + 1, chunk, Buffer.alloc(FRAME_BYTES, MULAW_SILENCE))));
    const appends = () =>
      rig.model.received.filter((e) => e.connection === connection && e.type === 'input_audio_buffer.append').length;
    await waitUntil(() => appends() >= frames, `${frames} appends reach the model`, 3_000).catch(() => undefined);
    ws.close();
    expect(appends()).toBe(frames);
  });

  it('when a media socket sends a malformed frame, then only that socket is closed', async () => {
    const close = await openAndSend('this is not json');
    expect(close.code).toBe(1007);
    expect((await fetch(`${rig.service.url}/health/live`)).status).toBe(200);
  });
});

function rigTranscript(callSid: string) {
  return new CallRepository(rig.service.db, new FieldCipher(testDataKeys())).transcript(callSid);
}

function postForm(path: string, params: Record<string, string>, signature: 'valid' | 'forged' | 'none' = 'valid') {
  return postTwilioWebhook(
    { serviceUrl: rig.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    path,
    params,
    signature,
  );
}

function mediaSocket(): WebSocket {
  return new WebSocket(`${rig.service.url.replace('http', 'ws')}/twilio/media`);
}

function closed(ws: WebSocket): Promise<{ code: number }> {
  return new Promise((resolve) =>
    ws.on('close', (code) => {
      resolve({ code });
    }),
  );
}

const STREAM = (callSid: string) => ({ accountSid: `AC${'0'.repeat(32)}`, streamSid: `MZ${'0'.repeat(32)}`, callSid });
const tokenParameters = (token: string | undefined): Record<string, string> => (token === undefined ? {} : { token });

async function openAndStart(token: string | undefined): Promise<{ code: number }> {
  const ws = mediaSocket();
  const done = closed(ws);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify(connectedFrame()));
  ws.send(JSON.stringify(startFrame(STREAM(`CA${'4'.repeat(32)}`), 1, tokenParameters(token))));
  return done;
}

async function openAndSend(text: string): Promise<{ code: number }> {
  const ws = mediaSocket();
  const done = closed(ws);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(text);
  return done;
}
