import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import type { CallResult } from '../../src/sim/call-simulator.ts';
import { testDataKeys } from '../support/keys.ts';
import { PUBLIC_BASE_URL, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { eventually, waitUntil } from '../support/wait.ts';

/**
 * The model's socket is cut mid-call (a network failure, a crashed model
 * server): the service opens a new session once, tells it where the
 * application stands, and the agent carries on; if no new session can be
 * had, the call ends politely with every answer kept.
 */

let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function draftOf(r: VoiceRig): Promise<Record<string, unknown>> {
  const ids = await r.service.db.execute("SELECT id FROM applications WHERE channel = 'voice'");
  const id = ids.rows[0]?.id;
  if (typeof id !== 'string') return {};
  const application = await new ApplicationRepository(r.service.db, new FieldCipher(testDataKeys())).find(id);
  return { status: application?.status, ...application?.fields };
}

function instructionsSentOn(r: VoiceRig, connection: number): string {
  const update = r.model.received.find((e) => e.connection === connection && e.type === 'session.update');
  const instructions = (update?.event as { session?: { instructions?: unknown } } | undefined)?.session?.instructions;
  return typeof instructions === 'string' ? instructions : '';
}

/** A call whose first answers are saved, then the model lost by `lose()`, with any new session refused. */
async function losingTheModelForGood(r: VoiceRig, lose: () => void): Promise<CallResult> {
  const call = r.call({ realTimeFactor: 4 });
  await eventually(async () => (await draftOf(r)).businessName === 'Taco Loco', 'the first answers are saved', 30_000);
  r.model.setApiKey('a-key-the-service-does-not-have');
  lose();
  return call;
}

describe('the model lost mid-call', () => {
  it('when the model socket is cut after the first answers, then a new session is told the saved answers and the agent carries on', async () => {
    rig = await startVoiceRig('happy-path');
    const r = rig;
    const call = r.call({ realTimeFactor: 4, hangUpAfterTurn: 3 });
    await eventually(
      async () => (await draftOf(r)).businessName === 'Taco Loco',
      'the first answers are saved',
      30_000,
    );

    r.model.dropConnection(1);
    const result = await call;

    expect(r.model.connections).toBe(2);
    const instructions = instructionsSentOn(r, 2);
    expect(instructions).toContain('dropped for a moment');
    expect(instructions).toContain('Taco Loco');
    expect(r.model.received.some((e) => e.connection === 2 && e.type === 'response.create')).toBe(true);
    expect(
      r.model.received.filter((e) => e.connection === 2 && e.type === 'input_audio_buffer.append').length,
    ).toBeGreaterThan(10);
    expect(result.endedBy).toBe('caller');
    expect(result.errors).toEqual([]);
    expect(await draftOf(r)).toMatchObject({
      status: 'draft',
      applicantName: 'Rosa Delgado',
      businessName: 'Taco Loco',
    });
    await waitUntil(() => r.model.openConnections === 0, 'no model socket is left open');
    expect(r.service.log.text).toContain('model reconnected');
  }, 60_000);

  it('when the model refuses mid-call (its quota is used up) and a new session is refused too, then the call goes on in the keypad IVR with the answers kept', async () => {
    const r = (rig = await startVoiceRig('happy-path'));
    const result = await losingTheModelForGood(r, () => {
      r.model.refuseMidCall(1, 'insufficient_quota', 'You exceeded your current quota.');
    });

    expect(result.endedBy).toBe('service');
    expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    expect(r.model.refusedConnections).toBe(1);
    expect(await draftOf(r)).toMatchObject({ status: 'draft', businessName: 'Taco Loco' });
    expect(await r.service.callOrchestrator.endingOf(result.callSid)).toEqual({
      kind: 'model-lost',
      detail: 'model error insufficient_quota; reconnect failed',
    });
    await waitUntil(() => r.model.openConnections === 0, 'no model socket is left open');
  }, 60_000);

  it('when no new session can be had, then the call goes on in the keypad IVR with the answers kept', async () => {
    const r = (rig = await startVoiceRig('happy-path'));
    const result = await losingTheModelForGood(r, () => {
      r.model.dropConnection(1);
    });

    expect(result.endedBy).toBe('service');
    expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    expect(r.model.refusedConnections).toBe(1);
    expect(await draftOf(r)).toMatchObject({
      status: 'draft',
      applicantName: 'Rosa Delgado',
      businessName: 'Taco Loco',
    });
    expect(r.service.log.text).toContain('could not be reconnected');
  }, 60_000);
});
