import { afterEach, describe, expect, it } from 'vitest';
import { answerCall, MediaSocket, newCallSid } from '../support/media-socket.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * A person one key away: keypad 0 during the AI call, over a real media socket to the real service with the
 * realtime simulator behind it. Inside office hours the stream ends and the <Connect action> dials the staff line;
 * outside them nobody is rung and the agent is told to offer the other ways on.
 */
const STAFF_NUMBER = '+14255550100';
const EVERY_DAY_ALL_DAY = 'Mon-Sun 00:00-24:00';
let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Office hours on one day of the week that is not today (in the department's zone): closed all of today. */
function hoursNotToday(): string {
  const today = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'America/Los_Angeles' }).format(
    new Date(),
  );
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const other = days[(days.indexOf(today) + 3) % 7] ?? 'Sun';
  return `${other} 08:00-17:00`;
}

async function callAndPressZero(r: VoiceRig): Promise<{ callSid: string; socket: MediaSocket }> {
  const callSid = newCallSid();
  const answer = await answerCall(r.service.url, callSid);
  expect(answer.token).toBeDefined();
  const socket = await MediaSocket.start(r.service.url, callSid, answer.token ?? '');
  socket.echoMarks();
  // The greeting's response.create shows the bridge is up and listening to this stream.
  await waitUntil(() => r.model.received.some((e) => e.type === 'response.create'), 'the agent greets the caller');
  socket.sendSilence(10);
  socket.pressKey('0');
  return { callSid, socket };
}

async function afterStreamTwiml(r: VoiceRig, callSid: string): Promise<string> {
  const answer = await postTwilioWebhook(
    { serviceUrl: r.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    '/twilio/voice/after-stream',
    { CallSid: callSid, AccountSid: `AC${'0'.repeat(32)}` },
  );
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('a person one key away', () => {
  it('when the caller presses 0 in office hours, then the stream ends and the after-stream TwiML dials the staff line, saying first that answers are kept', async () => {
    rig = await startVoiceRig('happy-path', {}, undefined, {
      STAFF_TRANSFER_NUMBER: STAFF_NUMBER,
      OFFICE_HOURS: EVERY_DAY_ALL_DAY,
    });
    const { callSid, socket } = await callAndPressZero(rig);

    await socket.closed('the service ends the stream for the transfer');
    const twiml = await afterStreamTwiml(rig, callSid);
    expect(twiml).toContain(
      '<Say>I am putting you through to a member of staff now. Your answers so far are kept.</Say><Dial timeout="25">+14255550100</Dial>',
    );
    expect(twiml).toMatch(
      /<Say>Sorry, no one could answer just now\. Your answers so far are saved\..*<\/Say><Hangup\/>/,
    );
    // Staff see the call as put through (the console's outcome reads this ending).
    const row = await rig.service.db.execute({
      sql: 'SELECT ai_ending FROM calls WHERE call_sid = ?',
      args: [callSid],
    });
    expect(row.rows[0]?.ai_ending).toBe('{"kind":"transfer-to-staff"}');
  }, 60_000);

  it('when the caller presses 0 outside office hours, then the call goes on, nobody is rung, and the agent is told to say when the office is open', async () => {
    const hours = hoursNotToday();
    rig = await startVoiceRig('happy-path', {}, undefined, {
      STAFF_TRANSFER_NUMBER: STAFF_NUMBER,
      OFFICE_HOURS: hours,
    });
    const r = rig;
    const { socket } = await callAndPressZero(r);

    const owed = () =>
      r.model.received.find(
        (e) =>
          e.type === 'response.create' &&
          JSON.stringify(e.event).includes(
            'The caller pressed 0 to reach a person. Tell the caller the office is closed now',
          ),
      );
    await waitUntil(() => owed() !== undefined, 'the agent is asked to tell the caller the office is closed');
    expect(JSON.stringify(owed()?.event)).toContain('permits dot example dot test slash apply');
    expect(socket.isOpen).toBe(true);
    await socket.hangUp();
  }, 60_000);

  it('when no staff line is configured, then pressing 0 never ends the call and the agent says nobody can take calls', async () => {
    rig = await startVoiceRig('happy-path', {}, undefined, { OFFICE_HOURS: EVERY_DAY_ALL_DAY });
    const r = rig;
    const { socket } = await callAndPressZero(r);

    await waitUntil(
      () =>
        r.model.received.some(
          (e) => e.type === 'response.create' && JSON.stringify(e.event).includes('no one can take calls on this line'),
        ),
      'the agent is asked to say nobody can take the call',
    );
    expect(socket.isOpen).toBe(true);
    await socket.hangUp();
  }, 60_000);
});
