import type { ConversationItem, RealtimeError, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { Logger } from 'pino';
import {
  defaultSession,
  inputAudioTokens,
  invalidRequest,
  mergeSession,
  newId,
  outputAudioTokens,
  responseUsage,
  statusDetails,
  textTokens,
  transcriptionCompleted,
  turnDetectionOf,
  type CancelReason,
  type OutgoingEvent,
  type SimulatedSession,
  type SimulatorClientEvent,
  type TokenCounts,
  type TurnDetection,
} from './realtime-simulator-protocol.ts';
import { SimulatedResponse } from './realtime-simulator-response.ts';
import {
  isToolCall,
  type AgentOutput,
  type AgentTurn,
  type CallerTurn,
  type LoadedScenario,
  type ScenarioTurn,
} from './scenario.ts';
import { SpeechDetector } from './speech-detector.ts';

/**
 * One simulated model session (one WebSocket): runs the scenario from its
 * first turn, or from where an earlier session left it (`position`). Caller turns are consumed as the detector hears utterances in
 * the appended audio; agent turns are played as responses. A tool call ends a
 * response; the turn's remaining outputs wait for the next response.create.
 */

export interface SimulatorSessionOptions {
  readonly scenario: LoadedScenario;
  readonly model: string;
  /** Caller transcription arrives this long after the response it prompted has started (0: before it). */
  readonly transcriptionDelayMs: number;
  readonly audioChunkMs: number;
  /** Pause between audio deltas: generation runs faster than real time, as the API's does. */
  readonly audioChunkIntervalMs: number;
  /** What session.created announces as expires_at, from now (the real API: 60 minutes). */
  readonly sessionLifetimeSeconds?: number;
  readonly logger: Logger;
  readonly send: (event: RealtimeServerEvent) => void;
  /**
   * Where the scenario stands, shared with the sessions before and after this one. A session that
   * starts past turn 0 is a model told the conversation so far: its first response repeats the agent
   * turn that was cut off (or, when the caller was due to answer, the question they were answering).
   */
  readonly position?: ScriptPosition;
}

export interface ScriptPosition {
  /** Index of the next scenario turn. */
  nextTurn: number;
}

export class SimulatedRealtimeSession {
  readonly #options: SimulatorSessionOptions;
  readonly #log: Logger;
  readonly #conversationId = newId('conv');
  readonly #detector = new SpeechDetector();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Audio length of each assistant item, for truncate's bounds check. */
  readonly #audioItemMs = new Map<string, number>();
  #session: SimulatedSession;
  #detection: TurnDetection;
  readonly #position: ScriptPosition;
  /** Set while this session continues another and has not yet spoken or heard a turn. */
  #resuming: boolean;
  #pendingOutputs: AgentOutput[] = [];
  #active: SimulatedResponse | undefined;
  #responseQueued = false;
  #lastItemId: string | null = null;
  #speechItemId: string | undefined;
  #speechStartMs = 0;
  #callerSpeechMs = 0;
  #conversationChars = 0;
  #previousInput: TokenCounts = { text: 0, audio: 0 };
  #disposed = false;

  constructor(options: SimulatorSessionOptions) {
    if (!(options.audioChunkMs > 0)) throw new RangeError(`audioChunkMs must be positive, got ${options.audioChunkMs}`);
    if (!(options.audioChunkIntervalMs >= 0)) throw new RangeError('audioChunkIntervalMs must not be negative');
    if (!(options.transcriptionDelayMs >= 0)) throw new RangeError('transcriptionDelayMs must not be negative');
    this.#options = options;
    this.#log = options.logger;
    this.#position = options.position ?? { nextTurn: 0 };
    this.#resuming = this.#position.nextTurn > 0;
    this.#session = defaultSession(options.model, Date.now(), options.sessionLifetimeSeconds);
    this.#detection = turnDetectionOf(this.#session);
    this.#applyDetection();
  }

  start(): void {
    this.#send({ type: 'session.created', session: this.#session });
  }

  handle(event: SimulatorClientEvent): void {
    if (this.#disposed) return;
    switch (event.type) {
      case 'session.update':
        this.#updateSession(event.session);
        return;
      case 'input_audio_buffer.append':
        this.#appendAudio(Buffer.from(event.audio, 'base64'));
        return;
      case 'input_audio_buffer.clear':
        this.#speechItemId = undefined;
        this.#send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'response.create':
        this.#requestResponse('client', event.response?.instructions);
        return;
      case 'response.cancel':
        this.#cancelOnRequest(event.response_id);
        return;
      case 'conversation.item.create':
        this.#createItem(event.item);
        return;
      case 'conversation.item.truncate':
        this.#truncate(event.item_id, event.content_index, event.audio_end_ms, event.event_id);
        return;
    }
  }

  /** Answers a client event the protocol layer refused; the session stays open, as the API's does. */
  reject(error: RealtimeError): void {
    this.#send({ type: 'error', error });
  }

  /** The socket closed: stop playing and forget pending timers. */
  dispose(): void {
    this.#disposed = true;
    this.#active?.stop();
    this.#active = undefined;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #send(event: OutgoingEvent): void {
    if (this.#disposed) return;
    this.#options.send({ ...event, event_id: newId('event') } as RealtimeServerEvent);
  }

  #later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#disposed) action();
    }, ms);
    this.#timers.add(timer);
  }

  #updateSession(update: Record<string, unknown>): void {
    this.#session = mergeSession(this.#session, update);
    this.#detection = turnDetectionOf(this.#session);
    this.#applyDetection();
    this.#send({ type: 'session.updated', session: this.#session });
  }

  #applyDetection(): void {
    this.#detector.configure({
      silenceDurationMs: this.#detection.silenceDurationMs,
      prefixPaddingMs: this.#detection.prefixPaddingMs,
    });
  }

  #appendAudio(mulaw: Buffer): void {
    // The detector hears everything so audio time stays true; with turn detection off its verdicts are dropped.
    for (const event of this.#detector.push(mulaw)) {
      if (!this.#detection.enabled) continue;
      if (event.type === 'speech-started') this.#speechStarted(event.audioStartMs);
      else this.#speechStopped(event.audioEndMs);
    }
  }

  #speechStarted(audioStartMs: number): void {
    const itemId = newId('item');
    this.#speechItemId = itemId;
    this.#speechStartMs = audioStartMs;
    this.#send({ type: 'input_audio_buffer.speech_started', audio_start_ms: audioStartMs, item_id: itemId });
    if (this.#active !== undefined && this.#detection.interruptResponse) this.#cancel('turn_detected');
  }

  #speechStopped(audioEndMs: number): void {
    const itemId = this.#speechItemId;
    if (itemId === undefined) return;
    this.#speechItemId = undefined;
    this.#send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: audioEndMs, item_id: itemId });
    const previousItemId = this.#lastItemId;
    this.#lastItemId = itemId;
    this.#send({ type: 'input_audio_buffer.committed', item_id: itemId, previous_item_id: previousItemId });
    const item: ConversationItem = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_audio' }],
    };
    this.#send({ type: 'conversation.item.added', item, previous_item_id: previousItemId });
    this.#send({ type: 'conversation.item.done', item, previous_item_id: previousItemId });

    const speechMs = Math.max(0, audioEndMs - this.#speechStartMs);
    this.#callerSpeechMs += speechMs;
    const turn = this.#takeCallerTurn();
    const transcript = turn?.say ?? '';
    this.#conversationChars += transcript.length;
    const deliver = (): void => {
      this.#send(transcriptionCompleted(itemId, transcript, speechMs));
    };
    const respond = turn !== undefined && this.#detection.createResponse;
    if (this.#options.transcriptionDelayMs === 0) {
      deliver();
      if (respond) this.#requestResponse('turn_detected');
      return;
    }
    // The real API transcribes alongside the response, so the transcript often lands after the answer began.
    if (respond) this.#requestResponse('turn_detected');
    this.#later(this.#options.transcriptionDelayMs, deliver);
  }

  get #nextTurn(): number {
    return this.#position.nextTurn;
  }

  set #nextTurn(turn: number) {
    this.#position.nextTurn = turn;
  }

  #takeCallerTurn(): CallerTurn | undefined {
    const turn = this.#options.scenario.turns[this.#nextTurn];
    if (turn?.speaker !== 'caller') {
      this.#log.warn(
        { turn: this.#nextTurn },
        'heard speech the scenario does not expect here; transcribed as empty, no response',
      );
      return undefined;
    }
    this.#resuming = false;
    this.#nextTurn += 1;
    if (this.#pendingOutputs.length > 0) {
      this.#log.info(
        { dropped: this.#pendingOutputs.length },
        'caller spoke before the agent finished its turn; its remaining outputs are dropped',
      );
      this.#pendingOutputs = [];
    }
    return turn;
  }

  #nextOutputs(): AgentOutput[] {
    if (this.#resuming) return this.#resumedOutputs();
    if (this.#pendingOutputs.length > 0) {
      const outputs = this.#pendingOutputs;
      this.#pendingOutputs = [];
      return outputs;
    }
    const turns = this.#options.scenario.turns;
    // A turn kept for the bridge's own prompts is not what an ordinary response says: it is passed by, and stays
    // there for those prompts unless an ordinary agent turn after it is played.
    let next = this.#nextTurn;
    while (isInstructedTurn(turns[next])) next += 1;
    const turn = turns[next];
    if (turn?.speaker !== 'agent') return [];
    this.#nextTurn = next + 1;
    return turn.outputs;
  }

  /** The first turn from here kept for these instructions (whenInstructed), taken out of order; undefined if none. */
  #instructedOutputs(instructions: string | undefined): AgentOutput[] | undefined {
    if (instructions === undefined) return undefined;
    const asked = instructions.toLowerCase();
    const turns = this.#options.scenario.turns;
    for (let index = this.#nextTurn; index < turns.length; index += 1) {
      const turn = turns[index];
      if (turn?.speaker !== 'agent' || turn.whenInstructed === undefined) continue;
      if (!asked.includes(turn.whenInstructed.toLowerCase())) continue;
      this.#resuming = false;
      this.#pendingOutputs = [];
      this.#nextTurn = index + 1;
      return turn.outputs;
    }
    return undefined;
  }

  /** The agent turn in progress when the last session ended, or the one before the caller's pending answer, replayed whole: its tool calls are idempotent saves. */
  #resumedOutputs(): AgentOutput[] {
    this.#resuming = false;
    const turns = this.#options.scenario.turns;
    let replay = Math.min(this.#nextTurn, turns.length - 1);
    while (replay >= 0 && turns[replay]?.speaker !== 'agent') replay -= 1;
    const turn = turns[replay];
    if (turn?.speaker !== 'agent') return [];
    this.#log.info({ turn: replay }, 'continuing an earlier session: replaying the agent turn it was in');
    this.#nextTurn = replay + 1;
    return turn.outputs;
  }

  /** `instructions`: response.create's own (the client's), which may pick a turn kept for them. */
  #requestResponse(trigger: 'client' | 'turn_detected', instructions?: string): void {
    const active = this.#active;
    if (active !== undefined) {
      if (trigger === 'turn_detected') {
        this.#responseQueued = true;
        return;
      }
      this.reject(
        invalidRequest(
          'conversation_already_has_active_response',
          `Conversation already has an active response in progress: ${active.id}. Wait until the response is finished before creating a new one.`,
          null,
          null,
        ),
      );
      return;
    }
    const outputs = this.#instructedOutputs(instructions) ?? this.#nextOutputs();
    if (outputs.length === 0)
      this.#log.info(
        { turn: this.#nextTurn },
        'response requested where the scenario has nothing for the agent to say',
      );
    const voice = this.#session.audio?.output?.voice;
    const response = new SimulatedResponse({
      send: (event) => {
        this.#send(event);
      },
      appendItem: (itemId) => {
        const previous = this.#lastItemId;
        this.#lastItemId = itemId;
        return previous;
      },
      audioItemDone: (itemId, audioMs) => this.#audioItemMs.set(itemId, audioMs),
      audioOf: (file) => this.#options.scenario.audioOf(file),
      conversationId: this.#conversationId,
      voice: typeof voice === 'string' ? voice : 'marin',
      audioChunkMs: this.#options.audioChunkMs,
      audioChunkIntervalMs: this.#options.audioChunkIntervalMs,
    });
    this.#active = response;
    this.#send({ type: 'response.created', response: response.describe('in_progress') });
    this.#play(response, outputs).catch((error: unknown) => {
      if (response.stopped) return; // cancelled: response.done was sent by the canceller
      this.#log.error({ err: error }, 'simulated response failed');
      response.stop();
      this.#finish(response, 'failed');
    });
  }

  async #play(response: SimulatedResponse, outputs: readonly AgentOutput[]): Promise<void> {
    for (const [index, output] of outputs.entries()) {
      if (isToolCall(output)) {
        response.callTool(output);
        // A function call ends the model's turn; the rest waits for the tool's result and a new response.create.
        this.#pendingOutputs = outputs.slice(index + 1);
        break;
      }
      await response.speak(output);
    }
    this.#finish(response, 'completed');
  }

  #cancelOnRequest(responseId: string | undefined): void {
    const active = this.#active;
    if (active === undefined || (responseId !== undefined && responseId !== active.id)) {
      this.reject(
        invalidRequest('response_cancel_not_active', 'Cancellation failed: no active response found.', null, null),
      );
      return;
    }
    this.#cancel('client_cancelled');
  }

  #cancel(reason: CancelReason): void {
    const response = this.#active;
    if (response === undefined) return;
    response.stop();
    // An interrupted turn is over: its unplayed outputs are never played.
    this.#pendingOutputs = [];
    this.#finish(response, 'cancelled', reason);
  }

  #finish(response: SimulatedResponse, status: 'completed' | 'cancelled' | 'failed', reason?: CancelReason): void {
    if (this.#active !== response) return;
    this.#active = undefined;
    const instructionsChars =
      (this.#session.instructions ?? '').length + JSON.stringify(this.#session.tools ?? []).length;
    const input: TokenCounts = {
      text: textTokens(instructionsChars + this.#conversationChars),
      audio: inputAudioTokens(this.#callerSpeechMs),
    };
    const usage = responseUsage(input, this.#previousInput, {
      text: textTokens(response.outputChars),
      audio: outputAudioTokens(response.outputAudioMs),
    });
    this.#previousInput = input;
    this.#conversationChars += response.outputChars;
    this.#send({
      type: 'response.done',
      response: { ...response.describe(status), status_details: statusDetails(status, reason), usage },
    });
    if (this.#responseQueued) {
      this.#responseQueued = false;
      this.#requestResponse('turn_detected');
    }
  }

  #createItem(item: { type: string; id?: string | undefined } & Record<string, unknown>): void {
    const added = {
      ...item,
      id: item.id ?? newId('item'),
      object: 'realtime.item',
      status: 'completed',
    } as ConversationItem & { id: string };
    const previousItemId = this.#lastItemId;
    this.#lastItemId = added.id;
    if (typeof item.output === 'string') this.#conversationChars += item.output.length;
    this.#send({ type: 'conversation.item.added', item: added, previous_item_id: previousItemId });
    this.#send({ type: 'conversation.item.done', item: added, previous_item_id: previousItemId });
  }

  #truncate(itemId: string, contentIndex: number, audioEndMs: number, eventId: string | undefined): void {
    const audioMs = this.#audioItemMs.get(itemId);
    if (audioMs === undefined || contentIndex !== 0) {
      this.reject(
        invalidRequest(
          'invalid_value',
          `Invalid item_id or content_index: no assistant audio at ${itemId}[${contentIndex}].`,
          'item_id',
          eventId ?? null,
        ),
      );
      return;
    }
    if (audioEndMs > audioMs) {
      this.reject(
        invalidRequest(
          'invalid_value',
          `audio_end_ms ${audioEndMs} is past the end of the item's audio (${Math.floor(audioMs)} ms).`,
          'audio_end_ms',
          eventId ?? null,
        ),
      );
      return;
    }
    this.#audioItemMs.set(itemId, audioEndMs);
    this.#send({
      type: 'conversation.item.truncated',
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }
}

function isInstructedTurn(turn: ScenarioTurn | undefined): turn is AgentTurn {
  return turn?.speaker === 'agent' && turn.whenInstructed !== undefined;
}
