import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataKey } from '../keys/data-keys.ts';
import { deriveSubkey } from '../keys/subkeys.ts';

/**
 * "Resume anywhere": the link that lets a caller whose call could not finish
 * (the model was down, the IVR gave up) finish the same draft on the web
 * form. `{base}/apply/resume/{token}`, where the token is, in base64url,
 *
 *   16 bytes  the application id (a random UUID, nothing personal)
 *    4 bytes  the expiry, Unix seconds, big-endian (good until 2106)
 *   12 bytes  HMAC-SHA256 of the 20 bytes above, truncated
 *
 * 32 bytes make 43 characters with no padding, so with a 30-character origin
 * the link is 87 characters: short enough for an SMS. Whoever holds the link
 * can see the draft's answers until it expires or is submitted, so it is
 * sent only to the applicant and never logged (see `withoutResumeToken`).
 */

const LINK_INFO = 'permitline web resume link v1';
export const RESUME_PATH_PREFIX = '/apply/resume/';
/** A week: long enough to come back to it after a dropped call, short enough that an old text stops opening the answers. */
export const DEFAULT_RESUME_TTL_SECONDS = 7 * 24 * 60 * 60;

const ID_BYTES = 16;
const EXPIRY_BYTES = 4;
// 96 bits, as the SMS review link: each guess costs a request, so guessing is hopeless, and the link stays short.
const MAC_BYTES = 12;
const TOKEN_BYTES = ID_BYTES + EXPIRY_BYTES + MAC_BYTES;
/** Characters of a token: base64url without padding. */
export const RESUME_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const MAX_EXPIRY_SECONDS = 2 ** (8 * EXPIRY_BYTES) - 1;
const MS_PER_SECOND = 1000;
// Application ids are randomUUID()s, which are lower case.
const APPLICATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_GROUPS = [8, 4, 4, 4, 12] as const;

export type ResumeTokenCheck =
  | { readonly ok: true; readonly applicationId: string; readonly expiresAt: Date }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired' };

export interface ResumeLinksOptions {
  /** How long a link opens its draft; a week by default. */
  readonly ttlSeconds?: number;
  /** Milliseconds since the epoch; tests move it. */
  readonly now?: () => number;
}

export class ResumeLinks {
  readonly #base: string;
  readonly #keys: readonly Buffer[];
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  /** `dataKeys`: the first signs; all of them verify, so links sent before a key rotation keep working while the old key is listed. */
  constructor(publicBaseUrl: URL, dataKeys: readonly DataKey[], options: ResumeLinksOptions = {}) {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_RESUME_TTL_SECONDS;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error(`ResumeLinks: ttlSeconds must be a whole number of seconds above 0, not ${ttlSeconds}`);
    if (dataKeys.length === 0) throw new Error('ResumeLinks: no data key to sign resume links with');
    this.#base = publicBaseUrl.href.replace(/\/$/, '');
    this.#keys = dataKeys.map((k) => deriveSubkey(k.key, LINK_INFO));
    this.#ttlSeconds = ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  /** The link to text to the applicant; valid for the configured time from now. */
  linkFor(applicationId: string): string {
    return `${this.#base}${RESUME_PATH_PREFIX}${this.tokenFor(applicationId)}`;
  }

  /** The part of the link after RESUME_PATH_PREFIX. */
  tokenFor(applicationId: string): string {
    if (!APPLICATION_ID.test(applicationId)) throw new Error('ResumeLinks: an application id is a lower-case UUID');
    const expires = Math.floor(this.#now() / MS_PER_SECOND) + this.#ttlSeconds;
    if (expires > MAX_EXPIRY_SECONDS) throw new Error('ResumeLinks: expiry does not fit the token');
    const payload = Buffer.alloc(ID_BYTES + EXPIRY_BYTES);
    Buffer.from(applicationId.replaceAll('-', ''), 'hex').copy(payload);
    payload.writeUInt32BE(expires, ID_BYTES);
    return Buffer.concat([payload, mac(this.#signingKey(), payload)]).toString('base64url');
  }

  /**
   * The draft a token opens. A token we did not sign is `forged` even when
   * its expiry has passed: only a genuine link is told it has expired.
   */
  verify(token: string): ResumeTokenCheck {
    if (token.length !== RESUME_TOKEN_LENGTH || !BASE64URL.test(token)) return { ok: false, reason: 'malformed' };
    const bytes = Buffer.from(token, 'base64url');
    // Base64 has more than one spelling of some byte strings (the spare low bits of the last character); only ours is accepted.
    if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token)
      return { ok: false, reason: 'malformed' };
    const payload = bytes.subarray(0, ID_BYTES + EXPIRY_BYTES);
    const given = bytes.subarray(ID_BYTES + EXPIRY_BYTES);
    if (!this.#keys.some((key) => timingSafeEqual(given, mac(key, payload)))) return { ok: false, reason: 'forged' };
    const expires = payload.readUInt32BE(ID_BYTES);
    if (expires * MS_PER_SECOND <= this.#now()) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      applicationId: uuidFrom(payload.subarray(0, ID_BYTES)),
      expiresAt: new Date(expires * MS_PER_SECOND),
    };
  }

  #signingKey(): Buffer {
    const [key] = this.#keys;
    if (key === undefined) throw new Error('ResumeLinks: no data key to sign resume links with');
    return key;
  }
}

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}

function uuidFrom(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  const groups: string[] = [];
  let at = 0;
  for (const length of UUID_GROUPS) {
    groups.push(hex.slice(at, at + length));
    at += length;
  }
  return groups.join('-');
}

const RESUME_PATH_WITH_TOKEN = /(\/apply\/resume\/)[^/?#]+/;

/**
 * A request URL fit for the log: the token in a resume link opens the
 * applicant's answers, so whoever reads the logs must not be able to.
 */
export function withoutResumeToken(url: string): string {
  return url.replace(RESUME_PATH_WITH_TOKEN, '$1[token]');
}
