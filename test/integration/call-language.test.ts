import { afterEach, describe, expect, it } from 'vitest';
import { answerCall, MediaSocket, newCallSid } from '../support/media-socket.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * Spanish one key away: keypad 2 during the AI call, over a real media socket to the real service with the
 * realtime simulator behind it. The call records the language, the session is re-instructed with the
 * transcriber set to Spanish, and the agent is asked to carry on in Spanish.
 */
let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

interface SessionUpdate {
  readonly session?: {
    readonly audio?: { readonly input?: { readonly transcription?: { readonly language?: string } } };
  };
}

function transcriptionLanguages(r: VoiceRig): (string | undefined)[] {
  return r.model.received
    .filter((e) => e.type === 'session.update')
    .map((e) => (e.event as SessionUpdate).session?.audio?.input?.transcription?.language);
}

/** A call answered and connected, once the agent has greeted the caller. */
async function greetedCall(r: VoiceRig): Promise<{ callSid: string; socket: MediaSocket }> {
  const callSid = newCallSid();
  const answer = await answerCall(r.service.url, callSid);
  const socket = await MediaSocket.start(r.service.url, callSid, answer.token ?? '');
  socket.echoMarks();
  await waitUntil(() => r.model.received.some((e) => e.type === 'response.create'), 'the agent greets the caller');
  return { callSid, socket };
}

describe('the caller chooses Spanish with the keypad', () => {
  it('when the caller presses 2, then the call is recorded as Spanish, the transcriber is set to Spanish and the agent is asked to go on in Spanish', async () => {
    rig = await startVoiceRig('happy-path');
    const r = rig;
    const { callSid, socket } = await greetedCall(r);
    expect(transcriptionLanguages(r)).toEqual(['en']);

    socket.sendSilence(10);
    socket.pressKey('2');

    await waitUntil(
      () =>
        r.model.received.some(
          (e) => e.type === 'response.create' && JSON.stringify(e.event).includes('The caller pressed 2 for Spanish.'),
        ),
      'the agent is asked to carry on in Spanish',
    );
    await waitUntil(() => transcriptionLanguages(r).includes('es'), 'the session is re-instructed in Spanish');
    const row = await r.service.db.execute({ sql: 'SELECT language FROM calls WHERE call_sid = ?', args: [callSid] });
    expect(row.rows[0]?.language).toBe('es');
    expect(socket.isOpen).toBe(true);
    await socket.hangUp();
  }, 60_000);

  it('when the caller presses another key, then nothing changes: the call stays in English', async () => {
    rig = await startVoiceRig('happy-path');
    const r = rig;
    const { callSid, socket } = await greetedCall(r);
    socket.sendSilence(10);
    socket.pressKey('7');
    socket.sendSilence(25);
    await socket.hangUp();
    const row = await r.service.db.execute({ sql: 'SELECT language FROM calls WHERE call_sid = ?', args: [callSid] });
    expect(row.rows[0]?.language).toBe('en');
    expect(transcriptionLanguages(r)).toEqual(['en']);
  }, 60_000);
});
