import { afterEach, describe, expect, it } from 'vitest';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The model ends a session at a fixed age (session.created's expires_at; 60
 * minutes for the real API). A call that long moves to a fresh session
 * shortly before, between turns, with the saved answers in its
 * instructions; nothing is lost and nothing is said about it. Here sessions
 * announce a 4-second life and are renewed 3.5 s before it ends, so right
 * after the greeting. (The simulator starts its script again on a new
 * session, so the caller only says their first line to it.)
 */

let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function instructionsOn(r: VoiceRig, connection: number): string {
  const update = r.model.received.find((e) => e.connection === connection && e.type === 'session.update');
  const instructions = (update?.event as { session?: { instructions?: unknown } } | undefined)?.session?.instructions;
  return typeof instructions === 'string' ? instructions : '';
}

describe('renewing the model session before its time limit', () => {
  it('when a call outlives its session, then it moves to a new one between turns, told to carry on quietly, and the caller goes on talking to it', async () => {
    // Renewal is due at once, so it happens as soon as the greeting has been heard; the caller then answers the new session.
    rig = await startVoiceRig('happy-path', { sessionLifetimeSeconds: 4 }, undefined, {
      MODEL_SESSION_RENEW_BEFORE_MS: '3500',
    });
    const r = rig;

    const result = await r.call({ realTimeFactor: 2, hangUpAfterTurn: 0, timeoutMs: 30_000 });

    expect(result.endedBy).toBe('caller');
    expect(result.errors).toEqual([]);
    expect(r.model.connections).toBeGreaterThanOrEqual(2);
    expect(instructionsOn(r, 2)).toContain('continues a call already in progress');
    // Each new session is due for renewal at once too, so the caller's line is spread over the renewed ones.
    expect(
      r.model.received.filter((e) => e.connection > 1 && e.type === 'input_audio_buffer.append').length,
    ).toBeGreaterThan(10);
    // Renewal sends no response.create: a new session waits for the caller.
    expect(r.model.received.some((e) => e.connection > 1 && e.type === 'response.create')).toBe(false);
    expect(r.service.log.text).toContain('model session renewed');
    expect(r.service.log.text).not.toContain('model lost mid-call');
    await waitUntil(() => r.model.openConnections === 0, 'no model socket is left open');
  }, 60_000);
});
