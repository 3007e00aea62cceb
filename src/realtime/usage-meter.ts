import type { TokenPrices } from '../config/config.ts';
import type { ResponseUsage, TranscriptionUsage } from './realtime-server-events.ts';

/**
 * Sums a call's token usage from every response.done and prices it. Every
 * response re-sends the conversation, so cost grows with each turn; cached
 * input is billed at the cached rate (docs/protocols.md, §2 Realtime: cost).
 */
const TOKENS_PER_MILLION = 1_000_000;

export interface UsageTotals {
  text_in: number;
  text_cached: number;
  text_out: number;
  audio_in: number;
  audio_cached: number;
  audio_out: number;
  transcription_in: number;
  transcription_out: number;
  transcription_seconds: number;
}

export class UsageMeter {
  readonly #prices: TokenPrices;
  readonly #totals: UsageTotals = {
    text_in: 0,
    text_cached: 0,
    text_out: 0,
    audio_in: 0,
    audio_cached: 0,
    audio_out: 0,
    transcription_in: 0,
    transcription_out: 0,
    transcription_seconds: 0,
  };

  constructor(prices: TokenPrices) {
    this.#prices = prices;
  }

  add(usage: ResponseUsage): void {
    const input = usage.input_token_details;
    const cached = input?.cached_tokens_details;
    const textCached = cached?.text_tokens ?? 0;
    const audioCached = cached?.audio_tokens ?? 0;
    this.#totals.text_in += Math.max((input?.text_tokens ?? 0) - textCached, 0);
    this.#totals.audio_in += Math.max((input?.audio_tokens ?? 0) - audioCached, 0);
    this.#totals.text_cached += textCached;
    this.#totals.audio_cached += audioCached;
    this.#totals.text_out += usage.output_token_details?.text_tokens ?? 0;
    this.#totals.audio_out += usage.output_token_details?.audio_tokens ?? 0;
  }

  /** The caller's transcription, billed separately from the conversation. */
  addTranscription(usage: TranscriptionUsage): void {
    this.#totals.transcription_in += usage.input_tokens ?? 0;
    this.#totals.transcription_out += usage.output_tokens ?? 0;
    this.#totals.transcription_seconds += usage.seconds ?? 0;
  }

  get totals(): Readonly<UsageTotals> {
    return { ...this.#totals };
  }

  get inputTokens(): number {
    const t = this.#totals;
    return t.text_in + t.text_cached + t.audio_in + t.audio_cached;
  }

  get outputTokens(): number {
    return this.#totals.text_out + this.#totals.audio_out;
  }

  get costUsd(): number {
    const t = this.#totals;
    const p = this.#prices;
    const dollars =
      t.text_in * p.text_in +
      t.text_cached * p.text_cached +
      t.text_out * p.text_out +
      t.audio_in * p.audio_in +
      t.audio_cached * p.audio_cached +
      t.audio_out * p.audio_out +
      t.transcription_in * p.transcription_in +
      t.transcription_out * p.transcription_out;
    return dollars / TOKENS_PER_MILLION;
  }

  /** The part of costUsd that is the caller's transcription (billed under the transcription model). */
  get transcriptionCostUsd(): number {
    const t = this.#totals;
    const p = this.#prices;
    return (t.transcription_in * p.transcription_in + t.transcription_out * p.transcription_out) / TOKENS_PER_MILLION;
  }
}
