import type { Client } from '@libsql/client';
import { callContext } from './call-repository.ts';
import type { FieldCipher } from './field-cipher.ts';
import { outboxContext } from './sms-outbox-repository.ts';
import { textColumn } from './row-values.ts';
import type { CallSearch } from './staff-call-directory.ts';

/**
 * The right to erasure: every personal value of one applicant (found by
 * reference or by phone) is wiped in one transaction, while the rows stay so
 * counts, outcomes and the audit trail survive. Personal fields are deleted;
 * the caller's number and texts are replaced by encrypted empty strings (so
 * readers need no special case); transcripts are deleted; an unsent text is
 * failed so it can never go out. Recordings live outside the database: the
 * caller of `erase` deletes them for the calls it returns.
 */

export interface ErasureResult {
  readonly applicationIds: readonly string[];
  readonly callSids: readonly string[];
}

export class ApplicantErasure {
  readonly #db: Client;
  readonly #cipher: FieldCipher;
  readonly #now: () => Date;

  constructor(db: Client, cipher: FieldCipher, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#cipher = cipher;
    this.#now = now;
  }

  async erase(target: CallSearch): Promise<ErasureResult> {
    const found = await this.find(target);
    await this.eraseRecords(found);
    return found;
  }

  /**
   * Erases exactly these applications and calls, in one transaction, as `erase`
   * does for one applicant's: the retention job chooses them by age. Erasing
   * what is already erased changes nothing that matters (it stays erased, at
   * its first time).
   */
  async eraseRecords(records: ErasureResult): Promise<void> {
    const { applicationIds, callSids } = records;
    if (applicationIds.length === 0 && callSids.length === 0) return;
    const now = this.#now().toISOString();
    const apps = applicationIds.map(() => '?').join(', ');
    const outbox =
      applicationIds.length === 0
        ? []
        : (
            await this.#db.execute({
              sql: `SELECT id FROM sms_outbox WHERE application_id IN (${apps})`,
              args: [...applicationIds],
            })
          ).rows.map((row) => textColumn(row, 'id'));
    await this.#db.batch(
      [
        ...(applicationIds.length === 0
          ? []
          : [
              {
                sql: `DELETE FROM application_fields WHERE application_id IN (${apps}) AND encrypted = 1`,
                args: [...applicationIds],
              },
              {
                sql: `UPDATE applications SET contact_phone_hash = NULL, erased_at = COALESCE(erased_at, ?) WHERE id IN (${apps})`,
                args: [now, ...applicationIds],
              },
              // A call-back request holds the number to call: it goes with the applicant (migration 014).
              { sql: `DELETE FROM call_back_requests WHERE application_id IN (${apps})`, args: [...applicationIds] },
            ]),
        ...outbox.map((id) => ({
          sql: `UPDATE sms_outbox SET to_phone = ?, body = ?, to_phone_hash = 'erased',
                  status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' ELSE status END,
                  failure_reason = CASE WHEN status IN ('pending', 'sending') THEN 'erased before it was sent' ELSE failure_reason END,
                  lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE id = ?`,
          args: [
            this.#cipher.encrypt('', outboxContext(id, 'to_phone')),
            this.#cipher.encrypt('', outboxContext(id, 'body')),
            now,
            id,
          ],
        })),
        ...callSids.flatMap((callSid) => [
          { sql: 'DELETE FROM call_turns WHERE call_sid = ?', args: [callSid] },
          { sql: 'DELETE FROM call_back_requests WHERE call_sid = ?', args: [callSid] },
          {
            sql: "UPDATE calls SET from_phone = ?, from_phone_hash = 'erased', recording_ms = NULL, erased_at = COALESCE(erased_at, ?) WHERE call_sid = ?",
            args: [this.#cipher.encrypt('', callContext(callSid, 'from_phone')), now, callSid],
          },
        ]),
      ],
      'write',
    );
  }

  /** The applications and calls `erase` would erase: the caller may delete their recordings first. */
  async find(target: CallSearch): Promise<ErasureResult> {
    let applicationIds: string[];
    let phoneHashes: string[] = [];
    if ('reference' in target) {
      const found = await this.#db.execute({
        sql: 'SELECT id FROM applications WHERE reference = ?',
        args: [target.reference],
      });
      applicationIds = found.rows.map((row) => textColumn(row, 'id'));
    } else {
      phoneHashes = this.#cipher.lookupHashes(target.phone);
      const marks = phoneHashes.map(() => '?').join(', ');
      const found = await this.#db.execute({
        sql: `SELECT id FROM applications WHERE contact_phone_hash IN (${marks})
              UNION SELECT application_id AS id FROM calls WHERE from_phone_hash IN (${marks}) AND application_id IS NOT NULL`,
        args: [...phoneHashes, ...phoneHashes],
      });
      applicationIds = found.rows.map((row) => textColumn(row, 'id'));
    }
    const apps = applicationIds.map(() => '?').join(', ');
    const conditions = [
      ...(applicationIds.length > 0 ? [`application_id IN (${apps})`] : []),
      ...(phoneHashes.length > 0 ? [`from_phone_hash IN (${phoneHashes.map(() => '?').join(', ')})`] : []),
    ];
    if (conditions.length === 0) return { applicationIds, callSids: [] };
    const calls = await this.#db.execute({
      sql: `SELECT call_sid FROM calls WHERE ${conditions.join(' OR ')}`,
      args: [...applicationIds, ...phoneHashes],
    });
    return { applicationIds, callSids: calls.rows.map((row) => textColumn(row, 'call_sid')) };
  }
}
