import type { Client, InArgs, Row } from '@libsql/client';
import { parsePhoneInput } from '../permits/field-inputs.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../permits/language.ts';
import { isReferenceNumber } from '../permits/reference-number.ts';
import { callContext } from './call-repository.ts';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';

/**
 * The staff console's view of calls: one row per call with what the list
 * shows (when, who in masked form, how long, how it ended, the reference),
 * filtered and paged in SQL. Reading only; the voice path writes calls.
 */

export const CALL_OUTCOMES = ['submitted', 'transferred', 'fallback', 'abandoned', 'in progress'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** A search is by reference or by phone number; the number is matched by its keyed hash, never decrypted in SQL. */
export type CallSearch = { readonly reference: string } | { readonly phone: string };

export interface CallListQuery {
  /** Inclusive bounds on when the call started (UTC instants, already converted from the department's days). */
  readonly startedFrom?: Date | undefined;
  readonly startedBefore?: Date | undefined;
  readonly outcome?: CallOutcome | undefined;
  readonly search?: CallSearch | undefined;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

export interface CallListEntry {
  readonly callSid: string;
  readonly startedAt: string;
  readonly durationSeconds: number | undefined;
  /** '' once erased. */
  readonly callerPhone: string;
  readonly erased: boolean;
  readonly outcome: CallOutcome;
  readonly applicationId: string | undefined;
  readonly reference: string | undefined;
  readonly recordingMs: number | undefined;
  /** The recording stopped at its maximum length (RECORDING_MAX_MS) while the call went on. */
  readonly recordingCapped: boolean;
  /** Model usage, written when the call ends (0 before, and for a call answered by the IVR alone). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** The language the call was in (the caller may have switched to Spanish). */
  readonly language: Language;
}

export interface CallListPage {
  readonly entries: readonly CallListEntry[];
  readonly hasMore: boolean;
}

/** Reads a search box: a reference (any case), or a phone number in any usual form; undefined when it is neither. */
export function parseCallSearch(text: string): CallSearch | undefined {
  const trimmed = text.trim();
  if (isReferenceNumber(trimmed.toUpperCase())) return { reference: trimmed.toUpperCase() };
  const phone = parsePhoneInput(trimmed);
  return phone === undefined ? undefined : { phone };
}

/** How the console names a call's outcome, over `calls c LEFT JOIN applications a`: the list and the live page agree. */
export const OUTCOME_SQL = `CASE
  WHEN a.status = 'submitted' THEN 'submitted'
  WHEN c.ai_ending = '{"kind":"transfer-to-staff"}' THEN 'transferred'
  WHEN c.ivr_at IS NOT NULL THEN 'fallback'
  WHEN c.ended_at IS NULL AND c.status IN ('queued', 'initiated', 'ringing', 'in-progress') THEN 'in progress'
  ELSE 'abandoned' END`;

export class StaffCallDirectory {
  readonly #db: Client;
  readonly #cipher: FieldCipher;

  constructor(db: Client, cipher: FieldCipher) {
    this.#db = db;
    this.#cipher = cipher;
  }

  async list(query: CallListQuery): Promise<CallListPage> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.startedFrom !== undefined) {
      where.push('c.started_at >= ?');
      args.push(query.startedFrom.toISOString());
    }
    if (query.startedBefore !== undefined) {
      where.push('c.started_at < ?');
      args.push(query.startedBefore.toISOString());
    }
    if (query.outcome !== undefined) {
      where.push(`(${OUTCOME_SQL}) = ?`);
      args.push(query.outcome);
    }
    if (query.search !== undefined) {
      if ('reference' in query.search) {
        where.push('a.reference = ?');
        args.push(query.search.reference);
      } else {
        const hashes = this.#cipher.lookupHashes(query.search.phone);
        const marks = hashes.map(() => '?').join(', ');
        where.push(`(c.from_phone_hash IN (${marks}) OR a.contact_phone_hash IN (${marks}))`);
        args.push(...hashes, ...hashes);
      }
    }
    const offset = (query.page - 1) * query.pageSize;
    const rows = await this.#select(
      `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.started_at DESC, c.call_sid LIMIT ? OFFSET ?`,
      [...args, query.pageSize + 1, offset],
    );
    return { entries: rows.slice(0, query.pageSize), hasMore: rows.length > query.pageSize };
  }

  async find(callSid: string): Promise<CallListEntry | undefined> {
    return (await this.#select('WHERE c.call_sid = ?', [callSid]))[0];
  }

  async callsOfApplication(applicationId: string): Promise<CallListEntry[]> {
    return this.#select('WHERE c.application_id = ? ORDER BY c.started_at', [applicationId]);
  }

  /** When the applicant's personal data was erased, if it was. */
  async applicationErasedAt(applicationId: string): Promise<string | undefined> {
    const result = await this.#db.execute({
      sql: 'SELECT erased_at FROM applications WHERE id = ?',
      args: [applicationId],
    });
    return optionalTextColumn(result.rows[0] ?? {}, 'erased_at');
  }

  async #select(rest: string, args: InArgs): Promise<CallListEntry[]> {
    const result = await this.#db.execute({
      sql: `SELECT c.call_sid, c.started_at, c.duration_seconds, c.from_phone, c.erased_at, c.recording_ms, c.recording_capped, c.input_tokens, c.output_tokens, c.cost_usd, c.language, c.application_id, a.reference, ${OUTCOME_SQL} AS outcome
            FROM calls c LEFT JOIN applications a ON a.id = c.application_id ${rest}`,
      args,
    });
    return result.rows.map((row) => this.#toEntry(row));
  }

  #toEntry(row: Row): CallListEntry {
    const callSid = textColumn(row, 'call_sid');
    const erased = optionalTextColumn(row, 'erased_at') !== undefined;
    return {
      callSid,
      startedAt: textColumn(row, 'started_at'),
      durationSeconds: row.duration_seconds === null ? undefined : Number(row.duration_seconds),
      callerPhone: erased
        ? ''
        : this.#cipher.decrypt(textColumn(row, 'from_phone'), callContext(callSid, 'from_phone')),
      erased,
      outcome: textColumn(row, 'outcome') as CallOutcome,
      applicationId: optionalTextColumn(row, 'application_id'),
      reference: optionalTextColumn(row, 'reference'),
      recordingMs: row.recording_ms === null || row.recording_ms === undefined ? undefined : Number(row.recording_ms),
      recordingCapped: Number(row.recording_capped) === 1,
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      costUsd: Number(row.cost_usd),
      language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
    };
  }
}

/** What the list shows of a caller's number: enough to tell calls apart, not enough to dial. */
export function maskedPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 4) return 'withheld';
  return `•••-•••-${digits.slice(-4)}`;
}
