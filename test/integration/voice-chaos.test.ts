import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { OPENAI_TEST_KEY, PUBLIC_BASE_URL, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { pause, waitUntil } from '../support/wait.ts';

/**
 * Chaos: the model's socket is cut at a random point of the happy-path call
 * (after a random number of caller audio frames reached it), 50 seeded runs.
 * In every run every answer saved before the cut is still there at the end,
 * the call ends (by the caller or by the service, never by a timeout), no
 * model socket is left open, and nothing throws: vitest fails the run on any
 * unhandled rejection.
 *
 * In half the runs the model comes back (the reconnect succeeds), in the
 * other half it stays down (the reconnect is refused) and the call must go on
 * in the keypad IVR. The realtime simulator replays its scenario from the
 * start on a new session, so a reconnected call does not reach "submitted"
 * here (the caller hangs up after their last line); voice-reconnect.test.ts
 * checks that the new session is told the saved answers.
 */

const RUNS = 50;
const SEED = 20_261_125;
// Fast enough for 50 calls in about a minute; the happy path still submits at this speed.
const SPEED = 80;
const LAST_CALLER_TURN = 7;
const CIRCUIT_RESET_MS = 50;
// A happy-path call at this speed sends about 2,700 frames to the model.
const MAX_FRAMES_BEFORE_CUT = 3_000;

let rig: VoiceRig;
let run = 0;
// How many runs cut a live call, and how many of those had answers saved at the cut: the property must bite.
let cuts = 0;
let cutsWithAnswers = 0;
let reconnected = 0;
let toIvr = 0;

beforeAll(async () => {
  // A refused reconnect opens the model circuit; a short reset lets the next run's call try the model again.
  rig = await startVoiceRig('happy-path', { audioChunkIntervalMs: 1 }, OPENAI_TEST_KEY, { MODEL_CIRCUIT_RESET_MS: String(CIRCUIT_RESET_MS) });
});
afterAll(async () => {
  await rig.close();
});

async function answersOf(callSid: string): Promise<Record<string, unknown>> {
  const keys = new FieldCipher(testDataKeys());
  const applicationId = (await new CallRepository(rig.service.db, keys).find(callSid))?.applicationId;
  if (applicationId === undefined) return {};
  return { ...(await new ApplicationRepository(rig.service.db, keys).find(applicationId))?.fields };
}

async function statusOf(callSid: string): Promise<string | undefined> {
  const keys = new FieldCipher(testDataKeys());
  const applicationId = (await new CallRepository(rig.service.db, keys).find(callSid))?.applicationId;
  return applicationId === undefined ? undefined : (await new ApplicationRepository(rig.service.db, keys).find(applicationId))?.status;
}

const framesReceivedOn = (connection: number) => rig.model.received.filter((e) => e.connection === connection && e.type === 'input_audio_buffer.append').length;

describe('chaos: the model socket cut at random points of a call', () => {
  it(`when the cut comes anywhere in the call (${RUNS} seeded runs), then no saved answer is lost, the call ends reconnected or in the keypad IVR, and no socket is left`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: MAX_FRAMES_BEFORE_CUT }), fc.boolean(), async (framesBeforeCut, modelComesBack) => {
        run += 1;
        const callSid = `CA${run.toString(16).padStart(32, '0')}`;
        // A caller of their own, so no run resumes another's draft.
        const scenario = { ...rig.scenario, callerNumber: `+1312555${String(100 + (run % 100)).padStart(4, '0')}` };
        const firstConnection = rig.model.connections + 1;
        // An object, not a let: the flag is set in a callback, which narrowing cannot see.
        const progress = { ended: false };
        const call = rig.call({ scenario, callSid, realTimeFactor: SPEED, hangUpAfterTurn: LAST_CALLER_TURN, timeoutMs: 30_000 }).finally(() => { progress.ended = true; });

        let before: Record<string, unknown> = {};
        let cut = false;
        while (!progress.ended && framesReceivedOn(firstConnection) < framesBeforeCut) await pause(1);
        if (!progress.ended) {
          before = await answersOf(callSid);
          // The model either accepts the reconnect or refuses it (as if it were still down).
          if (!modelComesBack) rig.model.setApiKey('the-model-is-still-down');
          rig.model.dropConnection(firstConnection);
          cut = true;
          cuts += 1;
          if (Object.keys(before).length > 0) cutsWithAnswers += 1;
        }
        const result = await call;
        rig.model.setApiKey(OPENAI_TEST_KEY);
        await waitUntil(() => rig.service.voiceCalls.modelAvailable, 'the model circuit lets the next call try', CIRCUIT_RESET_MS * 20);

        expect(result.endedBy === 'caller' || result.endedBy === 'service', `ended by ${result.endedBy}: ${result.errors.join('; ')}`).toBe(true);
        expect(await answersOf(callSid)).toMatchObject(before);
        if (cut && result.endedBy === 'service') {
          // Not submitted, and the model gone for good: the keypad IVR carries on with the draft.
          if ((await statusOf(callSid)) !== 'submitted') {
            expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
            toIvr += 1;
          }
        }
        if (cut && modelComesBack && rig.model.connections > firstConnection) reconnected += 1;
        await waitUntil(() => rig.model.openConnections === 0, 'no model socket is left open');
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const bite = `${cuts} of ${RUNS} runs cut a live call, ${cutsWithAnswers} after answers were saved; ${reconnected} reconnected, ${toIvr} went on in the IVR`;
    expect(cuts, bite).toBeGreaterThanOrEqual(RUNS * 0.6);
    expect(cutsWithAnswers, bite).toBeGreaterThanOrEqual(RUNS * 0.3);
    expect(reconnected, bite).toBeGreaterThanOrEqual(RUNS * 0.2);
    expect(toIvr, bite).toBeGreaterThanOrEqual(RUNS * 0.2);
  }, 300_000);
});
