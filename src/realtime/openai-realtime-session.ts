import { EventEmitter } from 'node:events';
import type { Agent } from 'node:https';
import type OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { Logger } from 'pino';
import { FATAL_ERROR_CODES, parseRealtimeServerEvent, type RealtimeServerEvent } from './realtime-server-events.ts';
import {
  ModelUnavailableError,
  type ItemRole,
  type RealtimeSession,
  type RealtimeSessionConfig,
  type RealtimeSessionEvents,
} from './realtime-session.ts';

/**
 * The model session over the openai package's realtime WebSocket client.
 * Audio stays mu-law end to end (audio/pcmu both ways), so frames pass
 * through untouched. Server events are validated, then each type goes to a
 * small handler that emits the port's events.
 *
 * Caller audio is the one event sent 50 times a second per call, so it skips
 * the client's JSON.stringify: the append is assembled around the payload and
 * written to the client's socket as one buffer (ws then frames and masks it
 * in a single write; a string would cost a second one). The payload is base64
 * checked at the Twilio edge, so it needs no escaping. Everything else goes
 * through the client as usual (docs/performance.md).
 */

export interface OpenRealtimeSessionOptions {
  readonly client: Pick<OpenAI, 'apiKey' | 'baseURL'>;
  readonly model: string;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  /** The process's shared TLS context and session cache for model sockets (createModelTransport). */
  readonly agent: Agent;
}

const MS_PER_SECOND = 1000;
// Normal closure: we are done with the session.
const CLOSE_NORMAL = 1000;
// The client's own serialization of { type: 'input_audio_buffer.append', audio }, split around the audio.
const APPEND_HEAD = '{"type":"input_audio_buffer.append","audio":"';
const APPEND_TAIL = '"}';

export async function openRealtimeSession(options: OpenRealtimeSessionOptions): Promise<RealtimeSession> {
  const rt = new OpenAIRealtimeWS(
    {
      model: options.model,
      // Audio does not compress: no permessage-deflate either way. The peer is the model API over TLS, trusted,
      // and every event is JSON-parsed and validated anyway, so ws's UTF-8 pass over each delta is skipped.
      options: { agent: options.agent, perMessageDeflate: false, skipUTF8Validation: true },
    },
    options.client,
  );
  const session = new OpenAIRealtimeSession(rt, options.logger);
  await session.opened(options.connectTimeoutMs);
  return session;
}

class OpenAIRealtimeSession extends EventEmitter<RealtimeSessionEvents> implements RealtimeSession {
  readonly #rt: OpenAIRealtimeWS;
  readonly #log: Logger;
  #open = false;
  #closing = false;
  #expiresAt: number | undefined;

  constructor(rt: OpenAIRealtimeWS, logger: Logger) {
    super();
    this.#rt = rt;
    this.#log = logger;
    // Without an 'error' listener the SDK turns API errors into unhandled rejections.
    rt.on('error', (error) => {
      const code = error.error?.code ?? undefined;
      const reported = {
        code,
        message: error.error?.message ?? error.message,
        fatal: code !== undefined && FATAL_ERROR_CODES.has(code),
      };
      // An EventEmitter 'error' with no listener throws; after the call has detached, a late error is only logged.
      if (this.listenerCount('error') > 0) this.emit('error', reported);
      else this.#log.debug({ code }, 'realtime error after the call ended');
    });
    rt.on('event', (event) => {
      this.#dispatch(event);
    });
    rt.socket.on('close', (code, reason) => {
      this.#open = false;
      this.emit('closed', code, reason.toString());
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  /** Resolves once the socket is open; rejects with the port's ModelUnavailableError otherwise. */
  opened(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#rt.socket.terminate();
        reject(new ModelUnavailableError(`the realtime model did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#rt.socket.once('open', () => {
        clearTimeout(timer);
        this.#open = true;
        resolve();
      });
      this.#rt.socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new ModelUnavailableError(`cannot reach the realtime model: ${error.message}`, { cause: error }));
      });
      // The upgrade answered with an HTTP error (401: bad key, 429: rate or quota, 5xx: down).
      this.#rt.socket.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(
          new ModelUnavailableError(`the realtime endpoint refused the connection with HTTP ${res.statusCode ?? '?'}`, {
            upstreamStatus: res.statusCode,
          }),
        );
      });
    });
  }

  configure(config: RealtimeSessionConfig): void {
    this.#send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: config.instructions,
        output_modalities: ['audio'],
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            noise_reduction: { type: 'near_field' },
            transcription: {
              model: config.transcription.model,
              language: config.transcription.language,
              prompt: config.transcription.prompt,
            },
            turn_detection: {
              type: 'server_vad',
              threshold: config.vad.threshold,
              prefix_padding_ms: config.vad.prefixMs,
              silence_duration_ms: config.vad.silenceMs,
              create_response: true,
              interrupt_response: true,
            },
          },
          output: { format: { type: 'audio/pcmu' }, voice: config.voice },
        },
        tools: config.tools.map((tool) => ({ ...tool })),
        tool_choice: 'auto',
      },
    });
  }

  appendAudio(base64Mulaw: string): void {
    if (!this.#open || this.#closing) return;
    this.#rt.socket.send(Buffer.from(APPEND_HEAD + base64Mulaw + APPEND_TAIL, 'latin1'), { binary: false });
  }

  createResponse(instructions?: string): void {
    this.#send(
      instructions === undefined
        ? { type: 'response.create' }
        : { type: 'response.create', response: { instructions } },
    );
  }

  cancelResponse(): void {
    this.#send({ type: 'response.cancel' });
  }

  truncate(itemId: string, audioEndMs: number): void {
    this.#send({
      type: 'conversation.item.truncate',
      item_id: itemId,
      content_index: 0,
      audio_end_ms: Math.max(0, Math.round(audioEndMs)),
    });
  }

  sendToolResult(callId: string, output: string): void {
    this.#send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#rt.close({ code: CLOSE_NORMAL, reason: 'call ended' });
  }

  #send(event: RealtimeClientEvent): void {
    if (!this.#open || this.#closing) return;
    this.#rt.send(event);
  }

  #dispatch(raw: unknown): void {
    const parsed = parseRealtimeServerEvent(raw);
    if (parsed.kind === 'ignored') return;
    if (parsed.kind === 'malformed') {
      this.#log.warn({ type: parsed.type, reason: parsed.reason }, 'realtime event with an unexpected shape ignored');
      return;
    }
    this.#handle(parsed.event);
  }

  #handle(event: RealtimeServerEvent): void {
    switch (event.type) {
      case 'session.created':
        if (event.session.expires_at !== undefined) this.#expiresAt = event.session.expires_at * MS_PER_SECOND;
        return;
      case 'session.updated':
        this.emit('ready');
        return;
      case 'input_audio_buffer.speech_started':
        this.emit('speechStarted', event.item_id, event.audio_start_ms);
        return;
      case 'input_audio_buffer.speech_stopped':
        this.emit('speechStopped', event.item_id, event.audio_end_ms);
        return;
      case 'input_audio_buffer.committed':
        this.emit('itemAdded', event.item_id, event.previous_item_id ?? undefined, 'caller');
        return;
      case 'conversation.item.added':
        this.emit('itemAdded', event.item.id, event.previous_item_id ?? undefined, roleOf(event.item));
        return;
      case 'response.output_item.added':
        this.emit('itemAdded', event.item.id, undefined, roleOf(event.item));
        return;
      case 'conversation.item.input_audio_transcription.completed':
        this.emit('callerTranscript', event.item_id, event.transcript);
        if (event.usage !== undefined) this.emit('transcriptionUsage', event.usage);
        return;
      case 'response.created':
        this.emit('responseStarted', event.response.id);
        return;
      case 'response.output_audio.delta':
        this.emit('audio', event.delta, event.item_id);
        return;
      case 'response.output_audio_transcript.done':
        this.emit('agentTranscript', event.item_id, event.transcript);
        return;
      case 'response.function_call_arguments.done':
        this.emit('functionCall', {
          callId: event.call_id,
          itemId: event.item_id,
          name: event.name,
          arguments: event.arguments,
        });
        return;
      case 'response.done':
        this.emit('responseDone', event.response.status ?? 'completed', event.response.usage ?? undefined);
        return;
      case 'error':
        // Handled by the SDK's 'error' listener above, which sees the same event.
        return;
    }
  }
}

function roleOf(item: { type: string; role?: string | undefined }): ItemRole {
  if (item.type === 'function_call' || item.type === 'function_call_output') return 'tool';
  return item.role === 'user' ? 'caller' : 'agent';
}
