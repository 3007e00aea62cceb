import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerCall, MediaSocket, newCallSid } from '../support/media-socket.ts';
import { waitUntil } from '../support/wait.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { OPENAI_TEST_KEY, startSecondInstance, startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * Traces of a phone call end to end: the call simulator plays Twilio, the realtime simulator the model, and the
 * service exports OTLP/HTTP to a collector stand-in on a real port (docs/adr/0007-tracing.md for the design the
 * parent/child assertions follow).
 */

const SERVICE_NAME = 'permitline-trace-test';
const SERVER = 2; // OTLP's SPAN_KIND_SERVER
const CLIENT = 3; // OTLP's SPAN_KIND_CLIENT

let receiver: OtlpReceiver;
let rig: VoiceRig;
const callSid = `CA${'7'.repeat(32)}`;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  rig = await startVoiceRig('happy-path', { transcriptionDelayMs: 300 }, OPENAI_TEST_KEY, {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_SERVICE_NAME: SERVICE_NAME,
    // The summary text is sent (to the local Twilio stand-in), so its spans are checked for personal data too.
    SMS_WORKER: 'true',
  });
  const result = await rig.call({ callSid, realTimeFactor: 4 });
  if (result.endedBy !== 'service')
    throw new Error(
      `call ended by ${result.endedBy}: ${JSON.stringify(result.errors)}\n${rig.service.log.text.slice(-3000)}`,
    );
  // A form page asked with personal data in its query string: its span must keep only the route.
  const page = await fetch(`${rig.service.url}/apply?contactPhone=${encodeURIComponent(rig.scenario.callerNumber)}`);
  expect(page.status).toBe(200);
  // Spans leave in batches from a timer: wait for the call's last one.
  await waitUntil(
    () => named('call').length === 1 && named('GET /apply').length === 1 && named('sms outbox attempt').length === 1,
    'the call span, the form page span and the summary text attempt reached the collector',
    20_000,
  );
}, 180_000);

afterAll(async () => {
  await rig.close();
  await receiver.close();
});

function named(name: string): ReceivedSpan[] {
  return receiver.spans.filter((s) => s.name === name);
}

function only(name: string): ReceivedSpan {
  const spans = named(name);
  if (spans.length !== 1) throw new Error(`expected one ${name} span, got ${spans.length}: ${spanList()}`);
  return spans[0] as ReceivedSpan;
}

/** The voice webhook's span and the call span of `sid`. */
function webhookAndCall(sid: string): { webhook: ReceivedSpan; call: ReceivedSpan } {
  const ofCall = (name: string) =>
    receiver.spans.filter((s) => s.name === name && s.attributes['twilio.call_sid'] === sid);
  const [webhook, ...moreWebhooks] = ofCall('POST /twilio/voice');
  const [call, ...moreCalls] = ofCall('call');
  if (webhook === undefined || call === undefined || moreWebhooks.length + moreCalls.length > 0)
    throw new Error(`expected one voice webhook span and one call span for ${sid}: ${spanList()}`);
  return { webhook, call };
}

function spanList(): string {
  return receiver.spans.map((s) => `${s.name}(${s.spanId}<-${s.parentSpanId ?? 'root'})`).join(', ');
}

/** Every value the caller gave: the number they called from, each answer the model saved, each thing they said. */
function personalValues(): string[] {
  const values = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 3) values.add(value);
    else if (Array.isArray(value)) value.forEach(add);
  };
  const phone = rig.scenario.callerNumber;
  add(phone);
  add(phone.replace(/^\+1/, ''));
  add(phone.slice(-7));
  for (const turn of rig.scenario.turns) {
    if (turn.speaker === 'caller') add(turn.say);
    else for (const output of turn.outputs) if ('arguments' in output) Object.values(output.arguments).forEach(add);
  }
  return [...values];
}

describe('traces of a phone call', () => {
  it('when a call is answered and completed, then the webhook, call, model connect, tool and submit spans form one trace, parent to child', () => {
    const { webhook, call } = webhookAndCall(callSid);
    expect(webhook).toMatchObject({ kind: SERVER, serviceName: SERVICE_NAME });
    expect(webhook.attributes).toMatchObject({ 'http.route': '/twilio/voice', 'http.response.status_code': 200 });

    // The call span's parent is the webhook span, read back from the call's row when the stream started.
    expect(call).toMatchObject({ traceId: webhook.traceId, parentSpanId: webhook.spanId, kind: SERVER });
    expect(call.attributes).toMatchObject({
      'twilio.call_sid': callSid,
      'permitline.call.outcome': 'submitted',
      'permitline.call.ending': 'agent-finished',
    });

    // The model session opened early, while the webhook was being answered: the webhook's child.
    const connects = named('model connect');
    expect(connects.length).toBeGreaterThanOrEqual(1);
    expect(connects[0]).toMatchObject({ traceId: webhook.traceId, parentSpanId: webhook.spanId });
    expect(connects[0]?.attributes['permitline.model.open']).toBe('early');

    // Each tool call is the call's child; its writes are the tool's children.
    const tools = receiver.spans.filter((s) => s.name.startsWith('tool '));
    expect(tools.map((s) => s.attributes['permitline.tool.name']).sort()).toEqual(
      [...Array<string>(7).fill('update_application'), 'get_application', 'submit_application', 'end_call'].sort(),
    );
    for (const tool of tools) {
      expect(tool).toMatchObject({ traceId: webhook.traceId, parentSpanId: call.spanId });
      expect(tool.attributes['permitline.tool.result']).toBe('ok');
      expect(tool.attributes['permitline.tool.problems']).toBe(0);
    }
    const submitTool = only('tool submit_application');
    expect(only('submit transaction')).toMatchObject({ traceId: webhook.traceId, parentSpanId: submitTool.spanId });
    const updateIds = new Set(named('tool update_application').map((s) => s.spanId));
    const draftUpdates = named('draft update');
    expect(draftUpdates).toHaveLength(7);
    for (const update of draftUpdates) {
      expect(update.traceId).toBe(webhook.traceId);
      expect(updateIds.has(update.parentSpanId ?? '')).toBe(true);
    }
    // The call's Twilio callbacks are spans of their own, with the CallSid (Twilio does not send a trace context).
    expect(
      receiver.spans.some((s) => s.name === 'POST /twilio/voice/status' && s.attributes['twilio.call_sid'] === callSid),
    ).toBe(true);
  });

  it('when the summary text is sent, then the outbox attempt and its Twilio request are spans with ids only', () => {
    const attempt = only('sms outbox attempt');
    expect(attempt.attributes).toMatchObject({ 'permitline.sms.kind': 'summary', 'permitline.sms.outcome': 'sent' });
    const request = only('twilio messages.create');
    expect(request).toMatchObject({ traceId: attempt.traceId, parentSpanId: attempt.spanId, kind: CLIENT });
    expect(String(request.attributes['twilio.message_sid'])).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('when a page is asked for with a query string, then its span is named by the route and carries no query', () => {
    const page = only('GET /apply');
    expect(page.attributes['http.route']).toBe('/apply');
    expect(JSON.stringify(page)).not.toContain('contactPhone');
  });

  it('when spans are exported, then no personal value of the call appears anywhere in what the collector received', () => {
    const received = receiver.bodies.join('\n');
    expect(received.length).toBeGreaterThan(0);
    const values = personalValues();
    expect(values).toContain('Rosa Delgado');
    expect(values.filter((value) => received.includes(value))).toEqual([]);
    expect(received).not.toContain('?');
  });

  it('when a tool runs, then its log line carries the trace and span id of its span, and the call lines the CallSid', () => {
    const lines = rig.service.log.text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const submitLine = lines.find((l) => l.msg === 'tool call' && l.tool === 'submit_application');
    const submitTool = only('tool submit_application');
    expect(submitLine).toMatchObject({
      trace_id: submitTool.traceId,
      span_id: submitTool.spanId,
      callSid,
      result: 'ok',
      problems: 0,
    });
    // Written from a socket callback, outside any active span: the call's logger names the call span.
    const { call } = webhookAndCall(callSid);
    expect(lines.find((l) => l.msg === 'call ended')).toMatchObject({
      trace_id: call.traceId,
      span_id: call.spanId,
      callSid,
    });
  });
});

describe('a stream that lands on another instance', () => {
  it('when one instance answers the webhook and the stream starts on another, then the call span there is still the webhook span child', async () => {
    // A second service over the same database, in this process: it reports through the first one's SDK.
    const other = await startSecondInstance(rig, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    });
    try {
      const sid = newCallSid();
      const { token } = await answerCall(rig.service.url, sid);
      const socket = await MediaSocket.start(other.url, sid, token ?? '');
      socket.sendSilence(5);
      await waitUntil(() => other.callOrchestrator.liveCalls === 1, 'the other instance bridged the stream');
      await socket.hangUp();
      await waitUntil(
        () => receiver.spans.some((s) => s.name === 'call' && s.attributes['twilio.call_sid'] === sid),
        'the other instance call span reached the collector',
        20_000,
      );
      const { webhook, call } = webhookAndCall(sid);
      expect(call).toMatchObject({ traceId: webhook.traceId, parentSpanId: webhook.spanId });
      expect(call.attributes).toMatchObject({
        'permitline.call.ending': 'caller-hung-up',
        'permitline.call.outcome': 'abandoned',
      });
      // That instance had nothing prepared: it opened the model session as the stream started, inside the call.
      const connect = receiver.spans.find((s) => s.name === 'model connect' && s.parentSpanId === call.spanId);
      expect(connect?.attributes['permitline.model.open']).toBe('at-stream');
      expect(other.log.text).toContain('tracing is already started in this process');
    } finally {
      await other.close();
    }
  }, 60_000);
});
