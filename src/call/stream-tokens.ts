import type { DataKey } from '../keys/data-keys.ts';
import { SignedTokens, type TextTokenFormat } from '../keys/signed-tokens.ts';

/**
 * The short-lived token the voice webhook puts in <Stream><Parameter>, and
 * the media socket requires in `start.customParameters`: an HMAC over the
 * CallSid and an expiry, so a socket can only carry the call it was issued
 * for, and only for about a minute. Stops toll fraud and prompt leaks from
 * anyone who learns the socket URL.
 *
 * `{expires}.{mac}`: the expiry in Unix seconds, then the full HMAC-SHA256 of
 * `{CallSid}.{expires}` in base64url. The CallSid is not in the token: Twilio
 * gives it to the socket beside the token.
 */

export interface StreamTokenClaims {
  readonly callSid: string;
  readonly expiresAtSeconds: number;
}

const TOKEN_SHAPE = /^(\d{1,12})\.([A-Za-z0-9_-]+)$/;
// The whole HMAC-SHA256: the token rides in TwiML, not an SMS, so its length costs nothing.
const MAC_BYTES = 32;

export const STREAM_TOKEN_FORMAT: TextTokenFormat<StreamTokenClaims, string> = {
  name: 'StreamTokens',
  purpose: 'permitline media stream token v1',
  macBytes: MAC_BYTES,
  encoding: 'text',
  signedText: ({ callSid, expiresAtSeconds }) => `${callSid}.${expiresAtSeconds}`,
  write: ({ expiresAtSeconds }, mac) => `${expiresAtSeconds}.${mac}`,
  read: (token, callSid) => {
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return undefined;
    return { claims: { callSid, expiresAtSeconds: Number(match[1]) }, mac: match[2] ?? '' };
  },
  expiresAtSeconds: (claims) => claims.expiresAtSeconds,
};

export type StreamTokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'forged' };

export class StreamTokens {
  readonly #tokens: SignedTokens<StreamTokenClaims, string>;
  readonly #ttlSeconds: number;

  /**
   * `dataKeys`: the first signs, all of them verify, so a key rotation during
   * a call's first minute does not refuse its stream.
   */
  constructor(dataKeys: readonly DataKey[], ttlSeconds: number, now: () => number = Date.now) {
    this.#tokens = new SignedTokens(dataKeys, STREAM_TOKEN_FORMAT, now);
    this.#ttlSeconds = ttlSeconds;
  }

  issue(callSid: string): string {
    return this.#tokens.issue({ callSid, expiresAtSeconds: this.#tokens.expiryAfter(this.#ttlSeconds) });
  }

  check(token: string | undefined, callSid: string): StreamTokenCheck {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const check = this.#tokens.verify(token, callSid);
    return check.ok ? { ok: true } : check;
  }
}
