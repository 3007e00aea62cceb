import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_MS } from '../../src/protocols/media-stream-messages.ts';
import { readTwiml } from '../../src/sim/twiml-reader.ts';
import { mediaFrame } from '../../src/sim/twilio-stream-frames.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { answerCall, MediaSocket, newCallSid } from '../support/media-socket.ts';
import { ADMIN, StaffClient, addStaffUser } from '../support/staff.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { eventually, waitUntil } from '../support/wait.ts';
import { readWav } from '../support/wav.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * Bounded media (issue 12, W4) through the real service: a stream that sends caller audio faster than real time,
 * or a message bigger than Twilio sends, closes that call only; a recording stops at its maximum length while the
 * call goes on.
 */

const BURST_MS = 1_000;

describe('media that Twilio never sends', () => {
  let rig: VoiceRig;

  beforeAll(async () => {
    // The pace as in production: real time, with a one-second burst.
    rig = await startVoiceRig('happy-path', {}, undefined, { MEDIA_MAX_PACE: '1', MEDIA_BURST_MS: String(BURST_MS) });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('when a stream sends caller audio far faster than real time, then that call alone is closed with 1008 and handed to the IVR, and a call beside it goes on', async () => {
    const beside = rig.call({ realTimeFactor: 1, hangUpAfterTurn: 0 });
    const callSid = newCallSid();
    const { token } = await answerCall(rig.service.url, callSid);
    const flood = await MediaSocket.start(rig.service.url, callSid, token!);
    const frames = 1_500; // 30 s of audio at once
    flood.sendSilence(frames);

    expect(await flood.closed('the flooding socket is closed')).toBe(1008);
    expect(await rig.service.callOrchestrator.endingOf(callSid)).toEqual({ kind: 'media-flood' });
    const action = await postTwilioWebhook(
      { serviceUrl: rig.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
      '/twilio/voice/after-stream',
      { CallSid: callSid, AccountSid: `AC${'0'.repeat(32)}` },
    );
    expect(readTwiml(action.body).verbs).toEqual(['Redirect']);
    expect(action.body).toContain('/twilio/ivr</Redirect>');
    expect(rig.service.log.text).toContain('caller audio faster than real time');

    const other = await beside;
    expect(other.errors).toEqual([]);
    expect(other.endedBy).toBe('caller');
    expect(other.callerTurnsSpoken).toBe(1);
  }, 60_000);

  it('when a message is bigger than any Twilio sends, then that socket is closed', async () => {
    const callSid = newCallSid();
    const { token } = await answerCall(rig.service.url, callSid);
    const socket = await MediaSocket.start(rig.service.url, callSid, token!);
    socket.sendSilence(5);
    await waitUntil(() => rig.service.callOrchestrator.liveCalls > 0, 'the stream is bridged');
    // 12 KB of audio in one frame: under the old 64 KiB cap, over any message Twilio sends.
    socket.send(mediaFrame(socket.identity.streamSid, 3, 1, Buffer.alloc(12_000, 0xff)));

    expect(await socket.closed('the socket with the oversized message is closed')).toBe(1009);
    await eventually(
      async () => (await rig.service.callOrchestrator.endingOf(callSid)) !== undefined,
      'the call has ended',
    );
    expect(await rig.service.callOrchestrator.endingOf(callSid)).toEqual({
      kind: 'protocol-violation',
      detail: 'message too large',
    });
  });
});

describe('a recording with a maximum length', () => {
  const RECORDING_MAX_MS = 2_000;
  let rig: VoiceRig;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-recording-cap-'));
    rig = await startVoiceRig('happy-path', {}, undefined, {
      RECORD_CALLS: 'true',
      RECORDINGS_DIR: dir,
      RECORDING_MAX_MS: String(RECORDING_MAX_MS),
    });
  });
  afterAll(async () => {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the call goes on past RECORDING_MAX_MS, then the caller was told of the recording, it stops at the maximum, the call goes on, and staff are told', async () => {
    const result = await rig.call({ realTimeFactor: 4, hangUpAfterTurn: 1 });
    await waitUntil(() => rig.service.callOrchestrator.liveCalls === 0, 'the call is released');
    await rig.service.callOrchestrator.finished();

    expect(result.errors).toEqual([]);
    expect(result.say).toContain('This call is recorded');
    expect(result.framesSent * FRAME_MS).toBeGreaterThan(2 * RECORDING_MAX_MS);
    const calls = new CallRepository(rig.service.db, new FieldCipher(testDataKeys()));
    expect((await calls.find(result.callSid))?.recordingMs).toBe(RECORDING_MAX_MS);
    const wav = readWav((await rig.service.recordings.load(result.callSid))!);
    expect(wav.samples[0]).toHaveLength(RECORDING_MAX_MS * 8);
    // The call went on: turns after the recording stopped are in the transcript.
    const transcript = await calls.transcript(result.callSid);
    expect(transcript.some((turn) => turn.offsetMs > RECORDING_MAX_MS)).toBe(true);

    await addStaffUser(rig.service.db, ADMIN.username, 'admin', ADMIN.password);
    const staff = new StaffClient(rig.service.url);
    expect((await staff.signIn(ADMIN.username, ADMIN.password)).status).toBe(303);
    const page = await staff.get(`/staff/calls/${result.callSid}`);
    expect(page.html).toContain('The recording stops at 0:02, the longest recording kept');
  }, 60_000);
});
