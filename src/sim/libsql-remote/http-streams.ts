import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { EngineStream, toHranaError, type EngineSettings } from './engine-stream.ts';
import { HranaRequestError, type PipelineRequest, type StreamResponse } from './hrana-messages.ts';

type PipelineResult =
  | { type: 'ok'; response: StreamResponse | { type: 'close' } }
  | { type: 'error'; error: { message: string; code?: string } };

export interface PipelineResponse {
  readonly baton: string | null;
  readonly base_url: null;
  readonly results: PipelineResult[];
}

interface HttpStream {
  readonly id: number;
  readonly engine: EngineStream;
  baton: string;
  busy: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * The HTTP side's streams. HTTP has no connection to hold a stream, so each response hands the client a
 * baton good for exactly one next request on that stream; a stream not continued within the idle timeout is
 * closed (its open transaction rolled back), as Turso does.
 */
export class HttpStreams {
  readonly #settings: EngineSettings;
  readonly #idleTimeoutMs: number;
  readonly #log: Logger;
  readonly #streams = new Map<number, HttpStream>();
  #nextId = 1;

  constructor(settings: EngineSettings, idleTimeoutMs: number, log: Logger) {
    this.#settings = settings;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#log = log;
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  async pipeline(body: PipelineRequest): Promise<PipelineResponse> {
    const stream = body.baton == null ? this.#open() : this.#continue(body.baton);
    stream.busy = true;
    const results: PipelineResult[] = [];
    let closed = false;
    try {
      for (const request of body.requests) {
        if (closed) {
          results.push({
            type: 'error',
            error: { message: 'The stream was closed earlier in this pipeline', code: 'STREAM_CLOSED' },
          });
          continue;
        }
        if (request.type === 'close') {
          closed = true;
          results.push({ type: 'ok', response: { type: 'close' } });
          continue;
        }
        try {
          results.push({ type: 'ok', response: await stream.engine.handle(request) });
        } catch (error) {
          results.push({ type: 'error', error: toHranaError(error) });
        }
      }
    } finally {
      stream.busy = false;
    }
    if (closed) {
      await this.#close(stream, 'closed by the client');
      return { baton: null, base_url: null, results };
    }
    stream.baton = newBaton(stream.id);
    this.#armIdleTimer(stream);
    return { baton: stream.baton, base_url: null, results };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#streams.values()].map((stream) => this.#close(stream, 'stand-in closing')));
  }

  #open(): HttpStream {
    const stream: HttpStream = {
      id: this.#nextId++,
      engine: new EngineStream(this.#settings),
      baton: '',
      busy: false,
      idleTimer: undefined,
    };
    this.#streams.set(stream.id, stream);
    return stream;
  }

  #continue(baton: string): HttpStream {
    const stream = this.#streams.get(Number(baton.split('.')[0]));
    if (stream === undefined)
      throw new HranaRequestError(
        'The stream this baton belongs to is closed or has expired after being idle; open a new stream (a transaction left open on it was rolled back)',
        'STREAM_EXPIRED',
      );
    if (stream.busy || stream.baton !== baton)
      throw new HranaRequestError(
        'This baton was already used or was never issued: each response carries the baton for the next request on its stream',
        'BATON_INVALID',
      );
    clearTimeout(stream.idleTimer);
    stream.baton = '';
    return stream;
  }

  #armIdleTimer(stream: HttpStream): void {
    clearTimeout(stream.idleTimer);
    stream.idleTimer = setTimeout(() => {
      const rolledBack = !stream.engine.isAutocommit;
      this.#log.info({ stream: stream.id, rolledBack }, 'idle HTTP stream expired');
      void this.#close(stream, 'idle');
    }, this.#idleTimeoutMs);
    stream.idleTimer.unref();
  }

  async #close(stream: HttpStream, why: string): Promise<void> {
    clearTimeout(stream.idleTimer);
    if (this.#streams.get(stream.id) !== stream) return;
    this.#streams.delete(stream.id);
    this.#log.debug({ stream: stream.id, why }, 'HTTP stream closed');
    await stream.engine.close();
  }
}

function newBaton(streamId: number): string {
  return `${streamId}.${randomBytes(12).toString('base64url')}`;
}
