import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataKey } from '../keys/data-keys.ts';
import { deriveSubkey } from '../keys/subkeys.ts';

/**
 * The short-lived token the voice webhook puts in <Stream><Parameter>, and
 * the media socket requires in `start.customParameters`: an HMAC over the
 * CallSid and an expiry, so a socket can only carry the call it was issued
 * for, and only for about a minute. Stops toll fraud and prompt leaks from
 * anyone who learns the socket URL.
 */
const TOKEN_INFO = 'permitline media stream token v1';

export type StreamTokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'forged' };

export class StreamTokens {
  readonly #key: Buffer;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(dataKey: DataKey, ttlSeconds: number, now: () => number = Date.now) {
    // A key of its own, derived from the current data key: compromise of one use never reveals another.
    this.#key = deriveSubkey(dataKey.key, TOKEN_INFO);
    this.#ttlSeconds = ttlSeconds;
    this.#now = now;
  }

  issue(callSid: string): string {
    const expires = Math.floor(this.#now() / 1000) + this.#ttlSeconds;
    return `${expires}.${this.#mac(callSid, expires)}`;
  }

  check(token: string | undefined, callSid: string): StreamTokenCheck {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const expires = Number(match[1]);
    const given = Buffer.from(match[2] ?? '', 'base64url');
    const expected = Buffer.from(this.#mac(callSid, expires), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    if (expires * 1000 < this.#now()) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  #mac(callSid: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${callSid}.${expires}`).digest('base64url');
  }
}
