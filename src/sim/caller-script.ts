import { FRAME_BYTES, FRAME_MS, MULAW_BYTES_PER_MS, MULAW_SILENCE } from '../voice/media-stream-messages.ts';
import { isToolCall, type AgentTurn, type CallerTurn, type LoadedScenario } from './scenario.ts';

/**
 * The simulated caller's side of the conversation, one 20 ms frame at a
 * time: it listens to what the phone played, decides when the agent has
 * finished (or when to barge in), and produces the caller's next frame of
 * audio. Pure: no clock, no socket; the call simulator drives it.
 */

/** The agent counts as finished once nothing has played for this long: a turn's natural pause is shorter, a tool call's round trip usually too. */
export const AGENT_DONE_QUIET_MS = 600;

export type ScriptEvent =
  | { readonly type: 'caller-speaking'; readonly callerTurn: number; readonly turnIndex: number; readonly text: string }
  | { readonly type: 'caller-done'; readonly callerTurn: number; readonly turnIndex: number; readonly spokenMs: number }
  | { readonly type: 'agent-audio-started' }
  | { readonly type: 'agent-audio-finished'; readonly playedMs: number };

export interface ScriptStep {
  /** The caller's next 20 ms: speech, or silence. */
  readonly frame: Buffer;
  readonly events: readonly ScriptEvent[];
  /** The caller hangs up after this frame (`hangUpAfterTurn` reached). */
  readonly hangUp: boolean;
}

export interface CallerScriptOptions {
  /** 0-based among the caller turns: hang up right after speaking this one. */
  readonly hangUpAfterTurn?: number | undefined;
}

type Speaking = { readonly turn: CallerTurn; readonly turnIndex: number; readonly callerTurn: number; readonly audio: Buffer; offset: number };

const agentSpeaks = (turn: AgentTurn): boolean => turn.outputs.some((output) => !isToolCall(output));

export class CallerScript {
  readonly #turns: LoadedScenario['turns'];
  readonly #audio = new Map<number, Buffer>();
  readonly #hangUpAfterTurn: number | undefined;
  /** Index of the scenario turn in progress (or next); turns.length when the script is over. */
  #turnIndex = 0;
  #callerTurnsSpoken = 0;
  #speaking: Speaking | undefined;

  // What the phone has played, as the caller hears it.
  #agentPlaying = false;
  #segmentMs = 0;
  #quietMs = 0;
  /** Agent audio heard since the current agent turn began. */
  #turnHeardMs = 0;
  #agentFinishedThisTurn = false;

  /** Loads every caller turn's audio up front, so a missing file fails before the call, not in the middle of it. */
  constructor(scenario: LoadedScenario, options: CallerScriptOptions = {}) {
    this.#turns = scenario.turns;
    scenario.turns.forEach((turn, index) => {
      if (turn.speaker === 'caller') this.#audio.set(index, scenario.audioOf(turn.audio));
    });
    const callerTurns = this.#audio.size;
    const hangUp = options.hangUpAfterTurn;
    if (hangUp !== undefined && (!Number.isInteger(hangUp) || hangUp < 0 || hangUp >= callerTurns)) {
      throw new RangeError(`hangUpAfterTurn must be a caller turn index from 0 to ${callerTurns - 1}, not ${hangUp}`);
    }
    this.#hangUpAfterTurn = hangUp;
  }

  get callerTurnsSpoken(): number {
    return this.#callerTurnsSpoken;
  }

  /** True once every turn of the scenario has been heard or spoken. */
  get finished(): boolean {
    return this.#turnIndex >= this.#turns.length;
  }

  /** One 20 ms tick: `agentAudioBytes` is how much of the agent's audio the phone just played. */
  step(agentAudioBytes: number): ScriptStep {
    const events: ScriptEvent[] = [];
    this.#listen(agentAudioBytes, events);
    this.#advance(events);
    return this.#speak(events);
  }

  /** The call ended: report agent audio that was still playing. */
  end(): ScriptEvent[] {
    if (!this.#agentPlaying) return [];
    this.#agentPlaying = false;
    return [{ type: 'agent-audio-finished', playedMs: this.#segmentMs }];
  }

  #listen(agentAudioBytes: number, events: ScriptEvent[]): void {
    if (agentAudioBytes > 0) {
      const ms = agentAudioBytes / MULAW_BYTES_PER_MS;
      if (!this.#agentPlaying) {
        this.#agentPlaying = true;
        this.#segmentMs = 0;
        events.push({ type: 'agent-audio-started' });
      }
      this.#segmentMs += ms;
      this.#turnHeardMs += ms;
      this.#quietMs = 0;
      return;
    }
    this.#quietMs += FRAME_MS;
    if (this.#agentPlaying && this.#quietMs >= AGENT_DONE_QUIET_MS) {
      this.#agentPlaying = false;
      if (this.#turnHeardMs > 0) this.#agentFinishedThisTurn = true;
      events.push({ type: 'agent-audio-finished', playedMs: this.#segmentMs });
    }
  }

  /** Moves through the turns that are over; stops at one that is still to be heard or is being spoken. */
  #advance(events: ScriptEvent[]): void {
    while (this.#speaking === undefined && !this.finished) {
      const turn = this.#turns[this.#turnIndex];
      if (turn === undefined) return;
      if (turn.speaker === 'caller') {
        this.#startSpeaking(turn, events);
        return;
      }
      if (agentSpeaks(turn) && !this.#agentTurnOver()) return;
      this.#nextTurn();
    }
  }

  #agentTurnOver(): boolean {
    if (this.#agentFinishedThisTurn) return true;
    // Barge-in: the caller's next turn starts after hearing that much of this one.
    const next = this.#turns[this.#turnIndex + 1];
    return next?.speaker === 'caller' && next.interruptAfterMs !== undefined && this.#turnHeardMs >= next.interruptAfterMs;
  }

  #nextTurn(): void {
    this.#turnIndex += 1;
    this.#turnHeardMs = 0;
    this.#agentFinishedThisTurn = false;
  }

  #startSpeaking(turn: CallerTurn, events: ScriptEvent[]): void {
    const audio = this.#audio.get(this.#turnIndex) ?? Buffer.alloc(0);
    this.#speaking = { turn, turnIndex: this.#turnIndex, callerTurn: this.#callerTurnsSpoken, audio, offset: 0 };
    events.push({ type: 'caller-speaking', callerTurn: this.#callerTurnsSpoken, turnIndex: this.#turnIndex, text: turn.say });
  }

  #speak(events: ScriptEvent[]): ScriptStep {
    const frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    const speaking = this.#speaking;
    if (speaking === undefined) return { frame, events, hangUp: false };
    // The last frame of a turn is padded with silence, as a phone would send it.
    speaking.audio.copy(frame, 0, speaking.offset, Math.min(speaking.offset + FRAME_BYTES, speaking.audio.length));
    speaking.offset += FRAME_BYTES;
    if (speaking.offset < speaking.audio.length) return { frame, events, hangUp: false };

    this.#speaking = undefined;
    this.#callerTurnsSpoken += 1;
    this.#nextTurn();
    events.push({ type: 'caller-done', callerTurn: speaking.callerTurn, turnIndex: speaking.turnIndex, spokenMs: speaking.audio.length / MULAW_BYTES_PER_MS });
    return { frame, events, hangUp: speaking.callerTurn === this.#hangUpAfterTurn };
  }
}
