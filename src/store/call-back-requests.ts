import { randomUUID } from 'node:crypto';
import type { Client, Row } from '@libsql/client';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../permits/language.ts';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';

/**
 * Callers waiting for staff to call them back (migration 014): recorded when
 * nobody could answer the staff line, listed for staff until one of them marks
 * the request done. The only place that knows the table's SQL.
 */

/** Where the caller asked: the keypad IVR, or the AI call (the agent's request_call_back). */
export type CallBackChannel = 'ivr' | 'voice';

export interface CallBackRequest {
  /** The call the caller asked on (one request per call). */
  readonly callSid: string;
  /** The number to call back, E.164 (a North American number the caller called from). */
  readonly callerNumber: string;
  /** The language to call back in. */
  readonly language: Language;
  /** The call's draft, when it has one: staff see its reference and can open it. */
  readonly applicationId?: string | undefined;
  /** Default 'voice': the AI call path's tool. */
  readonly channel?: CallBackChannel | undefined;
}

export interface StoredCallBack {
  readonly id: string;
  readonly callSid: string;
  readonly callerNumber: string;
  readonly language: Language;
  readonly applicationId: string | undefined;
  /** The application's reference once submitted; undefined for a draft or none. */
  readonly reference: string | undefined;
  readonly channel: CallBackChannel;
  readonly requestedAt: string;
  readonly doneAt: string | undefined;
  readonly doneBy: string | undefined;
}

/** At most this many open requests on one page: a day's worth, and the oldest first. */
export const MAX_OPEN_LISTED = 200;

export function callBackContext(id: string, column: string): string {
  return `call_backs/${id}/${column}`;
}

export class CallBackRequests {
  readonly #db: Client;
  readonly #cipher: FieldCipher;
  readonly #now: () => Date;

  constructor(db: Client, cipher: FieldCipher, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#cipher = cipher;
    this.#now = now;
  }

  /**
   * Records that the caller wants a call back. Once per call: asking again on the same call (a retried webhook,
   * the key pressed twice, the agent's tool called twice) finds the first request and changes nothing.
   */
  async recordCallBack(request: CallBackRequest): Promise<{ readonly id: string; readonly created: boolean }> {
    const id = randomUUID();
    const [inserted, found] = await this.#db.batch(
      [
        {
          sql: `INSERT INTO call_back_requests
                  (id, call_sid, caller_phone, caller_phone_hash, language, application_id, channel, requested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_sid) DO NOTHING`,
          args: [
            id,
            request.callSid,
            this.#cipher.encrypt(request.callerNumber, callBackContext(id, 'caller_phone')),
            this.#cipher.lookupHash(request.callerNumber),
            request.language,
            request.applicationId ?? null,
            request.channel ?? 'voice',
            this.#now().toISOString(),
          ],
        },
        { sql: 'SELECT id FROM call_back_requests WHERE call_sid = ?', args: [request.callSid] },
      ],
      'write',
    );
    return { id: textColumn(found?.rows[0] ?? {}, 'id'), created: inserted?.rowsAffected === 1 };
  }

  /** The requests no one has marked done, oldest first: the longest wait is called first. */
  async listOpen(limit = MAX_OPEN_LISTED): Promise<StoredCallBack[]> {
    const result = await this.#db.execute({
      sql: `SELECT r.*, a.reference FROM call_back_requests r LEFT JOIN applications a ON a.id = r.application_id
            WHERE r.done_at IS NULL ORDER BY r.requested_at, r.id LIMIT ?`,
      args: [Math.min(Math.max(1, Math.trunc(limit)), MAX_OPEN_LISTED)],
    });
    return result.rows.map((row) => this.#toCallBack(row));
  }

  async find(id: string): Promise<StoredCallBack | undefined> {
    const result = await this.#db.execute({
      sql: `SELECT r.*, a.reference FROM call_back_requests r LEFT JOIN applications a ON a.id = r.application_id
            WHERE r.id = ?`,
      args: [id],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : this.#toCallBack(row);
  }

  /** Marks the request done by `username`; false when there is no such request or it was done already (the first is kept). */
  async markDone(id: string, username: string): Promise<boolean> {
    const result = await this.#db.execute({
      sql: 'UPDATE call_back_requests SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL',
      args: [this.#now().toISOString(), username, id],
    });
    return result.rowsAffected === 1;
  }

  #toCallBack(row: Row): StoredCallBack {
    const id = textColumn(row, 'id');
    const channel = textColumn(row, 'channel');
    return {
      id,
      callSid: textColumn(row, 'call_sid'),
      callerNumber: this.#cipher.decrypt(textColumn(row, 'caller_phone'), callBackContext(id, 'caller_phone')),
      language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
      applicationId: optionalTextColumn(row, 'application_id'),
      reference: optionalTextColumn(row, 'reference'),
      channel: channel === 'ivr' ? 'ivr' : 'voice',
      requestedAt: textColumn(row, 'requested_at'),
      doneAt: optionalTextColumn(row, 'done_at'),
      doneBy: optionalTextColumn(row, 'done_by'),
    };
  }
}
