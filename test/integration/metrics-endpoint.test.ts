import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectedFrame, startFrame } from '../../src/sim/twilio-stream-frames.ts';
import type { LoadedScenario } from '../../src/sim/scenario.ts';
import { parseExposition, scrape, valueOf, type Sample } from '../support/metrics.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { eventually } from '../support/wait.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * GET /metrics on its own listener, after a real simulated call: the call
 * simulator plays Twilio, the realtime simulator the model, and Prometheus is
 * this test reading the listener the service opened on a free port.
 */
const METRICS_TOKEN = 'test-metrics-token-of-some-length';
const CALL_SID = `CA${'7'.repeat(32)}`;
let rig: VoiceRig;
let metricsUrl: string;

beforeAll(async () => {
  rig = await startVoiceRig('happy-path', { transcriptionDelayMs: 300 }, undefined, {
    METRICS_PORT: '0',
    METRICS_TOKEN,
  });
  metricsUrl = rig.service.metricsUrl ?? '';
});
afterAll(async () => {
  await rig.close();
});

async function samples(): Promise<Sample[]> {
  const { status, body } = await scrape(metricsUrl, METRICS_TOKEN);
  expect(status).toBe(200);
  return parseExposition(body);
}

/** Caller turns the agent answers aloud (before the caller's next turn): each is one agent response latency. */
function answeredCallerTurns(scenario: LoadedScenario): number {
  let answered = 0;
  let waiting = false;
  for (const turn of scenario.turns) {
    if (turn.speaker === 'caller') waiting = true;
    else if (waiting && turn.outputs.some((output) => 'say' in output)) {
      answered += 1;
      waiting = false;
    }
  }
  return answered;
}

describe('the metrics listener', () => {
  it('when a simulated call submits, then the scrape shows it ended, its tools, one latency per answered turn and the summary text queued', async () => {
    const before = await samples();
    expect(valueOf(before, 'permitline_calls_total', { outcome: 'submitted' })).toBe(0);

    const result = await rig.call({ callSid: CALL_SID, realTimeFactor: 2 });
    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    // The call's usage and latencies are written just after it ends.
    await eventually(
      async () =>
        (
          await rig.service.db.execute({
            sql: 'SELECT agent_latencies_ms FROM calls WHERE call_sid = ?',
            args: [CALL_SID],
          })
        ).rows[0]?.agent_latencies_ms !== '[]',
      'the call has its latencies stored',
      10_000,
    );

    const after = await samples();
    const expectedLatencies = answeredCallerTurns(rig.scenario);
    expect(expectedLatencies).toBeGreaterThan(3);
    expect(valueOf(after, 'permitline_calls_live')).toBe(0);
    expect(valueOf(after, 'permitline_calls_arrived_total')).toBe(1);
    expect(valueOf(after, 'permitline_calls_answered_total', { path: 'model' })).toBe(1);
    expect(valueOf(after, 'permitline_calls_total', { outcome: 'submitted' })).toBe(1);
    expect(valueOf(after, 'permitline_calls_total', { outcome: 'ivr_fallback' })).toBe(0);
    expect(valueOf(after, 'permitline_calls_total', { outcome: 'transferred' })).toBe(0);
    expect(valueOf(after, 'permitline_call_duration_seconds_count')).toBe(1);
    expect(
      valueOf(after, 'permitline_tool_calls_total', { tool: 'update_application', result: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'permitline_tool_calls_total', { tool: 'submit_application', result: 'ok' })).toBe(1);
    expect(valueOf(after, 'permitline_tool_calls_total', { tool: 'end_call', result: 'ok' })).toBe(1);
    expect(valueOf(after, 'permitline_agent_response_seconds_count')).toBe(expectedLatencies);
    expect(valueOf(after, 'permitline_sms_queued_total', { kind: 'summary' })).toBe(1);
    expect(valueOf(after, 'permitline_outbox_pending')).toBe(1);
    expect(valueOf(after, 'permitline_ready')).toBe(1);
    expect(valueOf(after, 'permitline_model_circuit_open')).toBe(0);
    expect(
      valueOf(after, 'permitline_model_tokens_total', { model: 'gpt-realtime', kind: 'audio_out' }),
    ).toBeGreaterThan(0);
    expect(valueOf(after, 'permitline_model_cost_usd_total', { model: 'gpt-realtime' })).toBeGreaterThan(0);
    expect(valueOf(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    const [call] = (
      await rig.service.db.execute({ sql: 'SELECT agent_latencies_ms FROM calls WHERE call_sid = ?', args: [CALL_SID] })
    ).rows;
    const stored = JSON.parse(call?.agent_latencies_ms as string) as number[];
    expect(stored).toHaveLength(expectedLatencies);
    expect(stored.every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
  }, 120_000);

  it('when a scrape has no token or the wrong one, then it is 401 with a Bearer challenge; with the token, 200', async () => {
    const none = await scrape(metricsUrl);
    const wrong = await scrape(metricsUrl, 'not-the-metrics-token');
    const almost = await scrape(metricsUrl, `${METRICS_TOKEN}x`);
    const right = await scrape(metricsUrl, METRICS_TOKEN);

    expect([none.status, wrong.status, almost.status, right.status]).toEqual([401, 401, 401, 200]);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body).not.toContain('permitline_');
    expect(right.headers.get('content-type')).toContain('text/plain');
    expect(right.body).toContain('# TYPE permitline_calls_live gauge');
  });

  it('when /metrics is asked of the public port, or another path of the metrics port, then it is 404', async () => {
    const publicScrape = await fetch(`${rig.service.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const otherPath = await fetch(metricsUrl.replace(/\/metrics$/, '/health/live'), {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });

    expect(publicScrape.status).toBe(404);
    expect(await publicScrape.text()).not.toContain('permitline_');
    expect(otherPath.status).toBe(404);
    expect(new URL(metricsUrl).port).not.toBe(new URL(rig.service.url).port);
  });

  it('when requests come for invented URLs, forged webhooks and forged streams, then they count under bounded labels and no call SID or phone number is a label', async () => {
    const invented = ['/no/such/page/8f14e45fceea167a', '/apply/resume/eyJhbGciOi.secret-token-value', '/CA77777'];
    for (const path of invented) await fetch(`${rig.service.url}${path}`);
    const caller = rig.scenario.callerNumber;
    const forged = await postTwilioWebhook(
      { serviceUrl: rig.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
      '/twilio/voice',
      { CallSid: `CA${'8'.repeat(32)}`, From: caller, To: '+12125550100', CallStatus: 'ringing' },
      'forged',
    );
    expect(forged.status).toBe(403);
    expect((await openAndStart('forged.token')).code).toBe(1008);

    const { body } = await scrape(metricsUrl, METRICS_TOKEN);
    const all = parseExposition(body);
    const labelValues = all.flatMap((s) => Object.values(s.labels));
    const digitsOf = (phone: string) => phone.replace(/\D/g, '');
    for (const value of labelValues) {
      expect(value).not.toMatch(/CA[0-9a-f]{32}/i);
      expect(value).not.toContain(digitsOf(caller).slice(-7));
    }
    expect(body).not.toContain(CALL_SID);
    expect(body).not.toContain(digitsOf(caller).slice(-7));

    const routes = new Set(all.filter((s) => s.name === 'permitline_http_requests_total').map((s) => s.labels.route));
    for (const fragment of ['8f14e45fceea167a', 'secret-token-value', 'CA77777'])
      expect([...routes].filter((route) => route?.includes(fragment))).toEqual([]);
    expect(
      valueOf(all, 'permitline_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }),
    ).toBeGreaterThanOrEqual(invented.length);
    expect(
      valueOf(all, 'permitline_http_requests_total', { route: '/twilio/voice', method: 'POST', status: '200' }),
    ).toBe(1);
    expect(
      valueOf(all, 'permitline_http_request_duration_seconds_count', { route: '/twilio/voice', method: 'POST' }),
    ).toBeGreaterThanOrEqual(2);
    // Every route label is a pattern written in the code, whatever was asked.
    for (const route of routes)
      expect(route === 'unmatched' || route === '/static' || /^\/[\w/:-]*$/.test(route ?? '')).toBe(true);
    expect(routes.size).toBeLessThan(20);

    expect(valueOf(all, 'permitline_webhook_signature_failures_total', { webhook: 'voice' })).toBe(1);
    expect(valueOf(all, 'permitline_media_sockets_refused_total', { reason: 'bad-token' })).toBeGreaterThanOrEqual(1);
  });
});

async function openAndStart(token: string): Promise<{ code: number }> {
  const ws = new WebSocket(`${rig.service.url.replace('http', 'ws')}/twilio/media`);
  const done = new Promise<{ code: number }>((resolve) =>
    ws.on('close', (code) => {
      resolve({ code });
    }),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify(connectedFrame()));
  ws.send(
    JSON.stringify(
      startFrame(
        { accountSid: `AC${'0'.repeat(32)}`, streamSid: `MZ${'0'.repeat(32)}`, callSid: `CA${'9'.repeat(32)}` },
        1,
        { token },
      ),
    ),
  );
  return done;
}
