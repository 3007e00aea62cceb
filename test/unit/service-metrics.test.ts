import { describe, expect, it } from 'vitest';
import { AgentLatency } from '../../src/call/agent-latency.ts';
import { CallMetrics } from '../../src/call/call-metrics.ts';
import { bearerCheck } from '../../src/ops/metrics-endpoint.ts';
import { ServiceMetrics, smsFailureCodeLabel } from '../../src/ops/service-metrics.ts';
import { SmsMetrics } from '../../src/sms/sms-metrics.ts';
import { routeLabel } from '../../src/web/request-metrics.ts';
import { signedWebhookOf } from '../../src/web/twilio-signature.ts';
import { parseExposition, valueOf } from '../support/metrics.ts';

/** The small pieces behind /metrics: each keeps its labels to a closed set, whatever it is given. */

async function scrapeOf(metrics: ServiceMetrics) {
  return parseExposition(await metrics.registry.metrics());
}

describe('agent response latency', () => {
  it('when the caller stops and the agent answers, then one latency is measured from the stop to the first agent frame', () => {
    const latency = new AgentLatency();
    latency.callerStopped(1_000);
    expect(latency.agentAudioSent(1_640)).toBe(640);
    // The rest of that answer's frames measure nothing.
    expect(latency.agentAudioSent(1_740)).toBe(-1);
    expect(latency.agentAudioSent(1_840)).toBe(-1);
    expect(latency.measuredMs).toEqual([640]);
  });

  it('when the agent speaks first (the greeting, or after a reconnect), then nothing is measured', () => {
    const latency = new AgentLatency();
    expect(latency.agentAudioSent(100)).toBe(-1);
    expect(latency.measuredMs).toEqual([]);
  });

  it('when the caller starts again before the agent answered, then the wait restarts at their last stop', () => {
    const latency = new AgentLatency();
    latency.callerStopped(1_000);
    latency.callerStarted();
    expect(latency.agentAudioSent(1_200)).toBe(-1);
    latency.callerStopped(3_000);
    expect(latency.agentAudioSent(3_250)).toBe(250);
    latency.callerStopped(5_000);
    expect(latency.agentAudioSent(6_100)).toBe(1_100);
    expect(latency.measuredMs).toEqual([250, 1_100]);
  });
});

describe('route labels', () => {
  const request = (route: unknown, baseUrl: string, originalUrl: string) =>
    routeLabel({ route, baseUrl, originalUrl } as Parameters<typeof routeLabel>[0]);

  it('when a route answered, then the label is its pattern with its mount path, not the URL asked for', () => {
    expect(request({ path: '/apply/resume/:token' }, '', '/apply/resume/abc.def?x=1')).toBe('/apply/resume/:token');
    expect(request({ path: '/calls/:callSid' }, '/staff', '/staff/calls/CA0123')).toBe('/staff/calls/:callSid');
  });

  it('when no route answered, then the label is unmatched, or /static for a static file', () => {
    expect(request(undefined, '', '/wp-login.php')).toBe('unmatched');
    expect(request(undefined, '', '/CA0123456789abcdef0123456789abcdef')).toBe('unmatched');
    expect(request(undefined, '', '/static/form.css')).toBe('/static');
    expect(request({ path: /regex/ }, '', '/regex')).toBe('unmatched');
  });
});

describe('SMS failure codes', () => {
  it('when Twilio reports a code we know, then it is its own label; any other code is other; none without one', () => {
    expect(smsFailureCodeLabel(21610)).toBe('21610');
    expect(smsFailureCodeLabel(30003)).toBe('30003');
    expect(smsFailureCodeLabel(30008)).toBe('other');
    expect(smsFailureCodeLabel(1)).toBe('other');
    expect(smsFailureCodeLabel(undefined)).toBe('none');
  });

  it('when texts fail with a thousand different codes, then the failure series stay the fixed few', async () => {
    const metrics = new ServiceMetrics({ defaultMetrics: false });
    const sms = new SmsMetrics(metrics);
    for (let code = 40_000; code < 41_000; code++) sms.final('undelivered', code);
    sms.final('failed', 21211);
    sms.final('gave-up');
    sms.final('delivered');
    sms.queued('web-link');

    const samples = await scrapeOf(metrics);
    const failureSeries = samples.filter((s) => s.name === 'permitline_sms_failures_total');
    expect(failureSeries.map((s) => s.labels.code).sort()).toEqual(
      ['21211', '21610', '21614', '30003', '30005', 'none', 'other'].sort(),
    );
    expect(valueOf(samples, 'permitline_sms_failures_total', { code: 'other' })).toBe(1_000);
    expect(valueOf(samples, 'permitline_sms_failures_total', { code: '21211' })).toBe(1);
    expect(valueOf(samples, 'permitline_sms_failures_total', { code: 'none' })).toBe(1);
    expect(valueOf(samples, 'permitline_sms_final_total', { status: 'undelivered' })).toBe(1_000);
    expect(valueOf(samples, 'permitline_sms_final_total', { status: 'gave-up' })).toBe(1);
    expect(valueOf(samples, 'permitline_sms_final_total', { status: 'delivered' })).toBe(1);
    expect(valueOf(samples, 'permitline_sms_queued_total', { kind: 'web-link' })).toBe(1);
  });
});

describe('tool calls', () => {
  it('when the model calls a tool we do not have, then it counts as other, never under its own name', async () => {
    const metrics = new ServiceMetrics({ defaultMetrics: false });
    const calls = new CallMetrics(metrics, { realtime: 'gpt-realtime', transcription: 'gpt-4o-transcribe' });
    calls.toolRan('delete_everything_+12125550199', 'invalid');
    calls.toolRan('update_application', 'failed');

    const samples = await scrapeOf(metrics);
    const tools = new Set(samples.filter((s) => s.name === 'permitline_tool_calls_total').map((s) => s.labels.tool));
    expect([...tools].sort()).toEqual([
      'end_call',
      'get_application',
      'other',
      'submit_application',
      'transfer_to_person',
      'update_application',
    ]);
    expect(valueOf(samples, 'permitline_tool_calls_total', { tool: 'other', result: 'invalid' })).toBe(1);
    expect(valueOf(samples, 'permitline_tool_calls_total', { tool: 'update_application', result: 'failed' })).toBe(1);
  });

  it('when a call ends, then its usage is counted under the model that billed it', async () => {
    const metrics = new ServiceMetrics({ defaultMetrics: false });
    const calls = new CallMetrics(metrics, { realtime: 'gpt-realtime', transcription: 'gpt-4o-transcribe' });
    const totals = {
      text_in: 10,
      text_cached: 0,
      text_out: 5,
      audio_in: 100,
      audio_cached: 20,
      audio_out: 300,
      transcription_in: 40,
      transcription_out: 8,
      transcription_seconds: 12,
    };
    calls.usage(totals, 0.5, 0.1);

    const samples = await scrapeOf(metrics);
    expect(valueOf(samples, 'permitline_model_tokens_total', { model: 'gpt-realtime', kind: 'audio_out' })).toBe(300);
    expect(
      valueOf(samples, 'permitline_model_tokens_total', { model: 'gpt-4o-transcribe', kind: 'transcription_in' }),
    ).toBe(40);
    expect(valueOf(samples, 'permitline_model_cost_usd_total', { model: 'gpt-realtime' })).toBeCloseTo(0.4);
    expect(valueOf(samples, 'permitline_model_cost_usd_total', { model: 'gpt-4o-transcribe' })).toBeCloseTo(0.1);
  });
});

describe('the scrape token and webhook names', () => {
  it('when a token is set, then only "Bearer <token>" passes; without one, every scrape passes', () => {
    const check = bearerCheck('s3cret-metrics-token');
    expect(check('Bearer s3cret-metrics-token')).toBe(true);
    expect(check('bearer s3cret-metrics-token')).toBe(true);
    expect(check(undefined)).toBe(false);
    expect(check('')).toBe(false);
    expect(check('Bearer ')).toBe(false);
    expect(check('Bearer s3cret-metrics-tokeN')).toBe(false);
    expect(check('Basic s3cret-metrics-token')).toBe(false);
    expect(check('s3cret-metrics-token')).toBe(false);
    expect(bearerCheck(undefined)(undefined)).toBe(true);
  });

  it("when a signature is refused, then the webhook is named from its path, Twilio's webhooks only", () => {
    expect(signedWebhookOf('/twilio/voice')).toBe('voice');
    expect(signedWebhookOf('/twilio/voice/status')).toBe('call-status');
    expect(signedWebhookOf('/twilio/voice/stream-status')).toBe('call-status');
    expect(signedWebhookOf('/twilio/voice/after-stream')).toBe('connect-action');
    expect(signedWebhookOf('/twilio/ivr/step/permit-type')).toBe('ivr');
    expect(signedWebhookOf('/twilio/sms')).toBe('sms');
    expect(signedWebhookOf('/twilio/sms/status')).toBe('sms-status');
  });
});
