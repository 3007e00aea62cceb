import { z } from 'zod';

/**
 * The OpenAI Realtime (GA) server events the call bridge acts on, validated
 * at the edge. Every other event type is ignored, never an error: the API
 * adds events over time. Shapes are loose (extra fields pass) because only
 * the fields named here are read.
 */

const usageDetails = z.looseObject({
  text_tokens: z.number().optional(),
  audio_tokens: z.number().optional(),
  cached_tokens: z.number().optional(),
  cached_tokens_details: z
    .looseObject({ text_tokens: z.number().optional(), audio_tokens: z.number().optional() })
    .optional(),
});

export const responseUsageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  input_token_details: usageDetails.optional(),
  output_token_details: usageDetails.optional(),
});

export type ResponseUsage = z.infer<typeof responseUsageSchema>;

/** Transcription is billed on its own: by tokens, or for some models by duration. */
export const transcriptionUsageSchema = z.looseObject({
  type: z.string().optional(),
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  seconds: z.number().optional(),
});

export type TranscriptionUsage = z.infer<typeof transcriptionUsageSchema>;

const conversationItem = z.looseObject({ id: z.string(), type: z.string(), role: z.string().optional() });

export const realtimeServerEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('session.created'), session: z.looseObject({ expires_at: z.number().optional() }) }),
  z.looseObject({ type: z.literal('session.updated') }),
  z.looseObject({
    type: z.literal('input_audio_buffer.speech_started'),
    item_id: z.string(),
    audio_start_ms: z.number(),
  }),
  z.looseObject({
    type: z.literal('input_audio_buffer.speech_stopped'),
    item_id: z.string(),
    audio_end_ms: z.number(),
  }),
  z.looseObject({
    type: z.literal('input_audio_buffer.committed'),
    item_id: z.string(),
    previous_item_id: z.string().nullish(),
  }),
  z.looseObject({
    type: z.literal('conversation.item.added'),
    item: conversationItem,
    previous_item_id: z.string().nullish(),
  }),
  z.looseObject({
    type: z.literal('conversation.item.input_audio_transcription.completed'),
    item_id: z.string(),
    transcript: z.string(),
    usage: transcriptionUsageSchema.optional(),
  }),
  z.looseObject({ type: z.literal('response.created'), response: z.looseObject({ id: z.string() }) }),
  z.looseObject({ type: z.literal('response.output_item.added'), response_id: z.string(), item: conversationItem }),
  z.looseObject({
    type: z.literal('response.output_audio.delta'),
    response_id: z.string(),
    item_id: z.string(),
    delta: z.string(),
  }),
  z.looseObject({
    type: z.literal('response.output_audio_transcript.done'),
    item_id: z.string(),
    transcript: z.string(),
  }),
  z.looseObject({
    type: z.literal('response.function_call_arguments.done'),
    call_id: z.string(),
    name: z.string(),
    arguments: z.string(),
    item_id: z.string().optional(),
  }),
  z.looseObject({
    type: z.literal('response.done'),
    response: z.looseObject({
      id: z.string().optional(),
      status: z.string().optional(),
      usage: responseUsageSchema.nullish(),
    }),
  }),
  z.looseObject({
    type: z.literal('error'),
    error: z.looseObject({
      type: z.string().optional(),
      code: z.string().nullish(),
      message: z.string(),
      event_id: z.string().nullish(),
    }),
  }),
]);

export type RealtimeServerEvent = z.infer<typeof realtimeServerEventSchema>;

const HANDLED: ReadonlySet<string> = new Set(
  realtimeServerEventSchema.options.map((option) => option.shape.type.value),
);

export type ParsedServerEvent =
  | { readonly kind: 'event'; readonly event: RealtimeServerEvent }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed'; readonly type: string; readonly reason: string };

/**
 * Every event is validated; the audio deltas, ten a second per call, first
 * try a hand check that accepts exactly what the schema accepts and hands
 * anything else to it (the property test in
 * test/unit/realtime-server-events-fast-path.test.ts compares the two).
 */
export function parseRealtimeServerEvent(value: unknown): ParsedServerEvent {
  const delta = readAudioDelta(value);
  return delta === undefined ? parseRealtimeServerEventFully(value) : { kind: 'event', event: delta };
}

type AudioDelta = Extract<RealtimeServerEvent, { type: 'response.output_audio.delta' }>;
const AUDIO_DELTA = 'response.output_audio.delta';

/**
 * What the looseObject schema makes of a well-formed delta: a new object, its
 * own keys first in the schema's order, then every other enumerable key as
 * given, except `__proto__`, which zod drops rather than assign through.
 */
function readAudioDelta(value: unknown): AudioDelta | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const { type, response_id, item_id, delta } = fields;
  if (type !== AUDIO_DELTA || typeof response_id !== 'string' || typeof item_id !== 'string') return undefined;
  if (typeof delta !== 'string') return undefined;
  const event: AudioDelta = { type: AUDIO_DELTA, response_id, item_id, delta };
  // for…in, as zod walks the extra keys, so an inherited enumerable key is copied the same way.
  for (const key in fields) {
    if (key !== 'type' && key !== 'response_id' && key !== 'item_id' && key !== 'delta' && key !== '__proto__')
      event[key] = fields[key];
  }
  return event;
}

/** The event through the zod union alone: what parseRealtimeServerEvent answers, the slow way. */
export function parseRealtimeServerEventFully(value: unknown): ParsedServerEvent {
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  if (typeof type !== 'string' || !HANDLED.has(type)) return { kind: 'ignored' };
  const parsed = realtimeServerEventSchema.safeParse(value);
  return parsed.success
    ? { kind: 'event', event: parsed.data }
    : { kind: 'malformed', type, reason: parsed.error.issues[0]?.message ?? 'invalid' };
}

/** API errors after which the session cannot go on (RealtimeSessionError.fatal). */
export const FATAL_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_api_key',
  'insufficient_quota',
  'session_expired',
  'model_not_found',
]);
