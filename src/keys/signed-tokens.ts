import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { base64urlLength, decodeCanonical } from './canonical-base64.ts';
import type { DataKey } from './data-keys.ts';
import { SubkeyRing } from './subkeys.ts';

/**
 * Tokens we hand out and later take back (the media-stream token, the SMS
 * review link, the web resume link): HMAC-SHA256 under a subkey of their own,
 * signed with the current data key and accepted under any listed one, so a
 * key rotation does not break tokens already issued.
 *
 * Each use supplies only its format: how its claims and the MAC appear in the
 * token, and what the MAC covers. Everything that is easy to get subtly wrong
 * is here, once: the subkey, truncation, canonical base64url, the
 * constant-time comparison, and checking expiry only after authenticity, so
 * a token we did not sign is `forged` even when its expiry has passed, and
 * only a genuine one is told it has `expired`.
 */

const HMAC_DIGEST = 'sha256';
const HMAC_BYTES = 32;
const MS_PER_SECOND = 1000;

interface FormatBasics<Claims> {
  /** Names the user in error messages, e.g. "ResumeLinks". */
  readonly name: string;
  /** The HKDF label of the format's subkey; changing it invalidates every token already issued. */
  readonly purpose: string;
  /** How many leading bytes of the HMAC the token carries. */
  readonly macBytes: number;
  /** When genuine claims stop being accepted, in Unix seconds; leave out for a token that never expires. */
  readonly expiresAtSeconds?: (claims: Claims) => number;
}

/** A token of text fields with the MAC, in base64url, as one of them. */
export interface TextTokenFormat<Claims, Context> extends FormatBasics<Claims> {
  readonly encoding: 'text';
  /** What the MAC covers, as UTF-8. */
  readonly signedText: (claims: Claims) => string;
  readonly write: (claims: Claims, mac: string) => string;
  /**
   * The claims a token states and its MAC text, or undefined when it is not
   * shaped like one. `context` supplies claims the token does not carry.
   */
  readonly read: (token: string, context: Context) => { readonly claims: Claims; readonly mac: string } | undefined;
}

/** A token that is the base64url of a fixed-size payload followed by the MAC over that payload. */
export interface BinaryTokenFormat<Claims> extends FormatBasics<Claims> {
  readonly encoding: 'base64url';
  readonly payloadBytes: number;
  readonly write: (claims: Claims) => Buffer;
  /** The claims in a payload of `payloadBytes` bytes, or undefined when they are not a valid payload. */
  readonly read: (payload: Buffer) => Claims | undefined;
}

export type SignedTokenFormat<Claims, Context = void> = TextTokenFormat<Claims, Context> | BinaryTokenFormat<Claims>;

export type SignedTokenRefusal = 'malformed' | 'forged' | 'expired';

export type SignedTokenCheck<Claims> =
  | { readonly ok: true; readonly claims: Claims; readonly keyId: string }
  | { readonly ok: false; readonly reason: SignedTokenRefusal };

interface ReadToken<Claims> {
  readonly claims: Claims;
  readonly signed: Buffer;
  readonly mac: Buffer;
}

export class SignedTokens<Claims, Context = void> {
  readonly #format: SignedTokenFormat<Claims, Context>;
  readonly #ring: SubkeyRing;
  readonly #now: () => number;

  /** `dataKeys`: the first signs, every one verifies. `now` is milliseconds since the epoch. */
  constructor(dataKeys: readonly DataKey[], format: SignedTokenFormat<Claims, Context>, now: () => number = Date.now) {
    if (!Number.isInteger(format.macBytes) || format.macBytes < 1 || format.macBytes > HMAC_BYTES) {
      throw new Error(`${format.name}: a MAC is 1 to ${HMAC_BYTES} bytes of HMAC-SHA256, not ${format.macBytes}`);
    }
    this.#format = format;
    this.#ring = new SubkeyRing(dataKeys, format.purpose, format.name);
    this.#now = now;
  }

  /** The Unix second `ttlSeconds` from now, on this instance's clock. */
  expiryAfter(ttlSeconds: number): number {
    return Math.floor(this.#now() / MS_PER_SECOND) + ttlSeconds;
  }

  /** A token for `claims`, signed with the current data key's subkey. */
  issue(claims: Claims): string {
    const format = this.#format;
    const key = this.#ring.current.key;
    if (format.encoding === 'base64url') {
      const payload = format.write(claims);
      if (payload.length !== format.payloadBytes) {
        throw new Error(`${format.name}: a payload is ${format.payloadBytes} bytes, not ${payload.length}`);
      }
      return Buffer.concat([payload, this.#mac(key, payload)]).toString('base64url');
    }
    return format.write(claims, this.#mac(key, Buffer.from(format.signedText(claims), 'utf8')).toString('base64url'));
  }

  /** The claims of a token we signed under any listed data key, with that key's id. */
  verify(token: string, context: Context): SignedTokenCheck<Claims> {
    const read = this.#read(token, context);
    if (read === undefined) return { ok: false, reason: 'malformed' };
    // Every listed key, so a token issued just before a rotation still verifies.
    const signer = this.#ring.all.find(({ key }) => timingSafeEqual(read.mac, this.#mac(key, read.signed)));
    if (signer === undefined) return { ok: false, reason: 'forged' };
    const expiresAtSeconds = this.#format.expiresAtSeconds?.(read.claims);
    if (expiresAtSeconds !== undefined && expiresAtSeconds * MS_PER_SECOND <= this.#now()) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, claims: read.claims, keyId: signer.keyId };
  }

  #read(token: string, context: Context): ReadToken<Claims> | undefined {
    const format = this.#format;
    if (format.encoding === 'base64url') {
      const tokenBytes = format.payloadBytes + format.macBytes;
      // The length first, so no request can make us decode a long string.
      if (token.length !== base64urlLength(tokenBytes)) return undefined;
      const bytes = decodeCanonical(token, 'base64url', tokenBytes);
      if (bytes === undefined) return undefined;
      const signed = bytes.subarray(0, format.payloadBytes);
      const claims = format.read(signed);
      return claims === undefined ? undefined : { claims, signed, mac: bytes.subarray(format.payloadBytes) };
    }
    const parts = format.read(token, context);
    if (parts === undefined) return undefined;
    const mac = decodeCanonical(parts.mac, 'base64url', format.macBytes);
    if (mac === undefined) return undefined;
    return { claims: parts.claims, signed: Buffer.from(format.signedText(parts.claims), 'utf8'), mac };
  }

  #mac(key: KeyObject, signed: Buffer): Buffer {
    return createHmac(HMAC_DIGEST, key).update(signed).digest().subarray(0, this.#format.macBytes);
  }
}
