import { base64urlLength } from '../keys/canonical-base64.ts';
import { RESUME_WINDOW_SECONDS } from '../intake/resumable-drafts.ts';
import type { DataKey } from '../keys/data-keys.ts';
import { SignedTokens, type BinaryTokenFormat } from '../keys/signed-tokens.ts';

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
 * sent only to the applicant and never logged (see `src/web/request-log.ts`).
 */

export const RESUME_PATH_PREFIX = '/apply/resume/';
/**
 * The resume window, as for a caller phoning back: long enough to come back to it after a dropped call, short
 * enough that an old text stops opening the answers.
 */
export const DEFAULT_RESUME_TTL_SECONDS = RESUME_WINDOW_SECONDS;

const ID_BYTES = 16;
const EXPIRY_BYTES = 4;
const PAYLOAD_BYTES = ID_BYTES + EXPIRY_BYTES;
// 96 bits, as the SMS review link: each guess costs a request, so guessing is hopeless, and the link stays short.
const MAC_BYTES = 12;
/** Characters of a token: base64url without padding. */
export const RESUME_TOKEN_LENGTH = base64urlLength(PAYLOAD_BYTES + MAC_BYTES);
const MAX_EXPIRY_SECONDS = 2 ** (8 * EXPIRY_BYTES) - 1;
const MS_PER_SECOND = 1000;
const SECONDS_PER_DAY = 24 * 60 * 60;
// Application ids are randomUUID()s, which are lower case.
const APPLICATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_GROUPS = [8, 4, 4, 4, 12] as const;

export interface ResumeTokenClaims {
  readonly applicationId: string;
  readonly expiresAtSeconds: number;
}

export const RESUME_TOKEN_FORMAT: BinaryTokenFormat<ResumeTokenClaims> = {
  name: 'ResumeLinks',
  purpose: 'permitline web resume link v1',
  macBytes: MAC_BYTES,
  encoding: 'base64url',
  payloadBytes: PAYLOAD_BYTES,
  write: ({ applicationId, expiresAtSeconds }) => {
    if (expiresAtSeconds > MAX_EXPIRY_SECONDS) throw new Error('ResumeLinks: expiry does not fit the token');
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    Buffer.from(applicationId.replaceAll('-', ''), 'hex').copy(payload);
    payload.writeUInt32BE(expiresAtSeconds, ID_BYTES);
    return payload;
  },
  read: (payload) => ({
    applicationId: uuidFrom(payload.subarray(0, ID_BYTES)),
    expiresAtSeconds: payload.readUInt32BE(ID_BYTES),
  }),
  expiresAtSeconds: (claims) => claims.expiresAtSeconds,
};

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
  readonly #tokens: SignedTokens<ResumeTokenClaims>;
  readonly #ttlSeconds: number;

  /** `dataKeys`: the first signs; all of them verify, so links sent before a key rotation keep working while the old key is listed. */
  constructor(publicBaseUrl: URL, dataKeys: readonly DataKey[], options: ResumeLinksOptions = {}) {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_RESUME_TTL_SECONDS;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error(`ResumeLinks: ttlSeconds must be a whole number of seconds above 0, not ${ttlSeconds}`);
    this.#base = publicBaseUrl.href.replace(/\/$/, '');
    this.#tokens = new SignedTokens(dataKeys, RESUME_TOKEN_FORMAT, options.now);
    this.#ttlSeconds = ttlSeconds;
  }

  /** How long a new link opens its draft, in whole days (rounded up): what the text tells the applicant. */
  get validDays(): number {
    return Math.ceil(this.#ttlSeconds / SECONDS_PER_DAY);
  }

  /** The link to text to the applicant; valid for the configured time from now. */
  linkFor(applicationId: string): string {
    return this.linkWith(this.tokenFor(applicationId));
  }

  /** The link that carries `token` (one tokenFor made): for a page that shows both, without signing twice. */
  linkWith(token: string): string {
    return `${this.#base}${RESUME_PATH_PREFIX}${token}`;
  }

  /** The part of the link after RESUME_PATH_PREFIX. */
  tokenFor(applicationId: string): string {
    if (!APPLICATION_ID.test(applicationId)) throw new Error('ResumeLinks: an application id is a lower-case UUID');
    return this.#tokens.issue({ applicationId, expiresAtSeconds: this.#tokens.expiryAfter(this.#ttlSeconds) });
  }

  /** The draft a token opens; only a genuine link is told it has expired. */
  verify(token: string): ResumeTokenCheck {
    const check = this.#tokens.verify(token);
    if (!check.ok) return check;
    return {
      ok: true,
      applicationId: check.claims.applicationId,
      expiresAt: new Date(check.claims.expiresAtSeconds * MS_PER_SECOND),
    };
  }
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
