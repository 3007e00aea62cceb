import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTwiml } from '../../src/sim/twiml-reader.ts';
import { answerCall, callCompleted, MediaSocket, newCallSid } from '../support/media-socket.ts';
import type { TestService } from '../support/service.ts';
import { pause, waitUntil } from '../support/wait.ts';
import { PUBLIC_BASE_URL, startSecondInstance, startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * A stream token opens one media stream, once, while the call is live (issue 12, W3). Each test drives the
 * sockets frame by frame against the real service, the realtime simulator behind it over TLS, and counts the
 * model sessions the simulator saw.
 */

let rig: VoiceRig;

beforeAll(async () => {
  rig = await startVoiceRig('happy-path');
});
afterAll(async () => {
  await rig.close();
});

/** The webhook opens the model session early (pre-warm); tests count from after it. */
async function answeredWithToken(callSid: string): Promise<string> {
  const before = rig.model.connections;
  const { token } = await answerCall(rig.service.url, callSid);
  expect(token, 'the voice webhook issues a stream token').toMatch(/^\d+\.[\w-]+$/);
  await waitUntil(() => rig.model.connections > before, 'the early model session is open');
  return token ?? '';
}

async function bridged(socket: MediaSocket, service: TestService = rig.service): Promise<void> {
  socket.sendSilence(5);
  await waitUntil(() => service.callOrchestrator.liveCalls > 0, 'the stream is bridged to the model');
}

async function released(): Promise<void> {
  await waitUntil(() => rig.service.callOrchestrator.liveCalls === 0, 'the call is released');
}

/** A call answered, streamed to the model and hung up; gives its token. */
async function streamedAndHungUp(callSid: string): Promise<string> {
  const token = await answeredWithToken(callSid);
  const stream = await MediaSocket.start(rig.service.url, callSid, token);
  await bridged(stream);
  await stream.hangUp();
  await released();
  return token;
}

const securityEvents = (service: TestService, callSid: string): string[] =>
  service.log.text.split('\n').filter((line) => line.includes('"security":true') && line.includes(callSid));

describe('a stream token opens one media stream', () => {
  it('when two sockets start with the same token at once, then one is bridged, the other is refused with 1008 and no second model session opens', async () => {
    const callSid = newCallSid();
    const token = await answeredWithToken(callSid);
    const sessions = rig.model.connections;

    const sockets = await Promise.all([1, 2].map(() => MediaSocket.start(rig.service.url, callSid, token)));
    for (const socket of sockets) socket.sendSilence(5);
    await waitUntil(() => sockets.some((s) => s.closeCode !== undefined), 'one of the two sockets is refused');
    const [refused, accepted] = sockets[0]?.closeCode === undefined ? [sockets[1]!, sockets[0]!] : sockets;
    await bridged(accepted!);
    await pause(300); // time enough for a second session, were one being opened

    expect(refused!.closeCode).toBe(1008);
    expect(accepted!.isOpen).toBe(true);
    expect(rig.model.connections).toBe(sessions);
    expect(securityEvents(rig.service, callSid).join('\n')).toContain('stream already-streamed');
    await accepted!.hangUp();
    await released();
  });

  it('when a socket starts with the token after the first stream stopped, then it is refused with 1008 and opens no model session', async () => {
    const callSid = newCallSid();
    const token = await streamedAndHungUp(callSid);
    const sessions = rig.model.connections;

    const again = await MediaSocket.start(rig.service.url, callSid, token);
    again.sendSilence(5);

    expect(await again.closed('the second socket is refused')).toBe(1008);
    await pause(300);
    expect(rig.model.connections).toBe(sessions);
    expect(rig.service.callOrchestrator.liveCalls).toBe(0);
  });

  it('when the call is over before any stream came, then a socket with its token is refused with 1008', async () => {
    const callSid = newCallSid();
    const token = await answeredWithToken(callSid);
    expect(await callCompleted(rig.service.url, callSid)).toBe(204);
    const sessions = rig.model.connections;

    const late = await MediaSocket.start(rig.service.url, callSid, token);
    late.sendSilence(5);

    expect(await late.closed('the socket for an ended call is refused')).toBe(1008);
    expect(rig.model.connections).toBe(sessions);
    expect(securityEvents(rig.service, callSid).join('\n')).toContain('stream call-ended');
  });
});

describe('a voice webhook for a call already streamed or over', () => {
  it('when a signed voice webhook is replayed after the call completed, then it hangs up, issues no stream, opens no model session and logs a security event', async () => {
    const callSid = newCallSid();
    await streamedAndHungUp(callSid);
    expect(await callCompleted(rig.service.url, callSid)).toBe(204);
    const sessions = rig.model.connections;

    const replay = await answerCall(rig.service.url, callSid);
    await pause(300); // an early model session would be opening by now

    expect(replay.status).toBe(200);
    expect(replay.twiml).not.toContain('<Stream');
    expect(replay.token).toBeUndefined();
    expect(readTwiml(replay.twiml).verbs).toEqual(['Hangup']);
    expect(rig.model.connections).toBe(sessions);
    expect(securityEvents(rig.service, callSid).join('\n')).toContain('"answer":"call-ended"');
  });

  it('when the voice webhook comes again while the call is streaming, then it is answered with the IVR, no stream, and the live call goes on', async () => {
    const callSid = newCallSid();
    const token = await answeredWithToken(callSid);
    const stream = await MediaSocket.start(rig.service.url, callSid, token);
    await bridged(stream);
    const sessions = rig.model.connections;

    const again = await answerCall(rig.service.url, callSid);
    await pause(300);

    expect(again.status).toBe(200);
    expect(readTwiml(again.twiml).verbs).toEqual(['Redirect']);
    expect(again.twiml).toContain(`${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    expect(again.twiml).not.toContain('<Stream');
    expect(rig.model.connections).toBe(sessions);
    expect(stream.isOpen).toBe(true);
    expect(rig.service.callOrchestrator.liveCalls).toBe(1);
    expect(securityEvents(rig.service, callSid).join('\n')).toContain('"answer":"already-connected"');
    await stream.hangUp();
    await released();
  });
});

describe('two instances sharing one database', () => {
  it('when each instance gets a socket with the same token at once, then only one is bridged and the other is refused with 1008', async () => {
    const other = await startSecondInstance(rig);
    try {
      const callSid = newCallSid();
      const token = await answeredWithToken(callSid);

      const sockets = await Promise.all(
        [rig.service, other].map((service) => MediaSocket.start(service.url, callSid, token)),
      );
      for (const socket of sockets) socket.sendSilence(5);
      await waitUntil(() => sockets.some((s) => s.closeCode !== undefined), 'one of the two sockets is refused');
      const live = () => rig.service.callOrchestrator.liveCalls + other.callOrchestrator.liveCalls;
      await waitUntil(() => live() === 1, 'the other socket is bridged');

      expect(sockets.map((s) => s.closeCode ?? 'open').sort()).toEqual([1008, 'open']);
      await sockets.find((s) => s.isOpen)?.hangUp();
      await waitUntil(() => live() === 0, 'the call is released');
    } finally {
      await other.close();
    }
  });
});
