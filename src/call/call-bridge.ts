import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ToolOutcome } from '../intake/permit-tools.ts';
import { payloadDurationMs } from '../protocols/media-stream-messages.ts';
import type { ResponseUsage, TranscriptionUsage } from '../realtime/realtime-server-events.ts';
import type {
  FunctionCall,
  ItemRole,
  RealtimeSession,
  RealtimeSessionConfig,
  RealtimeSessionError,
} from '../realtime/realtime-session.ts';
import { AgentLatency } from './agent-latency.ts';
import { describeEnding, type CallEnding, type StreamEnding } from './call-ending.ts';
import { CallLengthLimit } from './call-length-limit.ts';
import { CallerSilence, NODE_TIMERS, type CallTimers, type SilenceStep } from './caller-silence.ts';
import { PlaybackTracker } from './playback-tracker.ts';
import type { TelephonyStream } from './telephony-stream.ts';

/**
 * One per call: protocol glue between the caller's media stream and the
 * model session. Audio passes through untouched both ways (mu-law); each
 * outbound chunk is followed by a mark so we know what was heard; barge-in
 * clears Twilio's buffer, cancels the response and truncates the model's
 * item at what the caller actually heard. Permit rules and storage are
 * reached only through the hooks it is given.
 */

/** A model session, and when it has taken its instructions (session.updated). */
export interface ReadySession {
  readonly session: RealtimeSession;
  readonly ready: Promise<void>;
}

export interface CallBridgeHooks {
  /** Runs one of the agent's tools; a rejection ends this call (and only this call). */
  runTool(call: FunctionCall): Promise<ToolOutcome>;
  /** Conversation bookkeeping: where an item sits and what was said. */
  itemAdded(itemId: string, previousItemId: string | undefined, role: ItemRole, offsetMs: number): void;
  callerStarted(itemId: string, offsetMs: number): void;
  said(itemId: string, role: 'caller' | 'agent', text: string, offsetMs: number): void;
  /** `itemId` is the function call's conversation item (its call id when the model gave none). */
  toolRan(itemId: string, summary: string, offsetMs: number): void;
  usage(usage: ResponseUsage): void;
  transcriptionUsage(usage: TranscriptionUsage): void;
  /** The agent's first audio after the caller stopped speaking went to Twilio `latencyMs` after they stopped. */
  agentResponded?(latencyMs: number): void;
  /** The caller spoke over the agent, and the agent's audio was cleared. */
  bargedIn?(): void;
  /** `agentLatenciesMs`: each agent response latency of the call, in turn order. */
  ended(ending: CallEnding, agentLatenciesMs: readonly number[]): void;
  /**
   * A new model session for this call, told where the application stands: when the first one is lost
   * mid-call, or before it reaches its time limit; rejects if none can be had. Without it a lost session
   * ends the call.
   */
  reconnect?(why: 'lost' | 'renewal'): Promise<ReadySession>;
  /**
   * The caller pressed a key. `transfer`: put them through to staff now; `say`: the agent should tell them
   * something (the office is closed, say) at the next quiet moment; undefined: the key means nothing here.
   */
  keypad?(digit: string): KeypadAnswer | undefined;
}

export type KeypadAnswer = { readonly kind: 'transfer' } | { readonly kind: 'say'; readonly instructions: string };

/**
 * Hears the call as the caller did, for a recording: every caller payload, every agent delta with the call
 * time it was sent at, and each Twilio `clear` (agent audio queued after that moment was never played).
 * Payloads are Twilio's base64 mu-law; times are the call clock (caller audio received, in ms).
 */
export interface CallRecorder {
  caller(payload: string): void;
  agent(delta: string, atMs: number): void;
  cleared(atMs: number): void;
}

export interface CallBridgeOptions {
  readonly telephony: TelephonyStream;
  /** The agent greets the caller as soon as this session is ready. */
  readonly session: ReadySession;
  readonly hooks: CallBridgeHooks;
  readonly logger: Logger;
  /** Present only when calls are recorded (and announced as such). */
  readonly recorder?: CallRecorder;
  readonly now?: () => number;
  /** How long to wait for the goodbye to be heard after end_call before hanging up regardless. */
  readonly goodbyeTimeoutMs?: number;
  /** A session is replaced this long before the model's limit (session.created's expires_at) ends it. */
  readonly renewBeforeExpiryMs?: number;
  /** CALLER_SILENCE_SECONDS: the caller's silence on their turn after which they are asked if still there; 0: off. */
  readonly callerSilenceMs?: number;
  /** MAX_CALL_MINUTES: from the stream's start, when the agent wraps the call up; 0: no limit. */
  readonly maxCallMs?: number;
  /** The silence and call-length timers; a test's fake moves time itself. */
  readonly timers?: CallTimers;
}

/**
 * A tool run, started the moment the model asks for it so an answer is saved even if the call drops.
 * It never rejects: a failure ends the call as it happens, and the run resolves undefined.
 */
type ToolRun = Promise<ToolOutcome | undefined>;

/**
 * Where the conversation stands; exactly one at a time.
 * - `connecting`: the session is taking its instructions; the agent speaks first once it has.
 * - `listening`: no response in progress: the caller's turn (the agent's last words may still be playing).
 * - `responding`: the model is producing a response; the tools it calls are already running.
 * - `running-tools`: the response ended with tool calls; the next response waits for every result.
 * - `saying-goodbye`: end_call ran; the call ends once the goodbye has been heard, or the wait runs out.
 * - `reconnecting`: the model was lost mid-call; a new session is being opened with the saved answers.
 * - `ended`: both sockets are closed.
 */
/**
 * How a call ends once the agent's last words have been heard: end_call, a transfer to staff, a caller who went
 * silent, or a call that reached its length limit.
 */
type Farewell = 'agent-finished' | 'transfer-to-staff' | 'caller-silent' | 'call-too-long';

function farewellEnding(then: Farewell, heard: boolean): CallEnding {
  return then === 'transfer-to-staff' ? { kind: 'transfer-to-staff' } : { kind: then, goodbyeHeard: heard };
}

/**
 * What the bridge's own responses are to say (response.create's instructions, beside the session's). The answers
 * are already saved as they are given, so these only have to say so; the <Connect action> then says the web
 * address in the department's own words (docs/caller-experience.md, "Silence and length").
 */
export const SILENCE_AND_LENGTH_INSTRUCTIONS = {
  stillThere:
    'The caller has said nothing for a while. In one short sentence, ask whether they are still there. Do not call any tool. Speak in the language the call is in.',
  callerSilent:
    'The caller has still said nothing. In two short sentences, tell them their answers so far are saved and that they can call back to finish or apply online, then say goodbye. Do not call any tool. Speak in the language the call is in.',
  callTooLong:
    'This call has reached its time limit. In two short sentences, tell the caller their answers so far are saved and that they can call back to finish or apply online, then say goodbye. Do not ask anything more and do not call any tool. Speak in the language the call is in.',
} as const;

type BridgeState =
  | { readonly name: 'connecting' }
  | { readonly name: 'listening' }
  /** `farewell`: this response is the bridge's own goodbye (silence, length); once it is done the call ends. */
  | { readonly name: 'responding'; readonly tools: ToolRun[]; readonly farewell?: 'caller-silent' | 'call-too-long' }
  | { readonly name: 'running-tools'; readonly tools: readonly ToolRun[] }
  | { readonly name: 'saying-goodbye'; readonly timer: NodeJS.Timeout; readonly then: Farewell }
  | { readonly name: 'reconnecting' }
  | { readonly name: 'ended'; readonly ending: CallEnding };

/**
 * A long call moves to a fresh session before the model's time limit, and only between turns. The renewal
 * runs beside the conversation: the current session carries the call until the new one is ready and the
 * line is quiet.
 */
type Renewal =
  | { readonly phase: 'scheduled'; readonly timer: NodeJS.Timeout }
  | { readonly phase: 'due' }
  | { readonly phase: 'opening' }
  | { readonly phase: 'ready'; readonly next: RealtimeSession };

const DEFAULT_GOODBYE_TIMEOUT_MS = 15_000;
const DEFAULT_RENEW_BEFORE_EXPIRY_MS = 3 * 60_000;
/** A lost model is reconnected once per call; lost again, the call goes on in the IVR. */
const MAX_RECONNECTS_PER_CALL = 1;

export class CallBridge {
  readonly #telephony: TelephonyStream;
  #session: RealtimeSession;
  readonly #hooks: CallBridgeHooks;
  readonly #log: Logger;
  readonly #recorder: CallRecorder | undefined;
  readonly #now: () => number;
  readonly #goodbyeTimeoutMs: number;
  readonly #renewBeforeExpiryMs: number;
  readonly #playback = new PlaybackTracker();
  readonly #latency = new AgentLatency();
  readonly #agentItemsSeen = new Set<string>();
  #state: BridgeState = { name: 'connecting' };
  #renewal: Renewal | undefined;
  #reconnectsLeft = MAX_RECONNECTS_PER_CALL;
  #callAudioMs = 0;
  // A new session counts its audio from 0; call time does not restart.
  #sessionStartMs = 0;
  readonly #detachTelephony: () => void;
  #detachSession: () => void = () => undefined;
  readonly #silence: CallerSilence;
  readonly #timers: CallTimers;
  readonly #callLimit: CallLengthLimit;

  constructor(options: CallBridgeOptions) {
    this.#telephony = options.telephony;
    this.#session = options.session.session;
    this.#hooks = options.hooks;
    this.#log = options.logger;
    this.#recorder = options.recorder;
    this.#now = options.now ?? Date.now;
    this.#goodbyeTimeoutMs = options.goodbyeTimeoutMs ?? DEFAULT_GOODBYE_TIMEOUT_MS;
    this.#renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? DEFAULT_RENEW_BEFORE_EXPIRY_MS;
    this.#timers = options.timers ?? NODE_TIMERS;
    this.#silence = new CallerSilence({
      afterMs: options.callerSilenceMs ?? 0,
      timers: this.#timers,
      onSilence: this.#onCallerSilence,
    });
    this.#callLimit = new CallLengthLimit({
      maxMs: options.maxCallMs ?? 0,
      graceMs: this.#goodbyeTimeoutMs,
      timers: this.#timers,
      onReached: this.#onCallLimitReached,
      onOverrun: this.#onCallLimitOverrun,
    });

    const t = this.#telephony;
    this.#detachTelephony = subscribe(t, {
      audio: this.#onCallerAudio,
      mark: this.#onMark,
      dtmf: this.#onKeypad,
      ended: this.#onTelephonyEnded,
    });
    this.#attachSession();
    for (const payload of t.takeEarlyAudio()) this.#onCallerAudio(payload);
    if (t.ending !== undefined) this.end(t.ending);
    else if (!this.#session.isOpen)
      this.end({ kind: 'model-lost', detail: 'model session closed before the call was connected' });
    else this.#greetWhenReady(options.session.ready);
  }

  get isEnded(): boolean {
    return this.#state.name === 'ended';
  }

  /**
   * The call's session settings changed mid-call (the caller chose another language): the session takes them at
   * once, and so does a renewal's next session that is already open (one still opening is configured as it opens).
   */
  reconfigure(config: RealtimeSessionConfig): void {
    if (this.isEnded) return;
    this.#session.configure(config);
    if (this.#renewal?.phase === 'ready') this.#renewal.next.configure(config);
  }

  /** Ends the call from our side: both sockets close, timers stop. Safe to call more than once. */
  end(ending: CallEnding): void {
    const state = this.#state;
    if (state.name === 'ended') return;
    if (state.name === 'saying-goodbye') clearTimeout(state.timer);
    this.#state = { name: 'ended', ending };
    this.#silence.stop();
    this.#callLimit.stop();
    this.#cancelRenewal();
    this.#detachTelephony();
    this.#detachSession();
    this.#session.close();
    this.#telephony.close(describeEnding(ending));
    this.#hooks.ended(ending, this.#latency.measuredMs);
  }

  #attachSession(): void {
    this.#detachSession = subscribe(this.#session, {
      audio: this.#onAgentAudio,
      speechStarted: this.#onSpeechStarted,
      speechStopped: this.#onSpeechStopped,
      itemAdded: this.#onItemAdded,
      callerTranscript: this.#onCallerTranscript,
      agentTranscript: this.#onAgentTranscript,
      functionCall: this.#onFunctionCall,
      responseStarted: this.#onResponseStarted,
      responseDone: this.#onResponseDone,
      transcriptionUsage: this.#onTranscriptionUsage,
      error: this.#onSessionError,
      closed: this.#onSessionClosed,
    });
  }

  /** The agent speaks first, as soon as the model has taken its instructions. */
  #greetWhenReady(ready: Promise<void>): void {
    const session = this.#session;
    void ready.then(() => {
      // The caller may have started a response already (server VAD), or the session may be gone.
      if (this.#state.name !== 'connecting' || this.#session !== session) return;
      this.#respond();
      this.#scheduleRenewal();
    });
  }

  /** `instructions`: what this one response is to say, beside the session's own instructions. */
  #respond(instructions?: string): void {
    this.#silence.busy();
    this.#session.createResponse(instructions);
    this.#state = { name: 'responding', tools: [] };
  }

  #listen(): void {
    this.#state = { name: 'listening' };
    this.#atQuietMoment();
  }

  /**
   * Call time is the caller audio received so far: Twilio streams it without gaps, and the model's
   * audio_start_ms counts the same audio, so every transcript offset shares one clock.
   */
  #elapsed(): number {
    return Math.round(this.#callAudioMs);
  }

  readonly #onCallerAudio = (payload: string): void => {
    this.#callAudioMs += payloadDurationMs(payload);
    this.#recorder?.caller(payload);
    // While the model is being reconnected nobody listens; the new session asks again for what is missing.
    if (this.#state.name !== 'reconnecting') this.#session.appendAudio(payload);
  };

  readonly #onAgentAudio = (delta: string, itemId: string): void => {
    if (!this.#agentItemsSeen.has(itemId)) {
      this.#agentItemsSeen.add(itemId);
      this.#hooks.itemAdded(itemId, undefined, 'agent', this.#elapsed());
    }
    this.#silence.busy();
    const now = this.#now();
    const mark = this.#playback.sent(itemId, delta, now);
    this.#recorder?.agent(delta, this.#callAudioMs);
    this.#telephony.sendAudio(delta);
    this.#telephony.sendMark(mark);
    const latencyMs = this.#latency.agentAudioSent(now);
    if (latencyMs >= 0) this.#hooks.agentResponded?.(latencyMs);
  };

  readonly #onMark = (name: string): void => {
    this.#playback.marked(name, this.#now());
    if (this.#playback.hasUnplayedAudio) return;
    const state = this.#state;
    if (state.name === 'saying-goodbye') this.end(farewellEnding(state.then, true));
    else this.#atQuietMoment();
  };

  /** A line the agent owes the caller (after a key press), said at the next quiet moment. */
  #owedLine: string | undefined;

  readonly #onKeypad = (digit: string): void => {
    const state = this.#state.name;
    if (state === 'ended' || state === 'saying-goodbye') return;
    // A key press is the caller being there as much as a word is.
    this.#callerSpokeThenQuiet();
    const answer = this.#hooks.keypad?.(digit);
    if (answer === undefined) return;
    this.#log.info({ digit, answer: answer.kind }, 'caller pressed a key');
    if (answer.kind === 'transfer') {
      // The <Connect action> tells the caller they are being put through; what the agent was saying can stop.
      if (this.#playback.hasUnplayedAudio) this.#clearPlayback();
      this.end({ kind: 'transfer-to-staff' });
      return;
    }
    this.#owedLine = answer.instructions;
    this.#atQuietMoment();
  };

  readonly #onSpeechStarted = (itemId: string, sessionAudioStartMs: number): void => {
    const audioStartMs = this.#sessionStartMs + sessionAudioStartMs;
    this.#hooks.itemAdded(itemId, undefined, 'caller', audioStartMs);
    this.#hooks.callerStarted(itemId, audioStartMs);
    this.#latency.callerStarted();
    this.#silence.callerSpoke();
    const state = this.#state;
    // Back before the silence goodbye was said: they are there after all, and the conversation goes on.
    if (state.name === 'responding' && state.farewell === 'caller-silent') {
      this.#state = { name: 'responding', tools: state.tools };
      this.#log.info('the caller spoke during the silence goodbye: the call goes on');
    }
    const playing = this.#playback.playingItemId;
    if (playing === undefined) return;
    // Barge-in: the caller talks over the agent. Stop the phone playing, stop the model, and make the
    // model forget the words the caller never heard.
    const heardMs = this.#playback.heardMs(playing, this.#now());
    this.#clearPlayback();
    if (this.#state.name === 'responding') this.#session.cancelResponse();
    this.#session.truncate(playing, heardMs);
    this.#log.info({ itemId: playing, heardMs }, 'barge-in: agent audio cleared and truncated');
    this.#hooks.bargedIn?.();
  };

  readonly #onSpeechStopped = (): void => {
    this.#latency.callerStopped(this.#now());
    // Speech that prompts no response (a cough, a word to someone else) still starts the caller's wait anew.
    this.#callerSpokeThenQuiet();
  };

  #callerSpokeThenQuiet(): void {
    this.#silence.callerSpoke();
    if (this.#state.name === 'listening' && !this.#playback.hasUnplayedAudio) this.#silence.quiet();
  }

  #clearPlayback(): void {
    this.#telephony.clear();
    this.#playback.cleared(this.#now());
    this.#recorder?.cleared(this.#callAudioMs);
  }

  readonly #onItemAdded = (itemId: string, previousItemId: string | undefined, role: ItemRole): void => {
    if (role === 'agent') this.#agentItemsSeen.add(itemId);
    this.#hooks.itemAdded(itemId, previousItemId, role, this.#elapsed());
  };

  readonly #onCallerTranscript = (itemId: string, text: string): void => {
    this.#hooks.said(itemId, 'caller', text, this.#elapsed());
    this.#callerSpokeThenQuiet();
  };

  readonly #onAgentTranscript = (itemId: string, text: string): void => {
    this.#hooks.said(itemId, 'agent', text, this.#elapsed());
  };

  readonly #onFunctionCall = (call: FunctionCall): void => {
    const run = this.#runTool(call);
    const state = this.#state;
    if (state.name === 'responding') state.tools.push(run);
    else this.#log.warn({ tool: call.name, state: state.name }, 'a tool call outside a response: run, not awaited');
  };

  #runTool(call: FunctionCall): ToolRun {
    const offset = this.#elapsed();
    const session = this.#session;
    // The handlers are attached here, as the tool starts: a failure is never an unhandled rejection, whatever
    // happens to the response or the session in the meantime.
    return new Promise<ToolOutcome>((resolve) => {
      resolve(this.#hooks.runTool(call));
    }).then(
      (outcome) => {
        // A session that was replaced meanwhile never asked the new one for this result.
        if (this.#session === session && !this.isEnded) session.sendToolResult(call.callId, outcome.output);
        this.#hooks.toolRan(call.itemId ?? call.callId, `${call.name}: ${outcome.summary}`, offset);
        return outcome;
      },
      (error: unknown) => {
        this.#log.error({ err: error, tool: call.name }, 'a permit tool failed: ending this call');
        this.end({ kind: 'tool-failed', tool: call.name });
        return undefined;
      },
    );
  }

  readonly #onResponseStarted = (): void => {
    this.#silence.busy();
    const state = this.#state;
    // A response the server started on its own (server VAD) after the caller spoke. Tools still running
    // from the last response are awaited with this one's.
    if (state.name === 'listening' || state.name === 'connecting') this.#state = { name: 'responding', tools: [] };
    else if (state.name === 'running-tools') this.#state = { name: 'responding', tools: [...state.tools] };
  };

  readonly #onResponseDone = (status: string, usage: ResponseUsage | undefined): void => {
    if (usage !== undefined) this.#hooks.usage(usage);
    const state = this.#state;
    if (state.name !== 'responding') return;
    if (state.farewell !== undefined) {
      // Whatever it called runs on and is saved; the goodbye is what remains, cut short or not.
      this.#sayGoodbye(state.farewell);
      return;
    }
    if (state.tools.length === 0 || status !== 'completed') {
      // A cancelled response's tools still finish (their answers are saved); the caller's next words ask anew.
      this.#listen();
      return;
    }
    const waiting: BridgeState = { name: 'running-tools', tools: state.tools };
    this.#state = waiting;
    // Ask for the next response only once every tool result is in the conversation
    // (asking earlier is conversation_already_has_active_response or a model answering blind).
    void Promise.all(state.tools).then((outcomes) => {
      // Ended (a tool failed, the caller hung up), the model lost, or a new response took these tools over.
      if (this.#state !== waiting) return;
      if (outcomes.some((outcome) => outcome?.transferToStaff === true)) this.#sayGoodbye('transfer-to-staff');
      else if (outcomes.some((outcome) => outcome?.endCall === true)) this.#sayGoodbye('agent-finished');
      else this.#respond();
    });
  };

  readonly #onTranscriptionUsage = (usage: TranscriptionUsage): void => {
    this.#hooks.transcriptionUsage(usage);
  };

  readonly #onSessionError = (error: RealtimeSessionError): void => {
    if (error.code === 'response_cancel_not_active') return; // the server already cancelled on speech; harmless
    this.#log.warn({ code: error.code, fatal: error.fatal, message: error.message }, 'realtime model error');
    if (error.fatal) this.#modelLost(`model error ${error.code ?? ''}`.trim());
  };

  readonly #onSessionClosed = (code: number): void => {
    this.#modelLost(`model session closed (${code})`);
  };

  readonly #onTelephonyEnded = (ending: StreamEnding): void => {
    this.end(ending);
  };

  /**
   * The model went away mid-call. Once per call, a new session is opened with the draft as it stands and
   * the agent picks up from what is missing; if that fails (or it already happened) the call ends and
   * Twilio's <Connect action> carries the caller on in the IVR.
   */
  #modelLost(detail: string): void {
    const state = this.#state.name;
    if (state === 'ended') return;
    const hooks = this.#hooks;
    if (hooks.reconnect === undefined || this.#reconnectsLeft === 0 || state === 'saying-goodbye') {
      this.end({ kind: 'model-lost', detail });
      return;
    }
    this.#reconnectsLeft -= 1;
    const reconnecting: BridgeState = { name: 'reconnecting' };
    this.#state = reconnecting;
    this.#log.warn({ detail }, 'model lost mid-call: reconnecting');
    this.#detachSession();
    this.#session.close();
    this.#cancelRenewal();
    // Whatever was playing belonged to the lost response.
    if (this.#playback.hasUnplayedAudio) this.#clearPlayback();
    hooks.reconnect('lost').then(
      ({ session, ready }) => {
        if (this.#state !== reconnecting) {
          session.close();
          return;
        }
        this.#useSession(session);
        this.#state = { name: 'connecting' };
        this.#log.info('model reconnected: the agent continues from the saved answers');
        this.#greetWhenReady(ready);
      },
      (error: unknown) => {
        this.#log.error({ err: error }, 'model lost and could not be reconnected');
        this.end({ kind: 'model-lost', detail: `${detail}; reconnect failed` });
      },
    );
  }

  #useSession(session: RealtimeSession): void {
    this.#session = session;
    this.#sessionStartMs = this.#callAudioMs;
    this.#attachSession();
  }

  #sayGoodbye(then: Farewell): void {
    if (!this.#playback.hasUnplayedAudio) {
      this.end(farewellEnding(then, true));
      return;
    }
    const timer = setTimeout(() => {
      this.end(farewellEnding(then, false));
    }, this.#goodbyeTimeoutMs);
    this.#state = { name: 'saying-goodbye', timer, then };
  }

  /** Between turns: nothing is being said, thought or run. The only moment a session may change. */
  #atQuietMoment(): void {
    if (this.#state.name !== 'listening' || this.#playback.hasUnplayedAudio) return;
    if (this.#callLimit.due) {
      this.#part('call-too-long');
      return;
    }
    const owed = this.#owedLine;
    if (owed !== undefined) {
      this.#owedLine = undefined;
      this.#respond(owed);
      return;
    }
    const renewal = this.#renewal;
    if (renewal?.phase === 'due') this.#openRenewal();
    else if (renewal?.phase === 'ready') this.#swapTo(renewal.next);
    // The caller's turn: their silence counts from now (the agent's last words have been heard).
    this.#silence.quiet();
  }

  readonly #onCallerSilence = (step: SilenceStep): void => {
    if (this.#state.name !== 'listening' || this.#playback.hasUnplayedAudio) return;
    this.#log.info({ step }, 'the caller has been silent');
    if (step === 'ask-if-still-there') this.#respond(SILENCE_AND_LENGTH_INSTRUCTIONS.stillThere);
    else this.#part('caller-silent');
  };

  /**
   * The call has gone on for MAX_CALL_MINUTES: the agent wraps up at the next quiet moment, never over its own
   * words or a tool still saving.
   */
  readonly #onCallLimitReached = (): void => {
    this.#log.info('the call reached its length limit: wrapping up');
    this.#atQuietMoment();
  };

  /** No quiet moment came, or the wrap-up was never made: the call ends regardless (a goodbye in play has its own wait). */
  readonly #onCallLimitOverrun = (): void => {
    if (this.#state.name !== 'saying-goodbye') this.end({ kind: 'call-too-long', goodbyeHeard: false });
  };

  /** The agent's own goodbye for a silence or the length limit; the call ends once it has been heard. */
  #part(why: 'caller-silent' | 'call-too-long'): void {
    this.#silence.busy();
    // Once the wrap-up is made, the goodbye wait (#sayGoodbye) bounds its playing; the limit's backstop its making.
    if (why === 'call-too-long') this.#callLimit.wrappingUp();
    this.#session.createResponse(
      why === 'caller-silent'
        ? SILENCE_AND_LENGTH_INSTRUCTIONS.callerSilent
        : SILENCE_AND_LENGTH_INSTRUCTIONS.callTooLong,
    );
    this.#state = { name: 'responding', tools: [], farewell: why };
  }

  /** Models end sessions at a fixed age (session.created's expires_at); the renewal falls due before that. */
  #scheduleRenewal(): void {
    this.#cancelRenewal();
    const expiresAt = this.#session.expiresAt;
    if (expiresAt === undefined || this.#hooks.reconnect === undefined) return;
    const timer = setTimeout(
      () => {
        this.#renewal = { phase: 'due' };
        this.#atQuietMoment();
      },
      Math.max(0, expiresAt - this.#renewBeforeExpiryMs - this.#now()),
    );
    this.#renewal = { phase: 'scheduled', timer };
  }

  #openRenewal(): void {
    const hooks = this.#hooks;
    if (hooks.reconnect === undefined) return;
    const opening: Renewal = { phase: 'opening' };
    this.#renewal = opening;
    this.#log.info('renewing the model session before its time limit');
    hooks.reconnect('renewal').then(
      ({ session, ready }) => {
        void ready.then(() => {
          if (this.#renewal !== opening) {
            session.close(); // the call ended, or the model was lost meanwhile
            return;
          }
          this.#renewal = { phase: 'ready', next: session };
          this.#atQuietMoment();
        });
      },
      (error: unknown) => {
        if (this.#renewal === opening) this.#renewal = undefined;
        // The current session goes on until its limit; losing it then takes the reconnect path.
        this.#log.warn({ err: error }, 'could not renew the model session; keeping the current one');
      },
    );
  }

  #swapTo(next: RealtimeSession): void {
    this.#renewal = undefined;
    if (!next.isOpen) {
      this.#log.warn('the renewed session closed before it could take over; keeping the current one');
      return;
    }
    this.#detachSession();
    this.#session.close();
    this.#useSession(next);
    this.#log.info('model session renewed');
    this.#scheduleRenewal();
  }

  #cancelRenewal(): void {
    const renewal = this.#renewal;
    this.#renewal = undefined;
    if (renewal?.phase === 'scheduled') clearTimeout(renewal.timer);
    if (renewal?.phase === 'ready') renewal.next.close();
    // While 'opening', the open finds the renewal gone when it resolves, and closes what it opened.
  }
}

/** Adds each handler to its event and returns the one function that removes them all again. */
function subscribe<Events extends Record<keyof Events, unknown[]>>(
  emitter: Pick<EventEmitter<Events>, 'on' | 'off'>,
  handlers: { readonly [E in keyof Events]?: (...args: Events[E]) => void },
): () => void {
  // Node's typings cannot relate a key to its own handler once they are in a list; the object above did.
  const entries = Object.entries(handlers) as [never, never][];
  for (const [event, handler] of entries) emitter.on(event, handler);
  return () => {
    for (const [event, handler] of entries) emitter.off(event, handler);
  };
}
