import { FRAME_BYTES, FRAME_MS, MULAW_BYTES_PER_MS, MULAW_SILENCE } from '../protocols/media-stream-messages.ts';
import { isToolCall, type AgentTurn, type CallerTurn, type LoadedScenario } from './scenario.ts';

/**
 * The simulated caller's side of the conversation, one 20 ms frame at a
 * time: it listens to what the phone played, decides when the agent has
 * finished (or when to barge in), and produces the caller's next frame of
 * audio. Pure: no clock, no socket; the call simulator drives it.
 *
 * Like a person, it answers the question it hears rather than the next line
 * on its sheet: when the phone plays the start of one of the scenario's agent
 * lines, the script moves to that agent turn. A model that lost its place
 * (a reconnect) and asks again is answered again.
 *
 * Agent speech that is none of the scenario's lines (beyond the rest of the
 * last line recognised) is counted as off-script: a service whose simulator
 * plays another scenario than the caller's sounds like that.
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

/** Agent lines are recognised by their opening audio; never shorter than this. */
const MIN_LINE_OPENING_BYTES = 800;
/** Off-script agent audio kept for the caller to say what it heard: enough to hold a few line openings. */
const MAX_OFF_SCRIPT_AUDIO_BYTES = 10_000 * MULAW_BYTES_PER_MS;

type Speaking = {
  readonly turn: CallerTurn;
  readonly turnIndex: number;
  readonly callerTurn: number;
  readonly audio: Buffer;
  offset: number;
};

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
  /** The opening bytes of each agent line, and the turn it belongs to. */
  readonly #lineOpenings: { readonly opening: Buffer; readonly turnIndex: number; readonly audio: Buffer }[] = [];
  /** The latest agent audio heard, long enough to hold any line's opening. */
  #recentAgentAudio = Buffer.alloc(0);
  #openingBytes = MIN_LINE_OPENING_BYTES;
  /** The lines whose opening was recognised last, and how far into them the phone has played: the rest must follow. */
  #playingLines: { readonly audio: Buffer; offset: number }[] = [];
  /** Agent speech heard since the last line recognised that belongs to none of the scenario's lines (ms). */
  #offScriptMs = 0;
  #offScriptAudio: Buffer[] = [];
  #offScriptAudioBytes = 0;

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
    this.#learnAgentLines(scenario);
  }

  /** Openings long enough that no two different lines share one. */
  #learnAgentLines(scenario: LoadedScenario): void {
    const lines = scenario.turns.flatMap((turn, turnIndex) =>
      turn.speaker === 'agent'
        ? turn.outputs.flatMap((output) =>
            isToolCall(output) ? [] : [{ audio: agentAudioOf(scenario, output.audio), turnIndex }],
          )
        : [],
    );
    let shared = 0;
    for (const [i, a] of lines.entries()) {
      for (const b of lines.slice(i + 1)) {
        if (a.audio.length === 0 || a.audio.equals(b.audio)) continue;
        shared = Math.max(shared, commonPrefixLength(a.audio, b.audio));
      }
    }
    this.#openingBytes = Math.max(MIN_LINE_OPENING_BYTES, shared + FRAME_BYTES);
    for (const line of lines) {
      if (line.audio.length >= this.#openingBytes)
        this.#lineOpenings.push({
          opening: line.audio.subarray(0, this.#openingBytes),
          turnIndex: line.turnIndex,
          audio: line.audio,
        });
    }
  }

  get callerTurnsSpoken(): number {
    return this.#callerTurnsSpoken;
  }

  /**
   * Agent speech (ms) heard since the last recognised line that is not the rest of that line: none of the
   * scenario's lines. Always 0 for a scenario without agent audio, whose lines cannot be recognised.
   */
  get offScriptMs(): number {
    return this.#offScriptMs;
  }

  /** The off-script agent audio itself (its first 10 s), to tell which scenario the service plays. */
  get offScriptAudio(): Buffer {
    return Buffer.concat(this.#offScriptAudio);
  }

  /** What the caller waits to hear: the first line of the agent turn in progress or next, if any. */
  get expectedAgentLine(): string | undefined {
    for (const turn of this.#turns.slice(this.#turnIndex)) {
      if (turn.speaker !== 'agent') continue;
      const speech = turn.outputs.find((output) => !isToolCall(output));
      if (speech !== undefined && !isToolCall(speech)) return speech.say;
    }
    return undefined;
  }

  /** True once every turn of the scenario has been heard or spoken. */
  get finished(): boolean {
    return this.#turnIndex >= this.#turns.length;
  }

  /** One 20 ms tick: `agentAudio` is the agent's audio the phone just played (empty when it played none). */
  step(agentAudio: Buffer): ScriptStep {
    const events: ScriptEvent[] = [];
    this.#listen(agentAudio.length, events);
    if (!this.#recognise(agentAudio)) this.#judgeOnScript(agentAudio);
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

  /** When the phone plays the opening of a known agent line, that is the turn the caller is in now. True if one played. */
  #recognise(agentAudio: Buffer): boolean {
    if (agentAudio.length === 0) return false;
    const recent = Buffer.concat([this.#recentAgentAudio, agentAudio]);
    this.#recentAgentAudio = recent.subarray(Math.max(0, recent.length - this.#openingBytes - FRAME_BYTES));
    // An opening is recognised in the frame that completes it, so search only where one could have ended.
    const window = this.#recentAgentAudio.subarray(
      Math.max(0, this.#recentAgentAudio.length - this.#openingBytes - agentAudio.length),
    );
    const lines = this.#lineOpenings.flatMap((line) => {
      const at = window.indexOf(line.opening);
      return at === -1 ? [] : [{ ...line, offset: window.length - at }];
    });
    if (lines.length === 0) return false;
    // A known line is playing, whoever is talking: the rest of it, byte for byte, is on script.
    this.#playingLines = lines.map((line) => ({ audio: line.audio, offset: line.offset }));
    this.#offScriptMs = 0;
    this.#offScriptAudio = [];
    this.#offScriptAudioBytes = 0;
    // Someone talking does not stop mid-sentence because the agent started a line; they answer what comes after.
    if (this.#speaking !== undefined) return true;
    const heard = lines.map((line) => line.turnIndex);
    // The same audio in two turns: the nearest one ahead is the one the agent is most likely at.
    const ahead = heard.filter((turnIndex) => turnIndex >= this.#turnIndex);
    const turnIndex = ahead.length > 0 ? Math.min(...ahead) : Math.max(...heard);
    if (turnIndex === this.#turnIndex) return true;
    this.#turnIndex = turnIndex;
    this.#turnHeardMs = this.#openingBytes / MULAW_BYTES_PER_MS;
    this.#agentFinishedThisTurn = false;
    return true;
  }

  /** Agent audio that does not carry on the last recognised line, byte for byte, counts as off-script. */
  #judgeOnScript(agentAudio: Buffer): void {
    if (agentAudio.length === 0 || this.#lineOpenings.length === 0) return;
    this.#playingLines = this.#playingLines.filter((line) => {
      const expected = line.audio.subarray(line.offset, line.offset + agentAudio.length);
      line.offset += agentAudio.length;
      return expected.equals(agentAudio);
    });
    if (this.#playingLines.length > 0) return;
    this.#offScriptMs += agentAudio.length / MULAW_BYTES_PER_MS;
    if (this.#offScriptAudioBytes < MAX_OFF_SCRIPT_AUDIO_BYTES) {
      this.#offScriptAudio.push(Buffer.from(agentAudio));
      this.#offScriptAudioBytes += agentAudio.length;
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
    return (
      next?.speaker === 'caller' && next.interruptAfterMs !== undefined && this.#turnHeardMs >= next.interruptAfterMs
    );
  }

  #nextTurn(): void {
    this.#turnIndex += 1;
    this.#turnHeardMs = 0;
    this.#agentFinishedThisTurn = false;
  }

  #startSpeaking(turn: CallerTurn, events: ScriptEvent[]): void {
    const audio = this.#audio.get(this.#turnIndex) ?? Buffer.alloc(0);
    this.#speaking = { turn, turnIndex: this.#turnIndex, callerTurn: this.#callerTurnsSpoken, audio, offset: 0 };
    events.push({
      type: 'caller-speaking',
      callerTurn: this.#callerTurnsSpoken,
      turnIndex: this.#turnIndex,
      text: turn.say,
    });
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
    events.push({
      type: 'caller-done',
      callerTurn: speaking.callerTurn,
      turnIndex: speaking.turnIndex,
      spokenMs: speaking.audio.length / MULAW_BYTES_PER_MS,
    });
    return { frame, events, hangUp: speaking.callerTurn === this.#hangUpAfterTurn };
  }
}

/** The agent's audio is the model's to play: a scenario may leave it out, and then its lines are simply not recognised. */
function agentAudioOf(scenario: LoadedScenario, file: string): Buffer {
  try {
    return scenario.audioOf(file);
  } catch {
    return Buffer.alloc(0);
  }
}

function commonPrefixLength(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a[i] === b[i]) i += 1;
  return i;
}
