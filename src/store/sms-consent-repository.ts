import type { Client } from '@libsql/client';
import type { FieldCipher } from './field-cipher.ts';

/**
 * Who has told us not to text them. Keyed by the keyed phone hash, looked
 * up under every data key still configured, so an opt-out survives a key
 * rotation before and after `npm run rekey`.
 */

export function consentContext(phoneHash: string): string {
  return `sms_consent/${phoneHash}/phone`;
}

export class SmsConsentRepository {
  readonly #db: Client;
  readonly #cipher: FieldCipher;
  readonly #now: () => Date;

  constructor(db: Client, cipher: FieldCipher, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#cipher = cipher;
    this.#now = now;
  }

  /** `source`: the keyword that was texted (STOP, UNSUBSCRIBE…) or the Twilio error that told us. */
  async optOut(phone: string, source: string): Promise<void> {
    await this.#set(phone, true, source);
  }

  async optIn(phone: string, source: string): Promise<void> {
    await this.#set(phone, false, source);
  }

  async isOptedOut(phone: string): Promise<boolean> {
    const hashes = this.#cipher.lookupHashes(phone);
    const result = await this.#db.execute({
      sql: `SELECT opted_out FROM sms_consent WHERE phone_hash IN (${hashes.map(() => '?').join(', ')}) ORDER BY updated_at DESC LIMIT 1`,
      args: hashes,
    });
    return Number(result.rows[0]?.opted_out ?? 0) === 1;
  }

  async #set(phone: string, optedOut: boolean, source: string): Promise<void> {
    const hash = this.#cipher.lookupHash(phone);
    const stale = this.#cipher.lookupHashes(phone).filter((h) => h !== hash);
    await this.#db.batch(
      [
        // A record under an older key would otherwise keep answering for this number.
        ...(stale.length > 0
          ? [{ sql: `DELETE FROM sms_consent WHERE phone_hash IN (${stale.map(() => '?').join(', ')})`, args: stale }]
          : []),
        {
          sql: `INSERT INTO sms_consent (phone_hash, phone, opted_out, source, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
              ON CONFLICT (phone_hash) DO UPDATE SET opted_out = ?3, source = ?4, updated_at = ?5`,
          args: [
            hash,
            this.#cipher.encrypt(phone, consentContext(hash)),
            optedOut ? 1 : 0,
            source,
            this.#now().toISOString(),
          ],
        },
      ],
      'write',
    );
  }
}
