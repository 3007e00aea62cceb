import { z } from 'zod';

/**
 * Why a call left the AI call path, as data: the bridge says how the call
 * ended, and what the caller hears next (the <Connect action> TwiML) is
 * decided from that, never from a log message's wording.
 */

/** How the phone side ended on its own: the stream's end, as the media socket saw it. */
export type StreamEnding =
  /** Twilio's `stop`: the caller hung up (or Twilio ended the call). */
  | { readonly kind: 'caller-hung-up' }
  /** The socket closed, or failed, without a `stop`. */
  | { readonly kind: 'stream-lost'; readonly closeCode: number | undefined }
  /** A frame that is not Twilio's protocol: this call's socket is closed, no other. */
  | { readonly kind: 'protocol-violation'; readonly detail: string }
  /** Caller audio arrived faster than real time beyond the burst allowance (MEDIA_MAX_PACE, MEDIA_BURST_MS): closed. */
  | { readonly kind: 'media-flood' };

export type CallEnding =
  | StreamEnding
  /** The agent ended the call (end_call) and its goodbye was heard, or the wait for it ran out. */
  | { readonly kind: 'agent-finished'; readonly goodbyeHeard: boolean }
  /** The model could not be reached when the stream started, or was lost and could not be brought back. */
  | { readonly kind: 'model-lost'; readonly detail: string }
  /** A permit tool failed on our side (the database, say): what it was to save may not be saved. */
  | { readonly kind: 'tool-failed'; readonly tool: string }
  /** This instance is shutting down (after its drain time). */
  | { readonly kind: 'service-stopping' }
  /** The caller pressed 0 or asked for a person while the office was open: the <Connect action> dials the staff line. */
  | { readonly kind: 'transfer-to-staff' }
  /**
   * The caller said nothing for CALLER_SILENCE_SECONDS, was asked if they were still there, and said nothing again:
   * the agent said goodbye (their answers are kept). `goodbyeHeard` as for agent-finished.
   */
  | { readonly kind: 'caller-silent'; readonly goodbyeHeard: boolean }
  /** The call reached MAX_CALL_MINUTES: the agent wrapped up (the answers are kept, how to finish) and ended it. */
  | { readonly kind: 'call-too-long'; readonly goodbyeHeard: boolean };

export type CallEndingKind = CallEnding['kind'];

// The ending as the database keeps it (migration 012): read back on whichever instance Twilio's next request reaches.
const storedEnding = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('caller-hung-up') }),
  z.object({ kind: z.literal('stream-lost'), closeCode: z.number().int().optional() }),
  z.object({ kind: z.literal('protocol-violation'), detail: z.string() }),
  z.object({ kind: z.literal('media-flood') }),
  z.object({ kind: z.literal('agent-finished'), goodbyeHeard: z.boolean() }),
  z.object({ kind: z.literal('model-lost'), detail: z.string() }),
  z.object({ kind: z.literal('tool-failed'), tool: z.string() }),
  z.object({ kind: z.literal('service-stopping') }),
  z.object({ kind: z.literal('transfer-to-staff') }),
  z.object({ kind: z.literal('caller-silent'), goodbyeHeard: z.boolean() }),
  z.object({ kind: z.literal('call-too-long'), goodbyeHeard: z.boolean() }),
]);

export function encodeEnding(ending: CallEnding): string {
  return JSON.stringify(ending);
}

/** The stored ending, or undefined for none, and for text that is not one (a newer build's kind): the IVR then. */
export function decodeEnding(stored: string | undefined): CallEnding | undefined {
  if (stored === undefined) return undefined;
  try {
    const parsed = storedEnding.safeParse(JSON.parse(stored));
    if (!parsed.success) return undefined;
    // JSON leaves out a close code that was undefined; the type spells it out.
    const ending = parsed.data;
    return ending.kind === 'stream-lost' ? { kind: ending.kind, closeCode: ending.closeCode } : ending;
  } catch {
    return undefined;
  }
}

/**
 * What Twilio is told to do once the media stream is closed. `goodbye`: the
 * caller hears that their answers are saved and how to finish, then the call
 * ends; `trouble-goodbye` says it went wrong on our side first; `ivr`: the
 * caller is still there and the keypad IVR carries on with the draft;
 * `transfer`: the caller is put through to the staff line (if it is still
 * open), their answers kept for the person who answers.
 */
export type AfterStream = 'hang-up' | 'goodbye' | 'trouble-goodbye' | 'ivr' | 'transfer';

/**
 * `ending` is undefined when this instance did not see the call end (the
 * stream ran on another instance, or the ending was forgotten): the caller is
 * then best served by the IVR, which picks up the draft as it stands.
 */
export function afterStream(ending: CallEnding | undefined, submitted: boolean): AfterStream {
  // Asked for after a submit too: the caller may want a person to check what was sent.
  if (ending?.kind === 'transfer-to-staff') return 'transfer';
  if (submitted) return 'hang-up';
  switch (ending?.kind) {
    case 'agent-finished':
      // The caller chose to stop before submitting: do not ask them everything again.
      return 'goodbye';
    // The agent has already said its goodbye, but in the model's words, and perhaps not all of it was heard: the
    // <Say> is the department's own line (the web address, how long the answers wait), as after end_call. A silent
    // caller is not put in the IVR, which would only ask them the same questions into the same silence.
    case 'caller-silent':
    case 'call-too-long':
      return 'goodbye';
    case 'tool-failed':
      // Our storage failed: the keypad path would fail the same way.
      return 'trouble-goodbye';
    // Twilio does not ask after a hang-up; listed so that every ending has its answer.
    case 'caller-hung-up':
    case 'stream-lost':
    case 'protocol-violation':
    case 'media-flood':
    case 'model-lost':
    case 'service-stopping':
    case undefined:
      // The model failed or was lost, the stream broke or was closed (a flood: if Twilio itself ran ahead after a
      // stall longer than the burst, the caller is still there), or this instance is stopping (the redirect reaches
      // another one): if the caller is still on the line, the keypad path carries on with the draft.
      return 'ivr';
  }
}

/** How a call's AI path ended, in the operators' words (metrics, the call span). */
export type EndedCallOutcome = 'submitted' | 'ivr_fallback' | 'abandoned' | 'transferred';

/**
 * submitted, whatever came after; ivr_fallback when the keypad IVR carries the caller on (what the <Connect
 * action> answers, afterStream); abandoned when the caller hung up, or the call ended without a submit and
 * without the IVR (the agent said goodbye, the caller went silent, the call reached its length limit, or our
 * storage failed).
 */
export function callOutcome(ending: CallEnding, submitted: boolean): EndedCallOutcome {
  // Submitted first, as the staff console counts it (OUTCOME_SQL): a caller put through after submitting was served.
  if (submitted) return 'submitted';
  if (ending.kind === 'transfer-to-staff') return 'transferred';
  if (ending.kind === 'caller-hung-up') return 'abandoned';
  return afterStream(ending, false) === 'ivr' ? 'ivr_fallback' : 'abandoned';
}

/** A short text for the WebSocket close frame and the log (no personal data in any ending). */
export function describeEnding(ending: CallEnding): string {
  switch (ending.kind) {
    case 'caller-hung-up':
      return 'caller hung up';
    case 'stream-lost':
      return ending.closeCode === undefined ? 'media stream lost' : `media stream closed (${ending.closeCode})`;
    case 'protocol-violation':
      return `protocol violation: ${ending.detail}`;
    case 'media-flood':
      return 'caller audio faster than real time';
    case 'agent-finished':
      return ending.goodbyeHeard ? 'agent ended the call' : 'agent ended the call (goodbye not confirmed by marks)';
    case 'model-lost':
      return `model lost: ${ending.detail}`;
    case 'tool-failed':
      return `${ending.tool} failed`;
    case 'service-stopping':
      return 'service stopping';
    case 'transfer-to-staff':
      return 'caller put through to staff';
    case 'caller-silent':
      return ending.goodbyeHeard
        ? 'caller silent: agent said goodbye'
        : 'caller silent (goodbye not confirmed by marks)';
    case 'call-too-long':
      return ending.goodbyeHeard
        ? 'call length limit: agent wrapped up'
        : 'call length limit (goodbye not confirmed by marks)';
  }
}
