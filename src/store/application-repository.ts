import { randomUUID } from 'node:crypto';
import { textablePhone } from '../permits/field-inputs.ts';
import type { Client, InStatement, Row } from '@libsql/client';
import { AppError } from '../errors.ts';
import { FIELD_SPECS, isFieldName, type FieldName } from '../permits/permit-fields.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../permits/language.ts';
import type { DraftFields } from '../permits/permit-rules.ts';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';
import { outboxContext, outboxEntryFromRow, underDailyTextCap, type OutboxEntry } from './sms-outbox-repository.ts';
import { inSpan, SPAN_ATTRIBUTES } from '../ops/spans.ts';

/**
 * Applications, their fields and the SMS outbox: the only place that knows
 * the SQL. Personal values are encrypted here, on the way in, and decrypted
 * on the way out; callers only ever see plain domain values.
 */

export type Channel = 'web' | 'voice' | 'ivr';
export type ApplicationStatus = 'draft' | 'submitted';

export interface StoredApplication {
  readonly id: string;
  readonly channel: Channel;
  readonly status: ApplicationStatus;
  readonly reference: string | undefined;
  readonly fields: DraftFields;
  /** When each field was last answered (ISO time): the attestation's time, among others. */
  readonly capturedAt: Partial<Record<FieldName, string>>;
  /** The channel each field was last answered on: with capturedAt, when and where consent (smsConsent) was given. */
  readonly capturedVia: Partial<Record<FieldName, Channel>>;
  /** The language the applicant was last served in: their status page and texts follow it. */
  readonly language: Language;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly submittedAt: string | undefined;
}

export interface OutboxMessage {
  readonly toPhone: string;
  readonly body: string;
  /** Queued only while the number has had fewer texts than this in the last 24 hours; 0 or absent: no cap. */
  readonly perDay?: number;
}

/** The random reference is already taken: expected now and then (operational), and the service draws another. */
export class ReferenceCollisionError extends AppError {
  constructor(reference: string, options: ErrorOptions = {}) {
    super(`reference ${reference} is already taken`, { cause: options.cause });
  }
}

const SQLITE_UNIQUE_REFERENCE = /UNIQUE constraint failed: applications\.reference/;

export class ApplicationRepository {
  readonly #db: Client;
  readonly #cipher: FieldCipher;
  readonly #now: () => Date;

  constructor(db: Client, cipher: FieldCipher, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#cipher = cipher;
    this.#now = now;
  }

  /** Creates an empty draft; with an id that already exists, leaves it as it is (idempotent on the id). */
  async createDraft(
    channel: Channel,
    id: string = randomUUID(),
    language: Language = DEFAULT_LANGUAGE,
  ): Promise<string> {
    const now = this.#now().toISOString();
    await this.#db.execute({
      sql: 'INSERT INTO applications (id, channel, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      args: [id, channel, language, now, now],
    });
    return id;
  }

  async find(id: string): Promise<StoredApplication | undefined> {
    const [applications, fields] = await this.#db.batch(
      [
        { sql: 'SELECT * FROM applications WHERE id = ?', args: [id] },
        {
          sql: 'SELECT field, value, encrypted, captured_at, channel FROM application_fields WHERE application_id = ?',
          args: [id],
        },
      ],
      'read',
    );
    const row = applications?.rows[0];
    if (row === undefined || fields === undefined) return undefined;
    return this.#toApplication(row, fields.rows);
  }

  /**
   * Saves accepted answers and clears withdrawn ones, all in one transaction,
   * the moment they are given. Only drafts change: a submitted application is
   * never edited by a late tool call. Each answer records the channel it was
   * given on (`channel`, else the channel the draft began on); with `language`, the draft is now served in it.
   */
  async saveFields(
    id: string,
    values: DraftFields,
    cleared: readonly FieldName[] = [],
    channel?: Channel,
    language?: Language,
  ): Promise<void> {
    const now = this.#now().toISOString();
    const statements: InStatement[] = [];
    for (const [name, value] of Object.entries(values) as [FieldName, unknown][]) {
      if (value === undefined) continue;
      const { stored, encrypted } = this.#encode(id, name, value);
      statements.push({
        sql: `INSERT INTO application_fields (application_id, field, value, encrypted, captured_at, channel)
              SELECT ?, ?, ?, ?, ?, COALESCE(?, a.channel) FROM applications a WHERE a.id = ? AND a.status = 'draft'
              ON CONFLICT (application_id, field) DO UPDATE SET value = excluded.value, encrypted = excluded.encrypted,
                captured_at = excluded.captured_at, channel = excluded.channel`,
        args: [id, name, stored, encrypted ? 1 : 0, now, channel ?? null, id],
      });
    }
    for (const name of cleared) {
      statements.push({
        sql: "DELETE FROM application_fields WHERE application_id = ? AND field = ? AND EXISTS (SELECT 1 FROM applications WHERE id = ? AND status = 'draft')",
        args: [id, name, id],
      });
    }
    const phone = values.contactPhone;
    const phoneHash =
      // Caller ID never carries an extension, so the hash that finds a caller's draft is of the number alone.
      typeof phone === 'string'
        ? this.#cipher.lookupHash(textablePhone(phone))
        : cleared.includes('contactPhone')
          ? null
          : undefined;
    const permitType =
      typeof values.permitType === 'string' ? values.permitType : cleared.includes('permitType') ? null : undefined;
    statements.push({
      sql: `UPDATE applications SET updated_at = ?,
              contact_phone_hash = CASE WHEN ? THEN ? ELSE contact_phone_hash END,
              permit_type = CASE WHEN ? THEN ? ELSE permit_type END,
              language = COALESCE(?, language)
            WHERE id = ? AND status = 'draft'`,
      args: [
        now,
        phoneHash !== undefined ? 1 : 0,
        phoneHash ?? null,
        permitType !== undefined ? 1 : 0,
        permitType ?? null,
        language ?? null,
        id,
      ],
    });
    await inSpan(
      'draft update',
      {
        [SPAN_ATTRIBUTES.dbSystem]: 'sqlite',
        [SPAN_ATTRIBUTES.statements]: statements.length,
        [SPAN_ATTRIBUTES.fieldsSaved]: statements.length - cleared.length - 1,
        [SPAN_ATTRIBUTES.fieldsCleared]: cleared.length,
      },
      () => this.#db.batch(statements, 'write'),
    );
  }

  /**
   * Marks the draft submitted under `reference` and queues its SMS, in one
   * transaction. If it was already submitted, nothing changes and the
   * existing reference comes back: a retried submit yields the same answer
   * and no second SMS. `textQueued`: the application has its summary text in the outbox (false when none was asked
   * for, or the number's daily cap was reached).
   */
  async markSubmitted(
    id: string,
    reference: string,
    sms: OutboxMessage | undefined,
  ): Promise<{ reference: string; alreadySubmitted: boolean; textQueued: boolean }> {
    const clock = this.#now();
    const now = clock.toISOString();
    const statements: InStatement[] = [
      {
        sql: "UPDATE applications SET status = 'submitted', reference = ?, submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
        args: [reference, now, now, id],
      },
    ];
    if (sms !== undefined) {
      const outboxId = randomUUID();
      const cap = underDailyTextCap(this.#cipher.lookupHashes(sms.toPhone), sms.perDay ?? 0, clock);
      statements.push({
        // Only the submit that won (its reference is the one stored) queues the message, and only under the cap.
        sql: `INSERT INTO sms_outbox (id, application_id, to_phone, to_phone_hash, body, status, created_at, updated_at)
              SELECT ?, ?, ?, ?, ?, 'pending', ?, ? WHERE EXISTS (SELECT 1 FROM applications WHERE id = ? AND reference = ?)
              AND ${cap.sql}
              ON CONFLICT (application_id, kind) DO NOTHING`,
        args: [
          outboxId,
          id,
          this.#cipher.encrypt(sms.toPhone, outboxContext(outboxId, 'to_phone')),
          this.#cipher.lookupHash(sms.toPhone),
          this.#cipher.encrypt(sms.body, outboxContext(outboxId, 'body')),
          now,
          now,
          id,
          reference,
          ...cap.args,
        ],
      });
    }
    statements.push({
      sql: "SELECT reference, (SELECT count(*) FROM sms_outbox WHERE application_id = ?1 AND kind = 'summary') AS texts FROM applications WHERE id = ?1",
      args: [id],
    });
    let results;
    try {
      results = await inSpan(
        'submit transaction',
        {
          [SPAN_ATTRIBUTES.dbSystem]: 'sqlite',
          [SPAN_ATTRIBUTES.statements]: statements.length,
          [SPAN_ATTRIBUTES.textQueued]: sms !== undefined,
        },
        () => this.#db.batch(statements, 'write'),
      );
    } catch (error) {
      if (SQLITE_UNIQUE_REFERENCE.test(String(error))) throw new ReferenceCollisionError(reference, { cause: error });
      throw error;
    }
    const row = results.at(-1)?.rows[0];
    const stored = row?.reference;
    if (typeof stored !== 'string') throw new Error(`Application ${id} does not exist`);
    return { reference: stored, alreadySubmitted: stored !== reference, textQueued: Number(row?.texts) > 0 };
  }

  /** Whether the application's summary text is in the outbox (a submit queued it). */
  async hasSummaryText(id: string): Promise<boolean> {
    const result = await this.#db.execute({
      sql: "SELECT 1 FROM sms_outbox WHERE application_id = ? AND kind = 'summary'",
      args: [id],
    });
    return result.rows.length > 0;
  }

  /** The caller's most recent unfinished draft since `since`, found by the keyed phone hash. */
  async findDraftByContactPhone(phone: string, since: Date): Promise<StoredApplication | undefined> {
    const hashes = this.#cipher.lookupHashes(phone);
    const result = await this.#db.execute({
      sql: `SELECT id FROM applications WHERE contact_phone_hash IN (${hashes.map(() => '?').join(', ')})
            AND status = 'draft' AND updated_at >= ? ORDER BY updated_at DESC LIMIT 1`,
      args: [...hashes, since.toISOString()],
    });
    const id = result.rows[0]?.id;
    return typeof id === 'string' ? this.find(id) : undefined;
  }

  async findByReference(reference: string): Promise<StoredApplication | undefined> {
    const result = await this.#db.execute({
      sql: 'SELECT id FROM applications WHERE reference = ?',
      args: [reference],
    });
    const id = result.rows[0]?.id;
    return typeof id === 'string' ? this.find(id) : undefined;
  }

  /** The most recently changed application, draft or submitted, with this contact phone (found by the keyed hash). */
  async latestByContactPhone(phone: string): Promise<StoredApplication | undefined> {
    const hashes = this.#cipher.lookupHashes(phone);
    const result = await this.#db.execute({
      sql: `SELECT id FROM applications WHERE contact_phone_hash IN (${hashes.map(() => '?').join(', ')}) ORDER BY updated_at DESC LIMIT 1`,
      args: hashes,
    });
    const id = result.rows[0]?.id;
    return typeof id === 'string' ? this.find(id) : undefined;
  }

  /** The application's SMS summary and how its delivery went (at most one: the outbox is unique per application). */
  async outboxFor(applicationId: string): Promise<OutboxEntry[]> {
    const result = await this.#db.execute({
      sql: 'SELECT * FROM sms_outbox WHERE application_id = ?',
      args: [applicationId],
    });
    return result.rows.map((row) => outboxEntryFromRow(row, this.#cipher));
  }

  #encode(id: string, name: FieldName, value: unknown): { stored: string; encrypted: boolean } {
    const json = JSON.stringify(value);
    if (!FIELD_SPECS[name].personal) return { stored: json, encrypted: false };
    return { stored: this.#cipher.encrypt(json, fieldContext(id, name)), encrypted: true };
  }

  #toApplication(row: Row, fieldRows: Row[]): StoredApplication {
    const id = textColumn(row, 'id');
    const fields: DraftFields = {};
    const capturedAt: Partial<Record<FieldName, string>> = {};
    const capturedVia: Partial<Record<FieldName, Channel>> = {};
    for (const fieldRow of fieldRows) {
      const name = textColumn(fieldRow, 'field');
      if (!isFieldName(name)) continue; // a field retired by a later release; never shown, never lost
      const raw = textColumn(fieldRow, 'value');
      const json = Number(fieldRow.encrypted) === 1 ? this.#cipher.decrypt(raw, fieldContext(id, name)) : raw;
      fields[name] = JSON.parse(json) as unknown;
      capturedAt[name] = textColumn(fieldRow, 'captured_at');
      const via = optionalTextColumn(fieldRow, 'channel');
      if (via !== undefined) capturedVia[name] = via as Channel;
    }
    return {
      id,
      channel: textColumn(row, 'channel') as Channel,
      status: textColumn(row, 'status') as ApplicationStatus,
      reference: optionalTextColumn(row, 'reference'),
      fields,
      capturedAt,
      capturedVia,
      language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
      createdAt: textColumn(row, 'created_at'),
      updatedAt: textColumn(row, 'updated_at'),
      submittedAt: optionalTextColumn(row, 'submitted_at'),
    };
  }
}

/** The authenticated context of each encrypted value: a token moved to another row or field fails to decrypt. */
export function fieldContext(applicationId: string, field: string): string {
  return `application_fields/${applicationId}/${field}`;
}
