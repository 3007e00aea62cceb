import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { markTracing } from './spans.ts';

/**
 * The OpenTelemetry SDK for one process, started by the composition root
 * (docs/adr/0007-tracing.md). Code elsewhere only speaks @opentelemetry/api
 * (src/ops/spans.ts): with no SDK started, that API is a no-op and costs next to nothing.
 */

/** What config.telemetry says about traces (src/config/config.ts), as ops sees it. */
export interface TraceSettings {
  readonly serviceName: string;
  readonly traces: {
    readonly exporter: 'none' | 'otlp' | 'console';
    readonly otlpTracesUrl: string;
    readonly sampler: string;
    readonly samplerArg: number | undefined;
  };
}

export interface Tracing {
  /** Whether this handle started the SDK (false: exporter none, or another service in this process has it). */
  readonly active: boolean;
  /** Sends what is still queued (bounded by SHUTDOWN_LIMIT_MS) and gives the process's tracing back. */
  shutdown(): Promise<void>;
}

/**
 * The exporter never holds a call up: spans wait in a bounded queue and leave in batches from a timer, a batch
 * gives up after EXPORT_TIMEOUT_MS, and when the collector is away the queue drops the newest spans instead of
 * growing.
 */
export const BATCH_LIMITS = {
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 2_000,
  exportTimeoutMillis: 3_000,
} as const;
const EXPORT_TIMEOUT_MS = 3_000;
// A stop waits at most this long for the last batch; a dead collector never delays a deploy.
const SHUTDOWN_LIMIT_MS = 2_000;

const OFF: Tracing = { active: false, shutdown: () => Promise.resolve() };

// The API's tracer provider, context manager and propagator are process globals: one SDK at a time.
let running: NodeSDK | undefined;

export function startTracing(settings: TraceSettings, warn: (message: string) => void = () => undefined): Tracing {
  const exporter = spanExporter(settings.traces);
  if (exporter === undefined) return OFF;
  if (running !== undefined) {
    warn('tracing is already started in this process: this service reports through the first one');
    return OFF;
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    autoDetectResources: false,
    sampler: sampler(settings.traces.sampler, settings.traces.samplerArg),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...BATCH_LIMITS })],
    textMapPropagator: new W3CTraceContextPropagator(),
    // Traces only: without these the SDK would read OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER and start exporters
    // of its own (metrics are prom-client's, logs are pino's).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  running = sdk;
  markTracing(true);
  let stopped: Promise<void> | undefined;
  return {
    active: true,
    shutdown() {
      stopped ??= stop(sdk);
      return stopped;
    },
  };
}

async function stop(sdk: NodeSDK): Promise<void> {
  markTracing(false);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_LIMIT_MS);
  });
  await Promise.race([sdk.shutdown().catch(() => undefined), limit]);
  clearTimeout(timer);
  // Given back, so a later service in this process (a test file starting several) can start its own.
  trace.disable();
  context.disable();
  propagation.disable();
  running = undefined;
}

/** The exporter config asks for; undefined for none. Exported for its unit test. */
export function spanExporter(traces: TraceSettings['traces']): SpanExporter | undefined {
  switch (traces.exporter) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      // OTLP/HTTP with JSON bodies; at most one batch in flight, so a slow collector cannot pile up requests.
      return new OTLPTraceExporter({
        url: traces.otlpTracesUrl,
        timeoutMillis: EXPORT_TIMEOUT_MS,
        concurrencyLimit: 1,
      });
  }
}

/** OTEL_TRACES_SAMPLER and its argument, as the specification names them. Exported for its unit test. */
export function sampler(name: string, arg: number | undefined): Sampler {
  const ratio = arg ?? 1;
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
