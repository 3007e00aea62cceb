import { elapsedMs, type Stamp } from './frame-stamp.ts';

/**
 * Book-keeping for one direction of the bridge (caller → model or model →
 * caller): what each stream sent, what arrived on the far side, in which
 * order, and how long each frame took. "Lost" is sent but never received;
 * "reordered" is a frame whose sequence is lower than one already received
 * on that stream; "misrouted" is a frame that reached a receiver bound to a
 * different stream (one call hearing another's audio).
 */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface DirectionSummary {
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly reordered: number;
  readonly duplicated: number;
  readonly misrouted: number;
  /** Of the lost frames, how many were among the first `earlyFrames` of their stream (lost while a call was being connected). */
  readonly lostEarly: number;
  /** A few lost frames as "stream#sequence", for reading the service log against. */
  readonly lostExamples: readonly string[];
  /** Every frame of the run, ramp and wind-down included. */
  readonly latencyAll: LatencySummary;
  /** Frames sent inside the steady-state window only. */
  readonly latencySteady: LatencySummary;
}

interface StreamState {
  sent: number;
  received: number;
  maxSequence: number;
  reordered: number;
  duplicated: number;
  seen: Uint8Array;
}

// Sized up front from the expected frame counts: growing a buffer of several MiB mid-run stalled the bench's
// event loop for ~30 ms (fresh pages faulted in on a VM), which showed up as a latency spike of the service.
const MIN_SAMPLES = 1024;
const SIZE_MARGIN = 1.1;
const MAX_LOST_EXAMPLES = 8;

/** Growable pairs of (send time, latency), both in milliseconds since the run's origin. */
class SampleBuffer {
  #data: Float64Array;
  #length = 0;

  constructor(capacity: number) {
    this.#data = new Float64Array(Math.max(capacity, MIN_SAMPLES) * 2);
  }

  push(sentMs: number, latencyMs: number): void {
    if (this.#length * 2 >= this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length * 2] = sentMs;
    this.#data[this.#length * 2 + 1] = latencyMs;
    this.#length += 1;
  }

  /** Latencies grouped by send time into buckets of `bucketMs`. */
  buckets(bucketMs: number): Float64Array[] {
    const lists: (number[] | undefined)[] = [];
    for (let i = 0; i < this.#length; i += 1) {
      const bucket = Math.floor((this.#data[i * 2] ?? 0) / bucketMs);
      (lists[bucket] ??= []).push(this.#data[i * 2 + 1] ?? 0);
    }
    return Array.from(lists, (list) => Float64Array.from(list ?? []));
  }

  latencies(fromMs: number, toMs: number): Float64Array {
    const out = new Float64Array(this.#length);
    let n = 0;
    for (let i = 0; i < this.#length; i += 1) {
      const sentMs = this.#data[i * 2] ?? 0;
      if (sentMs >= fromMs && sentMs <= toMs) out[n++] = this.#data[i * 2 + 1] ?? 0;
    }
    return out.subarray(0, n);
  }
}

export function summarizeLatency(values: Float64Array): LatencySummary {
  if (values.length === 0) return { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  // Nearest-rank percentiles: the value below which p% of the samples fall.
  const at = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return {
    count: sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export class DirectionLedger {
  readonly #originNs: bigint;
  readonly #streams = new Map<number, StreamState>();
  readonly #boundStream = new Map<number, number>();
  readonly #samples: SampleBuffer;
  readonly #framesPerStream: number;
  #sent = 0;
  #received = 0;
  #misrouted = 0;

  /**
   * `originNs`: process.hrtime.bigint() at the start of the run; sample times are relative to it.
   * `streams` × `framesPerStream`: what the run is expected to send, so that no buffer grows under load.
   */
  constructor(originNs: bigint, streams: number, framesPerStream: number) {
    this.#originNs = originNs;
    this.#framesPerStream = Math.ceil(framesPerStream * SIZE_MARGIN);
    this.#samples = new SampleBuffer(streams * this.#framesPerStream);
  }

  get sentSoFar(): number {
    return this.#sent;
  }

  get receivedSoFar(): number {
    return this.#received;
  }

  sent(streamId: number): void {
    this.#sent += 1;
    this.#state(streamId).sent += 1;
  }

  /** A stamped frame arrived at `receiver` (a call index, or a model connection number) at `receivedNs`. */
  received(receiver: number, stamp: Stamp, receivedNs: bigint): void {
    this.#received += 1;
    const bound = this.#boundStream.get(receiver);
    if (bound === undefined) this.#boundStream.set(receiver, stamp.streamId);
    else if (bound !== stamp.streamId) this.#misrouted += 1;

    const state = this.#state(stamp.streamId);
    state.received += 1;
    if (stamp.sequence >= state.seen.length) {
      const bigger = new Uint8Array(Math.max(state.seen.length * 2, stamp.sequence + 1));
      bigger.set(state.seen);
      state.seen = bigger;
    }
    if (state.seen[stamp.sequence] === 1) state.duplicated += 1;
    state.seen[stamp.sequence] = 1;
    if (stamp.sequence < state.maxSequence) state.reordered += 1;
    else state.maxSequence = stamp.sequence;

    this.#samples.push(elapsedMs(this.#originNs, stamp.sentNs), elapsedMs(stamp.sentNs, receivedNs));
  }

  /** `steadyFromMs`..`steadyToMs`: the steady-state window, in ms since the origin. */
  /** Latency percentiles per `bucketMs` of send time, for seeing when the tail happens. */
  timeline(bucketMs: number): LatencySummary[] {
    return this.#samples.buckets(bucketMs).map(summarizeLatency);
  }

  /** `earlyFrames`: how many of a stream's first frames count as its start. Senders number frames from 0 without gaps. */
  summary(steadyFromMs: number, steadyToMs: number, earlyFrames: number): DirectionSummary {
    let lost = 0;
    let lostEarly = 0;
    let reordered = 0;
    let duplicated = 0;
    const lostExamples: string[] = [];
    for (const [streamId, state] of this.#streams) {
      for (let sequence = 0; sequence < state.sent; sequence += 1) {
        if (state.seen[sequence] === 1) continue;
        lost += 1;
        if (sequence < earlyFrames) lostEarly += 1;
        if (lostExamples.length < MAX_LOST_EXAMPLES) lostExamples.push(`${streamId}#${sequence}`);
      }
      reordered += state.reordered;
      duplicated += state.duplicated;
    }
    return {
      sent: this.#sent,
      received: this.#received,
      lost,
      reordered,
      duplicated,
      misrouted: this.#misrouted,
      lostEarly,
      lostExamples,
      latencyAll: summarizeLatency(this.#samples.latencies(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)),
      latencySteady: summarizeLatency(this.#samples.latencies(steadyFromMs, steadyToMs)),
    };
  }

  #state(streamId: number): StreamState {
    let state = this.#streams.get(streamId);
    if (state === undefined) {
      state = {
        sent: 0,
        received: 0,
        maxSequence: -1,
        reordered: 0,
        duplicated: 0,
        seen: new Uint8Array(this.#framesPerStream),
      };
      this.#streams.set(streamId, state);
    }
    return state;
  }
}
