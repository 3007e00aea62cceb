import type { Client } from '@libsql/client';
import { CALL_PHASES, callContext, type CallPhase } from './call-repository.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../permits/language.ts';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';
import { CALL_OUTCOMES, OUTCOME_SQL, type CallOutcome } from './staff-call-directory.ts';

/**
 * What the staff live page reads about calls: the calls in progress now, the
 * department's day so far (counts by outcome, cost, agent response p95) and
 * calls per hour. Reading only; the call paths write these columns.
 */

/**
 * A call is over when Twilio's final status callback says so. If that callback never came (the service crashed, the
 * request was lost), its row would look live for ever; no call outlasts Twilio's own limit (4 hours by default, the
 * same window call admission counts a caller's live calls in), so a row older than that is not shown as live.
 */
export const LIVE_CALL_WINDOW_MS = 4 * 60 * 60 * 1000;

export interface LiveCall {
  readonly callSid: string;
  readonly startedAt: string;
  /** '' once erased. */
  readonly callerPhone: string;
  /** Undefined when the phase was never written (a stream that started before phase tracking, or a failed write). */
  readonly phase: CallPhase | undefined;
  /** The caller was put through to the staff line (keypad 0 or asking): the person answering reads the draft. */
  readonly transferred: boolean;
  readonly applicationId: string | undefined;
  readonly language: Language;
}

export interface DayFigures {
  /** Calls started since the day began, by the console's outcome (every outcome present, 0 when none). */
  readonly outcomes: Readonly<Record<CallOutcome, number>>;
  readonly calls: number;
  /** Model cost of the day's calls, in USD: written when each call ends, so calls in progress add nothing yet. */
  readonly costUsd: number;
  /** Nearest-rank 95th percentile of the agent response latencies of the day's ended calls; undefined with none. */
  readonly agentResponseP95Ms: number | undefined;
  /** How many agent turns that percentile is over. */
  readonly agentResponses: number;
}

// Twilio's final statuses (call-repository.ts): a call with one of these is over even if ended_at was never set.
const FINAL_STATUSES = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];

export class CallOperations {
  readonly #db: Client;
  readonly #cipher: FieldCipher;

  constructor(db: Client, cipher: FieldCipher) {
    this.#db = db;
    this.#cipher = cipher;
  }

  /** Calls connected (a media stream claimed, or taken by the IVR) and not over, started within LIVE_CALL_WINDOW_MS; oldest first. */
  async liveCalls(now: Date): Promise<LiveCall[]> {
    const result = await this.#db.execute({
      sql: `SELECT call_sid, started_at, from_phone, erased_at, phase, application_id, language,
              ai_ending = '{"kind":"transfer-to-staff"}' AS transferred FROM calls
            WHERE (stream_started_at IS NOT NULL OR ivr_at IS NOT NULL) AND ended_at IS NULL
              AND status NOT IN (${FINAL_STATUSES.map(() => '?').join(', ')}) AND started_at >= ?
            ORDER BY started_at, call_sid`,
      args: [...FINAL_STATUSES, new Date(now.getTime() - LIVE_CALL_WINDOW_MS).toISOString()],
    });
    return result.rows.map((row) => {
      const callSid = textColumn(row, 'call_sid');
      const phase = optionalTextColumn(row, 'phase');
      return {
        callSid,
        startedAt: textColumn(row, 'started_at'),
        callerPhone:
          optionalTextColumn(row, 'erased_at') === undefined
            ? this.#cipher.decrypt(textColumn(row, 'from_phone'), callContext(callSid, 'from_phone'))
            : '',
        phase: (CALL_PHASES as readonly string[]).includes(phase ?? '') ? (phase as CallPhase) : undefined,
        transferred: Number(row.transferred) === 1,
        applicationId: optionalTextColumn(row, 'application_id'),
        language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
      };
    });
  }

  /** The figures of calls started at or after `dayStart` (the department's midnight, as a UTC instant). */
  async dayFigures(dayStart: Date): Promise<DayFigures> {
    const since = dayStart.toISOString();
    const [outcomes, totals, latency] = await this.#db.batch(
      [
        {
          sql: `SELECT ${OUTCOME_SQL} AS outcome, count(*) AS n FROM calls c LEFT JOIN applications a ON a.id = c.application_id
                WHERE c.started_at >= ? GROUP BY outcome`,
          args: [since],
        },
        {
          sql: 'SELECT count(*) AS n, COALESCE(sum(cost_usd), 0) AS cost FROM calls WHERE started_at >= ?',
          args: [since],
        },
        {
          // Nearest rank: the ceil(0.95 n)-th smallest, with ceil done in integers ((95 n + 99) / 100).
          sql: `WITH turns AS (
                  SELECT CAST(j.value AS INTEGER) AS ms FROM calls c, json_each(c.agent_latencies_ms) j
                  WHERE c.started_at >= ? AND json_valid(c.agent_latencies_ms)),
                ranked AS (SELECT ms, row_number() OVER (ORDER BY ms) AS rank, count(*) OVER () AS n FROM turns)
                SELECT (SELECT count(*) FROM turns) AS n, (SELECT ms FROM ranked WHERE rank = (95 * n + 99) / 100) AS p95`,
          args: [since],
        },
      ],
      'read',
    );
    const counts = Object.fromEntries(CALL_OUTCOMES.map((o) => [o, 0])) as Record<CallOutcome, number>;
    for (const row of outcomes?.rows ?? []) counts[textColumn(row, 'outcome') as CallOutcome] = Number(row.n);
    const p95 = latency?.rows[0]?.p95;
    return {
      outcomes: counts,
      calls: Number(totals?.rows[0]?.n ?? 0),
      costUsd: Number(totals?.rows[0]?.cost ?? 0),
      agentResponseP95Ms: p95 === null || p95 === undefined ? undefined : Number(p95),
      agentResponses: Number(latency?.rows[0]?.n ?? 0),
    };
  }

  /** Calls started in each of `hours` consecutive hours from `from`: one count per hour, 0 for an hour with none. */
  async callsPerHour(from: Date, hours: number): Promise<number[]> {
    const fromSeconds = Math.floor(from.getTime() / 1000);
    const result = await this.#db.execute({
      // Both sides whole seconds: a bound JS number is a REAL to SQLite, and would make the division fractional.
      sql: `SELECT (CAST(strftime('%s', started_at) AS INTEGER) - CAST(? AS INTEGER)) / 3600 AS hour, count(*) AS n FROM calls
            WHERE started_at >= ? AND started_at < ? GROUP BY hour`,
      args: [fromSeconds, from.toISOString(), new Date(from.getTime() + hours * 3_600_000).toISOString()],
    });
    const counts = new Array<number>(hours).fill(0);
    for (const row of result.rows) {
      const hour = Number(row.hour);
      if (hour >= 0 && hour < hours) counts[hour] = Number(row.n);
    }
    return counts;
  }
}
