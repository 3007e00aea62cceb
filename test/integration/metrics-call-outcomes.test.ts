import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, scrape, valueOf, type Sample } from '../support/metrics.ts';
import { eventually } from '../support/wait.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * The call counters off the happy path, each over a real simulated call: a
 * barge-in, an answer the tools refuse, a model that refuses us. The metrics
 * listener here has no token (METRICS_PORT alone, on loopback).
 */
let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function scrapeOf(r: VoiceRig): Promise<Sample[]> {
  const { status, body } = await scrape(r.service.metricsUrl ?? '');
  expect(status).toBe(200);
  return parseExposition(body);
}

/** Counters move as the call ends; the scrape is read once its outcome is counted. */
async function afterTheCall(r: VoiceRig): Promise<Sample[]> {
  let samples: Sample[] = [];
  await eventually(
    async () => {
      samples = await scrapeOf(r);
      return samples.some((s) => s.name === 'permitline_calls_total' && s.value > 0);
    },
    'the call has an outcome',
    10_000,
  );
  return samples;
}

describe('call metrics off the happy path', () => {
  it('when the caller talks over the agent and then stops without a submit, then one barge-in and one abandoned call are counted', async () => {
    rig = await startVoiceRig('barge-in', {}, undefined, { METRICS_PORT: '0' });
    const result = await rig.call({ realTimeFactor: 1 });
    expect(result.clears).toHaveLength(1);

    const samples = await afterTheCall(rig);
    expect(valueOf(samples, 'permitline_barge_ins_total')).toBe(1);
    expect(valueOf(samples, 'permitline_calls_total', { outcome: 'abandoned' })).toBe(1);
    expect(valueOf(samples, 'permitline_calls_total', { outcome: 'submitted' })).toBe(0);
    expect(valueOf(samples, 'permitline_tool_calls_total', { tool: 'end_call', result: 'ok' })).toBe(1);
    expect(valueOf(samples, 'permitline_calls_live')).toBe(0);
  }, 90_000);

  it('when the caller gives a date that does not exist, then that tool call counts as invalid and the corrected one as ok', async () => {
    rig = await startVoiceRig('invalid-date', {}, undefined, { METRICS_PORT: '0' });
    await rig.call({ realTimeFactor: 2 });

    const samples = await afterTheCall(rig);
    const refused = rig.model
      .toolOutputs()
      .filter((o) => ((JSON.parse(o.output) as { problems?: string[] }).problems ?? []).length > 0).length;
    expect(refused).toBe(1);
    expect(valueOf(samples, 'permitline_tool_calls_total', { tool: 'update_application', result: 'invalid' })).toBe(
      refused,
    );
    expect(
      valueOf(samples, 'permitline_tool_calls_total', { tool: 'update_application', result: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'permitline_tool_calls_total', { tool: 'update_application', result: 'failed' })).toBe(0);
  }, 90_000);

  it('when the model refuses the connection, then the call counts as an IVR fallback, not as answered by the model', async () => {
    rig = await startVoiceRig('happy-path', {}, 'revoked-key', { METRICS_PORT: '0' });
    await rig.call({ realTimeFactor: 2, timeoutMs: 20_000 });

    const samples = await afterTheCall(rig);
    expect(valueOf(samples, 'permitline_calls_arrived_total')).toBe(1);
    expect(valueOf(samples, 'permitline_calls_answered_total', { path: 'model' })).toBe(0);
    expect(valueOf(samples, 'permitline_calls_total', { outcome: 'ivr_fallback' })).toBe(1);
    expect(valueOf(samples, 'permitline_agent_response_seconds_count')).toBe(0);
    // A refused key opens the model circuit at once (model-circuit.ts): the next calls go to the IVR.
    expect(valueOf(samples, 'permitline_model_circuit_open')).toBe(1);
  }, 60_000);
});
