/**
 * Traces for one process, started by the composition root (docs/adr/0007-tracing.md). Code elsewhere speaks only
 * @opentelemetry/api (src/ops/spans.ts); with OTEL_TRACES_EXPORTER=none (the default) the SDK is not even loaded,
 * and that API stays its no-op.
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
  /** Sends what is still queued (for at most a couple of seconds) and gives the process's tracing back. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { active: false, shutdown: () => Promise.resolve() };

export async function startTracing(
  settings: TraceSettings,
  warn: (message: string) => void = () => undefined,
): Promise<Tracing> {
  if (settings.traces.exporter === 'none') return OFF;
  const { startSdk } = await import('./tracing-sdk.ts');
  return startSdk(settings, warn);
}
