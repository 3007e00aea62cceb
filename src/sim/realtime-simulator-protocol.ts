import { randomBytes } from 'node:crypto';
import type {
  RealtimeError,
  RealtimeResponse,
  RealtimeResponseUsage,
  RealtimeServerEvent,
  RealtimeSessionCreateRequest,
} from 'openai/resources/realtime/realtime';
import { z } from 'zod';

/**
 * The realtime simulator's side of the OpenAI Realtime (GA) wire: the client
 * events it understands (validated with zod), the session it reports, and the
 * token arithmetic behind `response.done.usage`. Pure; no sockets here.
 */

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A server event before it is stamped with its event_id. */
export type OutgoingEvent = DistributiveOmit<RealtimeServerEvent, 'event_id'>;

/** The session as the server reports it: the create request plus the server's own fields. */
export type SimulatedSession = RealtimeSessionCreateRequest & {
  readonly id: string;
  readonly object: 'realtime.session';
  readonly expires_at: number;
};

/** Sessions end after 60 minutes since GA. */
export const SESSION_LIFETIME_SECONDS = 60 * 60;
const MS_PER_SECOND = 1000;

const SERVER_VAD_DEFAULTS = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 500,
  idle_timeout_ms: null,
  create_response: true,
  interrupt_response: true,
} as const;

const SEMANTIC_VAD_DEFAULTS = {
  type: 'semantic_vad',
  eagerness: 'auto',
  create_response: true,
  interrupt_response: true,
} as const;

export function newId(prefix: 'event' | 'item' | 'resp' | 'call' | 'sess' | 'conv'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

export function defaultSession(
  model: string,
  nowMs: number,
  lifetimeSeconds = SESSION_LIFETIME_SECONDS,
): SimulatedSession {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: newId('sess'),
    model,
    expires_at: Math.floor(nowMs / MS_PER_SECOND) + lifetimeSeconds,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        noise_reduction: { type: 'near_field' },
        turn_detection: { ...SERVER_VAD_DEFAULTS },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
    },
  };
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Json, update: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(update)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/**
 * session.update as the server applies it: the given fields replace the old
 * ones (arrays and null replace, objects merge), and a new turn_detection is
 * completed with its type's defaults. The server-owned fields cannot change.
 */
export function mergeSession(current: SimulatedSession, update: Json): SimulatedSession {
  const merged = deepMerge({ ...current }, update);
  const audio = isPlainObject(update.audio) ? update.audio : undefined;
  const input = audio !== undefined && isPlainObject(audio.input) ? audio.input : undefined;
  const turnDetection = input?.turn_detection;
  if (isPlainObject(turnDetection) && isPlainObject(merged.audio) && isPlainObject(merged.audio.input)) {
    const defaults = turnDetection.type === 'semantic_vad' ? SEMANTIC_VAD_DEFAULTS : SERVER_VAD_DEFAULTS;
    merged.audio.input.turn_detection = { ...defaults, ...turnDetection };
  }
  // The client's fields are taken as sent, as the API echoes them; only the server's own fields are enforced.
  return {
    ...(merged as unknown as SimulatedSession),
    type: 'realtime',
    object: 'realtime.session',
    id: current.id,
    expires_at: current.expires_at,
  };
}

/** What the simulator's voice activity detection takes from the session. */
export interface TurnDetection {
  readonly enabled: boolean;
  readonly silenceDurationMs: number;
  readonly prefixPaddingMs: number;
  readonly createResponse: boolean;
  readonly interruptResponse: boolean;
}

/**
 * The simulator's detector measures energy, not the model's 0–1 speech
 * probability, so `threshold` is not used; semantic_vad is treated as
 * server_vad with the default timings.
 */
export function turnDetectionOf(session: SimulatedSession): TurnDetection {
  const detection = session.audio?.input?.turn_detection;
  if (detection === null || detection === undefined) {
    return {
      enabled: false,
      silenceDurationMs: SERVER_VAD_DEFAULTS.silence_duration_ms,
      prefixPaddingMs: 0,
      createResponse: false,
      interruptResponse: false,
    };
  }
  const serverVad = detection.type === 'server_vad' ? detection : undefined;
  return {
    enabled: true,
    silenceDurationMs: serverVad?.silence_duration_ms ?? SERVER_VAD_DEFAULTS.silence_duration_ms,
    prefixPaddingMs: serverVad?.prefix_padding_ms ?? SERVER_VAD_DEFAULTS.prefix_padding_ms,
    createResponse: detection.create_response !== false,
    interruptResponse: detection.interrupt_response !== false,
  };
}

// Client events, loose like the API: unknown extra fields are ignored.
const clientEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('session.update'), event_id: z.string().optional(), session: z.looseObject({}) }),
  z.looseObject({ type: z.literal('input_audio_buffer.append'), event_id: z.string().optional(), audio: z.base64() }),
  z.looseObject({ type: z.literal('input_audio_buffer.clear'), event_id: z.string().optional() }),
  z.looseObject({
    type: z.literal('response.create'),
    event_id: z.string().optional(),
    response: z.looseObject({ instructions: z.string().optional() }).optional(),
  }),
  z.looseObject({
    type: z.literal('response.cancel'),
    event_id: z.string().optional(),
    response_id: z.string().optional(),
  }),
  z.looseObject({
    type: z.literal('conversation.item.create'),
    event_id: z.string().optional(),
    previous_item_id: z.string().optional(),
    item: z.looseObject({
      type: z.string(),
      id: z.string().optional(),
      call_id: z.string().optional(),
      output: z.string().optional(),
    }),
  }),
  z.looseObject({
    type: z.literal('conversation.item.truncate'),
    event_id: z.string().optional(),
    item_id: z.string().min(1),
    content_index: z.number().int().min(0),
    audio_end_ms: z.number().int().min(0),
  }),
]);

export type SimulatorClientEvent = z.infer<typeof clientEventSchema>;

const HANDLED_TYPES: ReadonlySet<string> = new Set(clientEventSchema.options.map((option) => option.shape.type.value));

export type ParsedClientEvent =
  | { readonly kind: 'event'; readonly type: string; readonly json: unknown; readonly event: SimulatorClientEvent }
  | { readonly kind: 'rejected'; readonly type: string; readonly json: unknown; readonly error: RealtimeError };

/** Parses one text frame; a rejection carries the `error` the API would send back. */
export function parseClientEvent(text: string): ParsedClientEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      kind: 'rejected',
      type: '',
      json: undefined,
      error: invalidRequest('invalid_json', 'The message is not valid JSON.', null, null),
    };
  }
  const type = isPlainObject(json) && typeof json.type === 'string' ? json.type : '';
  const eventId = isPlainObject(json) && typeof json.event_id === 'string' ? json.event_id : null;
  if (!HANDLED_TYPES.has(type)) {
    const message =
      type === ''
        ? "Missing required parameter: 'type'."
        : `Invalid value: '${type.slice(0, 64)}'. The realtime simulator does not handle this event type.`;
    return { kind: 'rejected', type, json, error: invalidRequest('unknown_event', message, 'type', eventId) };
  }
  const parsed = clientEventSchema.safeParse(json);
  if (parsed.success) return { kind: 'event', type, json, event: parsed.data };
  const issue = parsed.error.issues[0];
  const param = issue === undefined ? null : issue.path.map(String).join('.');
  return {
    kind: 'rejected',
    type,
    json,
    error: invalidRequest(
      'invalid_value',
      `Invalid '${param ?? type}': ${issue?.message ?? 'invalid'}.`,
      param,
      eventId,
    ),
  };
}

export function invalidRequest(
  code: string,
  message: string,
  param: string | null,
  eventId: string | null,
): RealtimeError {
  return { type: 'invalid_request_error', code, message, param, event_id: eventId };
}

// Token estimates (docs/protocols.md, §2 Realtime: cost): ~10 audio tokens a second of caller
// speech in, ~20 a second of agent speech out, ~4 characters a text token.
const AUDIO_TOKENS_IN_PER_SECOND = 10;
const AUDIO_TOKENS_OUT_PER_SECOND = 20;
const CHARS_PER_TEXT_TOKEN = 4;

export function textTokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TEXT_TOKEN);
}

export function inputAudioTokens(ms: number): number {
  return Math.round((ms * AUDIO_TOKENS_IN_PER_SECOND) / MS_PER_SECOND);
}

export function outputAudioTokens(ms: number): number {
  return Math.round((ms * AUDIO_TOKENS_OUT_PER_SECOND) / MS_PER_SECOND);
}

export interface TokenCounts {
  readonly text: number;
  readonly audio: number;
}

/**
 * Every response re-sends the conversation; the part the previous response
 * already sent counts as cached, as prompt caching would serve it.
 */
export function responseUsage(
  input: TokenCounts,
  previousInput: TokenCounts,
  output: TokenCounts,
): RealtimeResponseUsage {
  const cached = {
    text_tokens: Math.min(input.text, previousInput.text),
    audio_tokens: Math.min(input.audio, previousInput.audio),
  };
  const inputTokens = input.text + input.audio;
  const outputTokens = output.text + output.audio;
  return {
    total_tokens: inputTokens + outputTokens,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    input_token_details: {
      text_tokens: input.text,
      audio_tokens: input.audio,
      image_tokens: 0,
      cached_tokens: cached.text_tokens + cached.audio_tokens,
      cached_tokens_details: { ...cached, image_tokens: 0 },
    },
    output_token_details: { text_tokens: output.text, audio_tokens: output.audio },
  };
}

/** The transcription of a committed caller utterance, billed like gpt-4o-transcribe (tokens). */
export function transcriptionCompleted(itemId: string, transcript: string, speechMs: number): OutgoingEvent {
  const audioTokens = inputAudioTokens(speechMs);
  const outputTokens = textTokens(transcript.length);
  return {
    type: 'conversation.item.input_audio_transcription.completed',
    item_id: itemId,
    content_index: 0,
    transcript,
    logprobs: null,
    usage: {
      type: 'tokens',
      input_tokens: audioTokens,
      output_tokens: outputTokens,
      total_tokens: audioTokens + outputTokens,
      input_token_details: { audio_tokens: audioTokens, text_tokens: 0 },
    },
  };
}

export type CancelReason = 'turn_detected' | 'client_cancelled';

export function statusDetails(
  status: 'completed' | 'cancelled' | 'failed',
  reason?: CancelReason,
): NonNullable<RealtimeResponse['status_details']> {
  if (status === 'failed')
    return {
      type: 'failed',
      error: { type: 'server_error', code: 'server_error', message: 'The simulator could not play this output.' },
    };
  return reason === undefined ? { type: status } : { type: status, reason };
}

/**
 * Splits a line into one transcript delta per audio chunk, word by word, so a
 * cancelled item's transcript ends about where its audio did. Some are ''.
 */
export function transcriptDeltas(text: string, chunks: number): string[] {
  const words = text.split(/(?<=\s)/);
  return Array.from({ length: chunks }, (_, chunk) =>
    words
      .slice(Math.round((words.length * chunk) / chunks), Math.round((words.length * (chunk + 1)) / chunks))
      .join(''),
  );
}
