import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { ModelUnavailableError } from './realtime-session.ts';

/**
 * A circuit breaker on opening model sessions. While the model keeps
 * failing, calls do not wait seconds for a connection that will not come:
 * the voice webhook sees `available` false and answers without the model.
 * A failure no retry can fix (the port's ModelUnavailableError with
 * `retryable` false: a revoked or wrong key, 401/403, or another 4xx) opens
 * the circuit at once. After `resetMs` one call is let through to try again.
 */

export interface ModelCircuitSettings {
  /** Failed opens (percent of the last `windowMs`) that open the circuit. */
  readonly errorThresholdPercent: number;
  /** Opens in the window before the percentage counts. */
  readonly volumeThreshold: number;
  readonly windowMs: number;
  readonly resetMs: number;
}

export class ModelCircuit {
  readonly #breaker: CircuitBreaker<[() => Promise<unknown>]>;
  readonly #log: Logger;

  constructor(settings: ModelCircuitSettings, logger: Logger) {
    this.#log = logger.child({ component: 'model-circuit' });
    this.#breaker = new CircuitBreaker((open: () => Promise<unknown>) => open(), {
      // The connect timeout is the session's own (MODEL_CONNECT_TIMEOUT_MS); the breaker only counts.
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercent,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.windowMs,
      resetTimeout: settings.resetMs,
    });
    this.#breaker.on('open', () => {
      this.#log.error('the realtime model keeps failing: circuit open, calls are answered without it');
    });
    this.#breaker.on('halfOpen', () => {
      this.#log.info('circuit half-open: the next call tries the model again');
    });
    this.#breaker.on('close', () => {
      this.#log.info('circuit closed: the realtime model is answering again');
    });
  }

  /** False while the circuit is open: a call should not try the model. Half-open lets one call through. */
  get available(): boolean {
    return !this.#breaker.opened;
  }

  async open<T>(openSession: () => Promise<T>): Promise<T> {
    try {
      return (await this.#breaker.fire(openSession)) as T;
    } catch (error) {
      if (error instanceof ModelUnavailableError && !error.retryable && !this.#breaker.opened) {
        this.#log.error(
          { upstreamStatus: error.upstreamStatus },
          'the realtime model refused us and retrying cannot help: circuit open at once; check OPENAI_API_KEY and the model name',
        );
        this.#breaker.open();
      }
      throw error;
    }
  }

  shutdown(): void {
    this.#breaker.shutdown();
  }
}
