import type { Client, InStatement } from '@libsql/client';
import { fieldContext } from './application-repository.ts';
import { callBackContext } from './call-back-requests.ts';
import { callContext } from './call-repository.ts';
import type { FieldCipher } from './field-cipher.ts';
import { consentContext } from './sms-consent-repository.ts';
import { outboxContext } from './sms-outbox-repository.ts';
import { textColumn } from './row-values.ts';

/**
 * Re-encrypts every stored personal value, and recomputes every lookup hash,
 * under the current (first) data key, so an old key can then be dropped from
 * DATA_KEYS. Safe to stop and run again: it only touches rows not yet under
 * the current key, and each batch is one transaction.
 */

export interface RekeyProgress {
  fields: number;
  phoneHashes: number;
  outboxMessages: number;
  calls: number;
  transcriptTurns: number;
  smsConsents: number;
  callBacks: number;
}

const BATCH_ROWS = 200;

export async function rekeyDatabase(
  db: Client,
  cipher: FieldCipher,
  onProgress: (p: RekeyProgress) => void = () => undefined,
): Promise<RekeyProgress> {
  const progress: RekeyProgress = {
    fields: 0,
    phoneHashes: 0,
    outboxMessages: 0,
    calls: 0,
    transcriptTurns: 0,
    smsConsents: 0,
    callBacks: 0,
  };
  const tokenPrefix = `v1.${cipher.currentKeyId}.`;
  const hashPrefix = `${cipher.currentKeyId}.`;

  await inBatches(
    db,
    {
      sql: 'SELECT application_id, field, value FROM application_fields WHERE encrypted = 1 AND substr(value, 1, length(?1)) != ?1 LIMIT ?2',
      args: [tokenPrefix, BATCH_ROWS],
    },
    (row) => {
      const context = fieldContext(textColumn(row, 'application_id'), textColumn(row, 'field'));
      return {
        sql: 'UPDATE application_fields SET value = ? WHERE application_id = ? AND field = ? AND value = ?',
        args: [
          cipher.encrypt(cipher.decrypt(textColumn(row, 'value'), context), context),
          textColumn(row, 'application_id'),
          textColumn(row, 'field'),
          textColumn(row, 'value'),
        ],
      };
    },
    (n) => {
      progress.fields += n;
      onProgress(progress);
    },
  );

  await inBatches(
    db,
    {
      sql: `SELECT a.id, a.contact_phone_hash AS hash, f.value FROM applications a
          JOIN application_fields f ON f.application_id = a.id AND f.field = 'contactPhone'
          WHERE a.contact_phone_hash IS NOT NULL AND substr(a.contact_phone_hash, 1, length(?1)) != ?1 LIMIT ?2`,
      args: [hashPrefix, BATCH_ROWS],
    },
    (row) => {
      const phone = JSON.parse(
        cipher.decrypt(textColumn(row, 'value'), fieldContext(textColumn(row, 'id'), 'contactPhone')),
      ) as string;
      return {
        sql: 'UPDATE applications SET contact_phone_hash = ? WHERE id = ? AND contact_phone_hash = ?',
        args: [cipher.lookupHash(phone), textColumn(row, 'id'), textColumn(row, 'hash')],
      };
    },
    (n) => {
      progress.phoneHashes += n;
      onProgress(progress);
    },
  );

  await inBatches(
    db,
    {
      sql: `SELECT id, to_phone, body FROM sms_outbox
          WHERE substr(to_phone, 1, length(?1)) != ?1 OR substr(body, 1, length(?1)) != ?1 OR substr(to_phone_hash, 1, length(?2)) != ?2 LIMIT ?3`,
      args: [tokenPrefix, hashPrefix, BATCH_ROWS],
    },
    (row) => {
      const id = textColumn(row, 'id');
      const phone = cipher.decrypt(textColumn(row, 'to_phone'), outboxContext(id, 'to_phone'));
      const body = cipher.decrypt(textColumn(row, 'body'), outboxContext(id, 'body'));
      return {
        sql: 'UPDATE sms_outbox SET to_phone = ?, body = ?, to_phone_hash = ? WHERE id = ? AND to_phone = ? AND body = ?',
        args: [
          cipher.encrypt(phone, outboxContext(id, 'to_phone')),
          cipher.encrypt(body, outboxContext(id, 'body')),
          cipher.lookupHash(phone),
          id,
          textColumn(row, 'to_phone'),
          textColumn(row, 'body'),
        ],
      };
    },
    (n) => {
      progress.outboxMessages += n;
      onProgress(progress);
    },
  );

  await inBatches(db, ...phoneColumnRewrite(cipher, CALL_PHONES, tokenPrefix, hashPrefix), (n) => {
    progress.calls += n;
    onProgress(progress);
  });

  await inBatches(
    db,
    {
      sql: 'SELECT call_sid, item_id, text FROM call_turns WHERE substr(text, 1, length(?1)) != ?1 LIMIT ?2',
      args: [tokenPrefix, BATCH_ROWS],
    },
    (row) => {
      const context = callContext(textColumn(row, 'call_sid'), `turn/${textColumn(row, 'item_id')}`);
      return {
        sql: 'UPDATE call_turns SET text = ? WHERE call_sid = ? AND item_id = ? AND text = ?',
        args: [
          cipher.encrypt(cipher.decrypt(textColumn(row, 'text'), context), context),
          textColumn(row, 'call_sid'),
          textColumn(row, 'item_id'),
          textColumn(row, 'text'),
        ],
      };
    },
    (n) => {
      progress.transcriptTurns += n;
      onProgress(progress);
    },
  );

  await inBatches(
    db,
    {
      sql: 'SELECT phone_hash, phone FROM sms_consent WHERE substr(phone_hash, 1, length(?1)) != ?1 LIMIT ?2',
      args: [hashPrefix, BATCH_ROWS],
    },
    (row) => {
      const oldHash = textColumn(row, 'phone_hash');
      const phone = cipher.decrypt(textColumn(row, 'phone'), consentContext(oldHash));
      const newHash = cipher.lookupHash(phone);
      // OR REPLACE: a record already under the new key was written later (SmsConsentRepository removes older ones), but
      // if both exist the moved one must not fail the batch.
      return {
        sql: 'UPDATE OR REPLACE sms_consent SET phone_hash = ?, phone = ? WHERE phone_hash = ?',
        args: [newHash, cipher.encrypt(phone, consentContext(newHash)), oldHash],
      };
    },
    (n) => {
      progress.smsConsents += n;
      onProgress(progress);
    },
  );

  await inBatches(db, ...phoneColumnRewrite(cipher, CALL_BACK_PHONES, tokenPrefix, hashPrefix), (n) => {
    progress.callBacks += n;
    onProgress(progress);
  });

  return progress;
}

/** A table whose personal value is one phone number, encrypted, with its keyed hash beside it. */
interface PhoneColumn {
  readonly table: string;
  readonly id: string;
  readonly phone: string;
  readonly hash: string;
  /** The encryption context of a row's number. */
  readonly context: (id: string) => string;
}

const CALL_PHONES: PhoneColumn = {
  table: 'calls',
  id: 'call_sid',
  phone: 'from_phone',
  hash: 'from_phone_hash',
  context: (callSid) => callContext(callSid, 'from_phone'),
};

const CALL_BACK_PHONES: PhoneColumn = {
  table: 'call_back_requests',
  id: 'id',
  phone: 'caller_phone',
  hash: 'caller_phone_hash',
  context: (id) => callBackContext(id, 'caller_phone'),
};

/** The select and the rewrite that move one such table's numbers and hashes to the current key. */
function phoneColumnRewrite(
  cipher: FieldCipher,
  c: PhoneColumn,
  tokenPrefix: string,
  hashPrefix: string,
): [InStatement, (row: Record<string, unknown>) => InStatement] {
  // The names are this module's own constants above, never input.
  const select = {
    sql: `SELECT ${c.id} AS id, ${c.phone} AS phone FROM ${c.table}
        WHERE substr(${c.phone}, 1, length(?1)) != ?1 OR substr(${c.hash}, 1, length(?2)) != ?2 LIMIT ?3`,
    args: [tokenPrefix, hashPrefix, BATCH_ROWS],
  };
  const rewrite = (row: Record<string, unknown>): InStatement => {
    const id = textColumn(row, 'id');
    const phone = cipher.decrypt(textColumn(row, 'phone'), c.context(id));
    return {
      sql: `UPDATE ${c.table} SET ${c.phone} = ?, ${c.hash} = ? WHERE ${c.id} = ? AND ${c.phone} = ?`,
      args: [cipher.encrypt(phone, c.context(id)), cipher.lookupHash(phone), id, textColumn(row, 'phone')],
    };
  };
  return [select, rewrite];
}

/** Selects rows still under an old key, rewrites them in one transaction, and repeats until none are left. */
async function inBatches(
  db: Client,
  select: InStatement,
  rewrite: (row: Record<string, unknown>) => InStatement,
  done: (rows: number) => void,
): Promise<void> {
  for (;;) {
    const rows = (await db.execute(select)).rows;
    if (rows.length === 0) return;
    const results = await db.batch(
      rows.map((row) => rewrite(row)),
      'write',
    );
    const changed = results.reduce((sum, r) => sum + r.rowsAffected, 0);
    // A row changed by someone else between our read and write is picked up on the next pass;
    // a pass that changes nothing would repeat forever, so stop and say so.
    if (changed === 0)
      throw new Error(
        'rekey made no progress: rows are being rewritten concurrently; run it again when the service is quiet',
      );
    done(changed);
  }
}
