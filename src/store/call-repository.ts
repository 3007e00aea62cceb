import type { Client, Row } from '@libsql/client';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';
import { parsePhoneInput } from '../permits/field-inputs.ts';

/** Calls and their transcripts: the only place that knows their SQL. */

export interface CallRecord {
  readonly callSid: string;
  readonly applicationId: string | undefined;
  readonly fromPhone: string;
  readonly status: string;
  readonly durationSeconds: number | undefined;
  readonly promptVersion: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly startedAt: string;
  /** Length of the call's stereo recording; undefined when none is kept. */
  readonly recordingMs: number | undefined;
  /** When, and on which channel, the caller had heard that the call is recorded; undefined when it was not recorded. */
  readonly recordingNotice: { readonly at: string; readonly channel: RecordingNoticeChannel } | undefined;
}

/** Only the AI voice path records calls today; the keypad IVR does not. */
export type RecordingNoticeChannel = 'voice';

export type TurnRole = 'caller' | 'agent' | 'tool';

export interface TranscriptTurn {
  readonly itemId: string;
  readonly position: number;
  readonly role: TurnRole;
  readonly text: string;
  readonly offsetMs: number;
}

export interface CallUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly detail: Readonly<Record<string, number>>;
  readonly costUsd: number;
}

// Twilio's order of a call's life; a late callback never moves a call backwards.
const STATUS_RANK: Readonly<Record<string, number>> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  'in-progress': 3,
  completed: 4,
  busy: 4,
  failed: 4,
  'no-answer': 4,
  canceled: 4,
};

export class CallRepository {
  readonly #db: Client;
  readonly #cipher: FieldCipher;
  readonly #now: () => Date;

  constructor(db: Client, cipher: FieldCipher, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#cipher = cipher;
    this.#now = now;
  }

  /** Records the call the first time Twilio announces it; a retried webhook finds it and changes nothing. */
  async recordIncoming(callSid: string, fromPhone: string, status: string): Promise<{ created: boolean }> {
    const result = await this.#db.execute({
      sql: `INSERT INTO calls (call_sid, from_phone, from_phone_hash, status, started_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (call_sid) DO NOTHING`,
      args: [
        callSid,
        this.#cipher.encrypt(fromPhone, callContext(callSid, 'from_phone')),
        this.#cipher.lookupHash(fromPhone),
        status,
        this.#now().toISOString(),
      ],
    });
    return { created: result.rowsAffected === 1 };
  }

  async find(callSid: string): Promise<CallRecord | undefined> {
    const result = await this.#db.execute({ sql: 'SELECT * FROM calls WHERE call_sid = ?', args: [callSid] });
    const row = result.rows[0];
    return row === undefined ? undefined : this.#toCall(row);
  }

  /** The unfinished application of this caller's latest call since `since`: how a dropped call resumes. */
  async recentDraftOfCaller(fromPhone: string, since: Date): Promise<string | undefined> {
    // Only a real number identifies a caller: every withheld caller ID ("anonymous") is the same text.
    if (parsePhoneInput(fromPhone) === undefined) return undefined;
    const hashes = this.#cipher.lookupHashes(fromPhone);
    const result = await this.#db.execute({
      sql: `SELECT a.id FROM calls c JOIN applications a ON a.id = c.application_id
            WHERE c.from_phone_hash IN (${hashes.map(() => '?').join(', ')}) AND a.status = 'draft' AND a.updated_at >= ?
            ORDER BY a.updated_at DESC LIMIT 1`,
      args: [...hashes, since.toISOString()],
    });
    return optionalTextColumn(result.rows[0] ?? {}, 'id');
  }

  /** The call reached the keypad IVR (model down or lost): the console counts it as a fallback. The first time is kept. */
  async markIvr(callSid: string): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET ivr_at = COALESCE(ivr_at, ?) WHERE call_sid = ?',
      args: [this.#now().toISOString(), callSid],
    });
  }

  async attachApplication(callSid: string, applicationId: string, promptVersion: string, model: string): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET application_id = ?, prompt_version = ?, model = ? WHERE call_sid = ?',
      args: [applicationId, promptVersion, model, callSid],
    });
  }

  /** Records Twilio's status callback; out-of-order and repeated callbacks are harmless. */
  async recordStatus(callSid: string, status: string, durationSeconds: number | undefined): Promise<boolean> {
    const rank = STATUS_RANK[status] ?? 0;
    const terminal = rank === 4;
    const result = await this.#db.execute({
      sql: `UPDATE calls SET status = ?, duration_seconds = COALESCE(?, duration_seconds), ended_at = CASE WHEN ? THEN COALESCE(ended_at, ?) ELSE ended_at END
            WHERE call_sid = ? AND (CASE status ${Object.entries(STATUS_RANK)
              .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
              .join(' ')} ELSE 0 END) <= ?`,
      args: [status, durationSeconds ?? null, terminal ? 1 : 0, this.#now().toISOString(), callSid, rank],
    });
    return result.rowsAffected === 1;
  }

  async recordUsage(callSid: string, usage: CallUsage): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET input_tokens = ?, output_tokens = ?, usage_detail = ?, cost_usd = ? WHERE call_sid = ?',
      args: [usage.inputTokens, usage.outputTokens, JSON.stringify(usage.detail), usage.costUsd, callSid],
    });
  }

  /** A recording of the call was stored (its length in ms), or, with undefined, is no longer kept. */
  async recordRecording(callSid: string, recordingMs: number | undefined): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET recording_ms = ? WHERE call_sid = ?',
      args: [recordingMs === undefined ? null : Math.round(recordingMs), callSid],
    });
  }

  /** The caller was told the call is recorded (the first time is kept: a retry or a second stream changes nothing). */
  async recordRecordingNotice(callSid: string, channel: RecordingNoticeChannel): Promise<void> {
    await this.#db.execute({
      sql: `UPDATE calls SET recording_notice_at = COALESCE(recording_notice_at, ?),
              recording_notice_channel = COALESCE(recording_notice_channel, ?) WHERE call_sid = ?`,
      args: [this.#now().toISOString(), channel, callSid],
    });
  }

  /** Saves a turn, or its final text when it was saved before its text was known. */
  async saveTurn(callSid: string, turn: TranscriptTurn): Promise<void> {
    const context = callContext(callSid, `turn/${turn.itemId}`);
    await this.#db.execute({
      sql: `INSERT INTO call_turns (call_sid, item_id, position, role, text, offset_ms) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (call_sid, item_id) DO UPDATE SET text = excluded.text, position = excluded.position`,
      args: [callSid, turn.itemId, turn.position, turn.role, this.#cipher.encrypt(turn.text, context), turn.offsetMs],
    });
  }

  async transcript(callSid: string): Promise<TranscriptTurn[]> {
    const result = await this.#db.execute({
      sql: 'SELECT * FROM call_turns WHERE call_sid = ? ORDER BY position',
      args: [callSid],
    });
    return result.rows.map((row) => {
      const itemId = textColumn(row, 'item_id');
      return {
        itemId,
        position: Number(row.position),
        role: textColumn(row, 'role') as TurnRole,
        text: this.#cipher.decrypt(textColumn(row, 'text'), callContext(callSid, `turn/${itemId}`)),
        offsetMs: Number(row.offset_ms),
      };
    });
  }

  #toCall(row: Row): CallRecord {
    const callSid = textColumn(row, 'call_sid');
    return {
      callSid,
      applicationId: optionalTextColumn(row, 'application_id'),
      fromPhone: this.#cipher.decrypt(textColumn(row, 'from_phone'), callContext(callSid, 'from_phone')),
      status: textColumn(row, 'status'),
      durationSeconds: row.duration_seconds === null ? undefined : Number(row.duration_seconds),
      promptVersion: optionalTextColumn(row, 'prompt_version'),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      costUsd: Number(row.cost_usd),
      startedAt: textColumn(row, 'started_at'),
      recordingMs: row.recording_ms === null || row.recording_ms === undefined ? undefined : Number(row.recording_ms),
      recordingNotice: recordingNoticeOf(row),
    };
  }
}

function recordingNoticeOf(row: Row): CallRecord['recordingNotice'] {
  const at = optionalTextColumn(row, 'recording_notice_at');
  const channel = optionalTextColumn(row, 'recording_notice_channel');
  return at === undefined || channel !== 'voice' ? undefined : { at, channel };
}

export function callContext(callSid: string, column: string): string {
  return `calls/${callSid}/${column}`;
}
