import { afterEach, describe, expect, it } from 'vitest';
import { SILENCE_AND_LENGTH_INSTRUCTIONS } from '../../src/call/call-bridge.ts';
import { decodeEnding } from '../../src/call/call-ending.ts';
import { latestVoiceApplication, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { eventually } from '../support/wait.ts';

/**
 * Silence and length (docs/caller-experience.md): a caller who says nothing is asked once if they are still there,
 * then told their answers are kept; a call that reaches MAX_CALL_MINUTES is wrapped up the same way. Real service,
 * the realtime simulator over TLS, the call simulator as Twilio, over real sockets. The timers are wall-clock and
 * the margins generous: nothing here asserts how soon, only what, in which order, and what was kept.
 */
let rig: VoiceRig | undefined;
/** The calls play at four times real time (the service paces its audio to match): what is checked is order, not speed. */
const SPEED = 4;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const SAVED_ANSWERS_GOODBYE =
  /<Say>Your answers so far are saved\. You can call back within seven days to finish, or apply online at [^<]+\. Goodbye\.<\/Say><Hangup\/><\/Response>$/;

/** Each response.create the bridge sent, by its own instructions (undefined: an ordinary turn). */
function responseInstructions(r: VoiceRig): (string | undefined)[] {
  return r.model.received
    .filter((e) => e.type === 'response.create')
    .map((e) => (e.event as { response?: { instructions?: string } }).response?.instructions);
}

async function storedEnding(r: VoiceRig, callSid: string) {
  let stored: string | undefined;
  await eventually(async () => {
    const row = await r.service.db.execute({ sql: 'SELECT ai_ending FROM calls WHERE call_sid = ?', args: [callSid] });
    stored = (row.rows[0]?.ai_ending as string | null) ?? undefined;
    return stored !== undefined;
  }, 'the call ending is stored');
  return decodeEnding(stored);
}

describe('a caller who goes silent', () => {
  it('when the caller says nothing after a question, then they are asked once if still there, then told their answers are kept, and the call ends with the draft intact', async () => {
    // 2 s: well past the caller's own pause before answering (the simulated caller starts 0.6 s of phone time, at
    // four times real time 0.15 s, after the agent).
    rig = await startVoiceRig('caller-goes-silent', {}, undefined, {
      CALLER_SILENCE_SECONDS: '2',
      MEDIA_MAX_PACE: String(SPEED),
      MAX_CALL_MINUTES: '0',
    });
    const result = await rig.call({ realTimeFactor: SPEED });

    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    expect(result.callerTurnsSpoken).toBe(1);
    // Nothing was said over the agent: the silence counted only once its question had been heard.
    expect(result.clears).toEqual([]);
    expect(responseInstructions(rig)).toEqual([
      undefined, // the greeting
      undefined, // after update_application: the next question
      SILENCE_AND_LENGTH_INSTRUCTIONS.stillThere,
      SILENCE_AND_LENGTH_INSTRUCTIONS.callerSilent,
    ]);
    // The goodbye was heard to its end before the stream closed.
    expect(result.agentAudioMsUnplayed).toBe(0);
    expect(result.connectActionTwiml).toMatch(SAVED_ANSWERS_GOODBYE);
    expect(result.connectActionTwiml).not.toContain('<Redirect');
    expect(await storedEnding(rig, result.callSid)).toEqual({ kind: 'caller-silent', goodbyeHeard: true });
    const application = await latestVoiceApplication(rig);
    expect(application?.status).toBe('draft');
    expect(application?.fields).toMatchObject({ permitType: 'mobile_food_unit' });
  }, 90_000);
});

describe('a caller who answers the still-there question', () => {
  it('when the caller answers after being asked if still there, then the call goes on, and a later silence is asked about again before any goodbye', async () => {
    rig = await startVoiceRig('caller-still-there', {}, undefined, {
      CALLER_SILENCE_SECONDS: '2',
      MEDIA_MAX_PACE: String(SPEED),
      MAX_CALL_MINUTES: '0',
    });
    const result = await rig.call({ realTimeFactor: SPEED });

    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    expect(result.callerTurnsSpoken).toBe(2);
    expect(responseInstructions(rig)).toEqual([
      undefined,
      undefined,
      SILENCE_AND_LENGTH_INSTRUCTIONS.stillThere,
      undefined, // the answer was heard: after the business name is saved, the next question
      SILENCE_AND_LENGTH_INSTRUCTIONS.stillThere, // asked again, not the goodbye: the answer started the count anew
      SILENCE_AND_LENGTH_INSTRUCTIONS.callerSilent,
    ]);
    expect(await storedEnding(rig, result.callSid)).toEqual({ kind: 'caller-silent', goodbyeHeard: true });
    expect((await latestVoiceApplication(rig))?.fields).toMatchObject({
      permitType: 'mobile_food_unit',
      businessName: 'Taco Loco',
    });
  }, 90_000);
});

describe('a call that reaches its length limit', () => {
  it('when the call reaches MAX_CALL_MINUTES, then the agent wraps up at the next quiet moment, saying the answers are kept, and the call ends with every answer in the draft', async () => {
    // 0.15 minutes (9 s): the scripted conversation takes about 4 s at four times real time, so the limit falls while
    // the caller is thinking over the last question. Silence is off so that only the limit can end this call.
    rig = await startVoiceRig('call-too-long', {}, undefined, {
      CALLER_SILENCE_SECONDS: '0',
      MAX_CALL_MINUTES: '0.15',
      MEDIA_MAX_PACE: String(SPEED),
    });
    const result = await rig.call({ realTimeFactor: SPEED });

    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    expect(result.callerTurnsSpoken).toBe(2);
    expect(result.clears).toEqual([]);
    expect(responseInstructions(rig).at(-1)).toBe(SILENCE_AND_LENGTH_INSTRUCTIONS.callTooLong);
    expect(responseInstructions(rig).filter((i) => i !== undefined)).toHaveLength(1);
    expect(result.agentAudioMsUnplayed).toBe(0);
    expect(result.connectActionTwiml).toMatch(SAVED_ANSWERS_GOODBYE);
    expect(await storedEnding(rig, result.callSid)).toEqual({ kind: 'call-too-long', goodbyeHeard: true });
    const application = await latestVoiceApplication(rig);
    expect(application?.status).toBe('draft');
    expect(application?.fields).toMatchObject({ permitType: 'mobile_food_unit', businessName: 'Taco Loco' });
  }, 90_000);
});
