import type { Client, InValue, Row } from '@libsql/client';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';
import { parsePhoneInput } from '../permits/field-inputs.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../permits/language.ts';

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
  /** When a media socket claimed the call's one stream; undefined while no stream has started. */
  readonly streamStartedAt: string | undefined;
  /** When the call reached the keypad IVR; undefined if it never did. */
  readonly ivrAt: string | undefined;
  /** When, and on which channel, the caller had heard that the call is recorded; undefined when it was not recorded. */
  readonly recordingNotice: { readonly at: string; readonly channel: RecordingNoticeChannel } | undefined;
  /** How the call left the AI path, as the JSON the call path wrote (migration 012); undefined until it did. */
  readonly aiEnding: string | undefined;
  /** The language the call is in: English until the caller chose Spanish (keypad 2, or speaking it). */
  readonly language: Language;
}

/**
 * What a media socket's claim on a call's one stream came to. Only `claimed` may go on to a model session;
 * `already-streamed` covers a second socket at once, one after `stop`, and one on another instance.
 */
export type StreamClaim = 'claimed' | 'already-streamed' | 'call-ended' | 'unknown-call';

/** Only the AI voice path records calls today; the keypad IVR does not. */
export type RecordingNoticeChannel = 'voice';

/** Where a call on the AI path is: see migration 011. */
export const CALL_PHASES = ['greeting', 'collecting', 'read-back', 'ivr'] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

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
const FINAL_RANK = 4;
const FINAL_STATUSES = Object.keys(STATUS_RANK).filter((status) => STATUS_RANK[status] === FINAL_RANK);

/** Whether Twilio's status callback has said the call is over (completed, busy, failed, no-answer, canceled). */
export function callIsOver(call: Pick<CallRecord, 'status'>): boolean {
  return STATUS_RANK[call.status] === FINAL_RANK;
}

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
      args: this.#incomingRow(callSid, fromPhone, status),
    });
    return { created: result.rowsAffected === 1 };
  }

  /** The values of a new call's row, in the order call_sid, from_phone, from_phone_hash, status, started_at. */
  #incomingRow(callSid: string, fromPhone: string, status: string): InValue[] {
    return [
      callSid,
      this.#cipher.encrypt(fromPhone, callContext(callSid, 'from_phone')),
      this.#cipher.lookupHash(fromPhone),
      status,
      this.#now().toISOString(),
    ];
  }

  /**
   * Records the call as recordIncoming does, but only while fewer than `atOnce` other calls from the same number
   * are live: recorded since `since` with no final status yet. One statement, so two instances answering two calls
   * from one number at the same moment cannot both pass. False when the caller is on enough calls already (nothing
   * is recorded); true when recorded now or before (a retried webhook).
   */
  async recordIncomingUnlessBusy(
    callSid: string,
    fromPhone: string,
    status: string,
    limit: { readonly atOnce: number; readonly since: Date },
  ): Promise<boolean> {
    const hashes = this.#cipher.lookupHashes(fromPhone);
    const [, recorded] = await this.#db.batch(
      [
        {
          sql: `INSERT INTO calls (call_sid, from_phone, from_phone_hash, status, started_at)
                SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM calls WHERE from_phone_hash IN (${hashes.map(() => '?').join(', ')})
                  AND ended_at IS NULL AND started_at >= ? AND call_sid <> ?) < ?
                ON CONFLICT (call_sid) DO NOTHING`,
          args: [
            ...this.#incomingRow(callSid, fromPhone, status),
            ...hashes,
            limit.since.toISOString(),
            callSid,
            limit.atOnce,
          ],
        },
        { sql: 'SELECT 1 FROM calls WHERE call_sid = ?', args: [callSid] },
      ],
      'write',
    );
    return (recorded?.rows.length ?? 0) > 0;
  }

  async find(callSid: string): Promise<CallRecord | undefined> {
    const result = await this.#db.execute({ sql: 'SELECT * FROM calls WHERE call_sid = ?', args: [callSid] });
    const row = result.rows[0];
    return row === undefined ? undefined : this.#toCall(row);
  }

  /**
   * Claims the call's one media stream: one conditional UPDATE, so of any number of sockets, on any instance
   * sharing the database, exactly one is `claimed`, and none once the call is over.
   */
  async claimStream(callSid: string): Promise<StreamClaim> {
    const result = await this.#db.execute({
      sql: `UPDATE calls SET stream_started_at = ? WHERE call_sid = ? AND stream_started_at IS NULL
            AND status NOT IN (${FINAL_STATUSES.map(() => '?').join(', ')})`,
      args: [this.#now().toISOString(), callSid, ...FINAL_STATUSES],
    });
    if (result.rowsAffected === 1) return 'claimed';
    // Only to say why, in the security log: the UPDATE above already decided.
    const call = await this.find(callSid);
    if (call === undefined) return 'unknown-call';
    return call.streamStartedAt === undefined ? 'call-ended' : 'already-streamed';
  }

  /**
   * Of `callSids`, those whose stream was claimed (here or on another instance), that reached the IVR, or that are
   * over: a session opened early for one of them will not be used.
   */
  async settledOf(callSids: readonly string[]): Promise<Set<string>> {
    if (callSids.length === 0) return new Set();
    const result = await this.#db.execute({
      sql: `SELECT call_sid FROM calls WHERE call_sid IN (${callSids.map(() => '?').join(', ')})
            AND (stream_started_at IS NOT NULL OR ivr_at IS NOT NULL OR status IN (${FINAL_STATUSES.map(() => '?').join(', ')}))`,
      args: [...callSids, ...FINAL_STATUSES],
    });
    return new Set(result.rows.map((row) => textColumn(row, 'call_sid')));
  }

  /** How the call left the AI path (JSON from the call path); the first ending written is kept. */
  async recordAiEnding(callSid: string, ending: string): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET ai_ending = ? WHERE call_sid = ? AND ai_ending IS NULL',
      args: [ending, callSid],
    });
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

  /**
   * The call reached the keypad IVR (model down or lost): the console counts it as a fallback, and the live page
   * shows it in the IVR. The first time is kept.
   */
  /** The caller chose a language (keypad 2 or by speaking it): a reconnected session and the staff console follow it. */
  async recordLanguage(callSid: string, language: Language): Promise<void> {
    await this.#db.execute({ sql: 'UPDATE calls SET language = ? WHERE call_sid = ?', args: [language, callSid] });
  }

  async markIvr(callSid: string): Promise<void> {
    await this.#db.execute({
      sql: "UPDATE calls SET ivr_at = COALESCE(ivr_at, ?), phase = 'ivr' WHERE call_sid = ?",
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

  /**
   * Where a live call is now (migration 011); written only when it changes. A call never leaves the IVR for the AI
   * path, so a late write from the AI path (still on its way when the IVR took over) does not move it back.
   */
  async recordPhase(callSid: string, phase: CallPhase): Promise<void> {
    await this.#db.execute({
      sql: "UPDATE calls SET phase = ? WHERE call_sid = ? AND (phase IS NULL OR (phase <> ? AND phase <> 'ivr'))",
      args: [phase, callSid, phase],
    });
  }

  /** The call's agent response latencies (ms, in turn order), written once as the call ends. */
  async recordAgentLatencies(callSid: string, latenciesMs: readonly number[]): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET agent_latencies_ms = ? WHERE call_sid = ?',
      args: [JSON.stringify(latenciesMs.map((ms) => Math.round(ms))), callSid],
    });
  }

  /**
   * The voice webhook's trace context (a W3C traceparent), kept from the first webhook only: a retry answers the
   * same call, and the call's spans belong to the trace that began it.
   */
  async recordTraceContext(callSid: string, traceparent: string): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET trace_context = ? WHERE call_sid = ? AND trace_context IS NULL',
      args: [traceparent, callSid],
    });
  }

  /** The trace context recordTraceContext kept, for the call's spans (the stream may start on another instance). */
  async traceContextOf(callSid: string): Promise<string | undefined> {
    const result = await this.#db.execute({
      sql: 'SELECT trace_context FROM calls WHERE call_sid = ?',
      args: [callSid],
    });
    const value = result.rows[0]?.trace_context;
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * A recording of the call was stored (its length in ms), or, with undefined, is no longer kept. `capped`: it
   * stopped at the maximum recording length while the call went on.
   */
  async recordRecording(callSid: string, recordingMs: number | undefined, capped = false): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE calls SET recording_ms = ?, recording_capped = ? WHERE call_sid = ?',
      args: [
        recordingMs === undefined ? null : Math.round(recordingMs),
        capped && recordingMs !== undefined ? 1 : 0,
        callSid,
      ],
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
      streamStartedAt: optionalTextColumn(row, 'stream_started_at'),
      ivrAt: optionalTextColumn(row, 'ivr_at'),
      recordingNotice: recordingNoticeOf(row),
      aiEnding: optionalTextColumn(row, 'ai_ending'),
      language: languageOf(row),
    };
  }
}

function languageOf(row: Row): Language {
  const language = optionalTextColumn(row, 'language');
  return isLanguage(language) ? language : DEFAULT_LANGUAGE;
}

function recordingNoticeOf(row: Row): CallRecord['recordingNotice'] {
  const at = optionalTextColumn(row, 'recording_notice_at');
  const channel = optionalTextColumn(row, 'recording_notice_channel');
  return at === undefined || channel !== 'voice' ? undefined : { at, channel };
}

export function callContext(callSid: string, column: string): string {
  return `calls/${callSid}/${column}`;
}
