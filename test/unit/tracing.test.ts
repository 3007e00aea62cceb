import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.ts';
import { activeTraceparent, contextFromTraceparent, inSpan, tracer, tracingIsOn } from '../../src/ops/spans.ts';
import { sampler, spanExporter, startTracing, type TraceSettings, type Tracing } from '../../src/ops/tracing.ts';
import { CapturedLog, testConfig } from '../support/service.ts';

// Nothing listens on port 9 (discard) here: exports fail at once, which these tests never wait for.
const NOWHERE = 'http://127.0.0.1:9/v1/traces';

function settings(env: Record<string, string>): TraceSettings {
  return testConfig(env).telemetry;
}

const started: Tracing[] = [];
function start(env: Record<string, string>, warn?: (message: string) => void): Tracing {
  const tracing = startTracing(settings(env), warn);
  started.push(tracing);
  return tracing;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.shutdown()));
});

const OTLP = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: NOWHERE };

describe('tracing settings', () => {
  it('when no exporter is named, then no SDK starts and every span is the no-op', () => {
    const tracing = start({});
    expect(tracing.active).toBe(false);
    expect(tracingIsOn()).toBe(false);
    expect(tracer().startSpan('nothing').isRecording()).toBe(false);
  });

  it('when each exporter is named, then the matching span exporter is built', () => {
    expect(spanExporter(settings({}).traces)).toBeUndefined();
    expect(spanExporter(settings({ OTEL_TRACES_EXPORTER: 'console' }).traces)).toBeInstanceOf(ConsoleSpanExporter);
    expect(spanExporter(settings(OTLP).traces)).toBeInstanceOf(OTLPTraceExporter);
  });

  it('when a sampler and its ratio are set, then the SDK samples that way', () => {
    const from = (env: Record<string, string>) => {
      const { sampler: name, samplerArg } = settings(env).traces;
      return sampler(name, samplerArg).toString();
    };
    expect(from({})).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(from({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe('AlwaysOffSampler');
    expect(from({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toBe(
      'TraceIdRatioBased{0.25}',
    );
    expect(from({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })).toMatch(
      /^ParentBased\{root=TraceIdRatioBased\{0.1\}/,
    );
  });
});

describe('one SDK per process', () => {
  it('when a second service starts tracing while one has it, then it is told so and the first keeps it; after a stop a new one can start', async () => {
    const first = start(OTLP);
    expect(first.active).toBe(true);
    expect(tracer().startSpan('recorded').isRecording()).toBe(true);
    const warnings: string[] = [];
    const second = start(OTLP, (message) => warnings.push(message));
    expect(second.active).toBe(false);
    expect(warnings).toHaveLength(1);

    await first.shutdown();
    expect(tracingIsOn()).toBe(false);
    expect(tracer().startSpan('after stop').isRecording()).toBe(false);
    const third = start(OTLP);
    expect(third.active).toBe(true);
    expect(tracer().startSpan('again').isRecording()).toBe(true);
  });
});

describe('trace context and log lines', () => {
  it('when a traceparent is stored and read back, then a span started from it is in the same trace', async () => {
    start(OTLP);
    const { stored, traceId } = await inSpan('webhook', {}, (span) => ({
      stored: activeTraceparent(),
      traceId: span.spanContext().traceId,
    }));
    expect(stored).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const child = tracer().startSpan('call', {}, contextFromTraceparent(stored));
    expect(child.spanContext().traceId).toBe(traceId);
    expect(activeTraceparent()).toBeUndefined(); // no active span out here
  });

  it('when a line is written inside a span, then it carries that span ids; outside any span it carries none', async () => {
    start(OTLP);
    const out = new CapturedLog();
    const logger = createLogger('info', out).child({ callSid: `CA${'2'.repeat(32)}` });
    const ids = await inSpan('tool update_application', {}, (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    logger.info('outside');
    const [inside, outside] = out.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside?.msg).toBe('outside');
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('when tracing is off, then lines carry no trace fields even inside a span', async () => {
    start({});
    const out = new CapturedLog();
    const logger = createLogger('info', out);
    await inSpan('untraced', {}, () => {
      logger.info('inside');
    });
    expect(out.text).toContain('"msg":"inside"');
    expect(out.text).not.toContain('trace_id');
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
