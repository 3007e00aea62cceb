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
 * the service ends the call (never a timeout), no model socket is left open,
 * and nothing throws: vitest fails the run on any unhandled rejection.
 *
 * In half the runs the model comes back: the reconnect succeeds, the new
 * session takes up the script where the lost one was (as a model told the
 * conversation so far would, repeating the question in progress), the caller
 * answers what they hear, and the call must end submitted. In the other half
 * the model stays down (the reconnect is refused) and the call must go on in
 * the keypad IVR, unless it was already submitted.
 */

const RUNS = 50;
const SEED = 20_261_125;
// Fast enough for 50 calls in about a minute; the happy path still submits at this speed.
const SPEED = 80;
const CIRCUIT_RESET_MS = 50;
// Caller lines in the happy path; after a reconnect the caller repeats at most the answer the lost session missed.
const CALLER_LINES = 8;
// A happy-path call at this speed sends about 2,700 frames to the model.
const MAX_FRAMES_BEFORE_CUT = 3_000;
// Wall-clock limits here only catch a hang: none is tight enough for a slow or busy machine to change an outcome.
// (The simulated phone's clock pauses while the process is starved, so audio timing does not depend on it either.)
const CALL_TIMEOUT_MS = 120_000;
const MODEL_CONNECT_TIMEOUT_MS = 30_000;
const SETTLE_WAIT_MS = 30_000;
const TEST_TIMEOUT_MS = 20 * 60_000;

let rig: VoiceRig;
let run = 0;
// How many runs cut a live call, and how many of those had answers saved at the cut: the property must bite.
let cuts = 0;
let cutsWithAnswers = 0;
let reconnected = 0;
let toIvr = 0;

beforeAll(async () => {
  // A refused reconnect opens the model circuit; a short reset lets the next run's call try the model again.
  rig = await startVoiceRig(
    'happy-path',
    { audioChunkIntervalMs: 1, carryScriptAcrossSessions: true },
    OPENAI_TEST_KEY,
    // Only a refusal may open the circuit, never a connect slowed by a busy machine.
    { MODEL_CIRCUIT_RESET_MS: String(CIRCUIT_RESET_MS), MODEL_CONNECT_TIMEOUT_MS: String(MODEL_CONNECT_TIMEOUT_MS) },
  );
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
  return applicationId === undefined
    ? undefined
    : (await new ApplicationRepository(rig.service.db, keys).find(applicationId))?.status;
}

const framesReceivedOn = (connection: number) =>
  rig.model.received.filter((e) => e.connection === connection && e.type === 'input_audio_buffer.append').length;

describe('chaos: the model socket cut at random points of a call', () => {
  it(
    `when the cut comes anywhere in the call (${RUNS} seeded runs), then no saved answer is lost, the call ends reconnected or in the keypad IVR, and no socket is left`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: MAX_FRAMES_BEFORE_CUT }),
          fc.boolean(),
          async (framesBeforeCut, modelComesBack) => {
            run += 1;
            const callSid = `CA${run.toString(16).padStart(32, '0')}`;
            // A caller of their own, so no run resumes another's draft.
            const scenario = { ...rig.scenario, callerNumber: `+1312555${String(100 + (run % 100)).padStart(4, '0')}` };
            const firstConnection = rig.model.connections + 1;
            // An object, not a let: the flag is set in a callback, which narrowing cannot see.
            const progress = { ended: false };
            rig.model.rewindScript();
            const call = rig
              .call({ scenario, callSid, realTimeFactor: SPEED, timeoutMs: CALL_TIMEOUT_MS })
              .finally(() => {
                progress.ended = true;
              });

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
            await waitUntil(
              () => rig.service.callOrchestrator.modelAvailable,
              'the model circuit lets the next call try',
              SETTLE_WAIT_MS,
            );

            expect(result.endedBy, `ended by ${result.endedBy}: ${result.errors.join('; ')}`).toBe('service');
            expect(await answersOf(callSid)).toMatchObject(before);
            const status = await statusOf(callSid);
            if (!cut || modelComesBack) {
              expect(status, `cut after ${framesBeforeCut} frames, model came back`).toBe('submitted');
              // The agent carried on from where it was: the caller did not have to start over.
              expect(result.callerTurnsSpoken, 'caller lines spoken').toBeLessThanOrEqual(CALLER_LINES + 1);
              if (cut && rig.model.connections > firstConnection) reconnected += 1;
            } else if (status !== 'submitted') {
              // The model gone for good before the submit: the keypad IVR carries on with the draft.
              expect(result.connectActionTwiml).toContain(
                `<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`,
              );
              toIvr += 1;
            }
            await waitUntil(() => rig.model.openConnections === 0, 'no model socket is left open', SETTLE_WAIT_MS);
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      const bite = `${cuts} of ${RUNS} runs cut a live call, ${cutsWithAnswers} after answers were saved; ${reconnected} reconnected, ${toIvr} went on in the IVR`;
      expect(cuts, bite).toBeGreaterThanOrEqual(RUNS * 0.6);
      expect(cutsWithAnswers, bite).toBeGreaterThanOrEqual(RUNS * 0.3);
      expect(reconnected, bite).toBeGreaterThanOrEqual(RUNS * 0.2);
      expect(toIvr, bite).toBeGreaterThanOrEqual(RUNS * 0.2);
    },
    TEST_TIMEOUT_MS,
  );
});
