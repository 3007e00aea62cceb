import type { Client, Row } from '@libsql/client';
import type { AuditLog } from './audit-log.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';

/**
 * The operator's switches (migration 015), set from `npm run voice` / `npm run
 * sms` or the staff console's Switches page, read live by the voice webhook
 * (each new call) and the SMS outbox worker (each poll): voice-ai off sends
 * new calls to the keypad IVR, sms-sending off keeps texts queued. A switch
 * nobody has touched is on. Every change is written to the audit log by the
 * one method that makes it. The only place that knows the table's SQL.
 */

export type SwitchName = 'voice-ai' | 'sms-sending';
export type SwitchState = 'on' | 'off';

export const SWITCH_NAMES: readonly SwitchName[] = ['voice-ai', 'sms-sending'];

export function isSwitchName(value: string): value is SwitchName {
  return (SWITCH_NAMES as readonly string[]).includes(value);
}

export interface SwitchStatus {
  readonly name: SwitchName;
  readonly state: SwitchState;
  /** Undefined for a switch never changed (it is on). */
  readonly changedAt: string | undefined;
  readonly changedBy: string | undefined;
  /** '' when none was given. */
  readonly reason: string;
}

export interface SwitchChange {
  /** Who: a staff username, or `cli:<OS user>`. */
  readonly actor: string;
  /** The audit log's "from": a request's address, or `local` for the command line. */
  readonly sourceAddress: string;
  readonly reason?: string | undefined;
}

export interface SwitchSetResult {
  /** False when the switch was already in that state: nothing was written, nor audited. */
  readonly changed: boolean;
  readonly status: SwitchStatus;
}

// Shown on the console and in the audit log for years: a sentence, not a document.
export const MAX_REASON_LENGTH = 200;

/** One line of plain text: control and invisible formatting characters (a bidi override) become spaces. */
export function cleanReason(reason: string | undefined): string {
  return (reason ?? '')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_REASON_LENGTH);
}

export class ServiceSwitches {
  readonly #db: Client;
  readonly #audit: AuditLog;
  readonly #now: () => Date;

  constructor(db: Client, audit: AuditLog, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#audit = audit;
    this.#now = now;
  }

  /** One primary-key read: cheap enough for every new call and every worker poll, so nothing is cached. */
  async state(name: SwitchName): Promise<SwitchState> {
    const result = await this.#db.execute({ sql: 'SELECT state FROM service_switches WHERE name = ?', args: [name] });
    return result.rows[0]?.state === 'off' ? 'off' : 'on';
  }

  async isOn(name: SwitchName): Promise<boolean> {
    return (await this.state(name)) === 'on';
  }

  async status(name: SwitchName): Promise<SwitchStatus> {
    const result = await this.#db.execute({ sql: 'SELECT * FROM service_switches WHERE name = ?', args: [name] });
    const row = result.rows[0];
    return row === undefined ? neverChanged(name) : toStatus(name, row);
  }

  async list(): Promise<SwitchStatus[]> {
    return Promise.all(SWITCH_NAMES.map((name) => this.status(name)));
  }

  /**
   * Turns a switch on or off and writes the audit entry (`switch.<name>.<state>`). One conditional statement
   * makes the change, so two operators turning it off at once change it once and one audit entry is written.
   * Should the audit append fail, the change stands and the error says so.
   */
  async set(name: SwitchName, state: SwitchState, change: SwitchChange): Promise<SwitchSetResult> {
    const at = this.#now().toISOString();
    const reason = cleanReason(change.reason);
    // Off is a row; on is that row flipped back (a switch with no row is on already, so there is nothing to do).
    const result =
      state === 'off'
        ? await this.#db.execute({
            sql: `INSERT INTO service_switches (name, state, changed_at, changed_by, reason) VALUES (?, 'off', ?, ?, ?)
                  ON CONFLICT (name) DO UPDATE SET state = 'off', changed_at = excluded.changed_at,
                    changed_by = excluded.changed_by, reason = excluded.reason
                  WHERE service_switches.state = 'on'`,
            args: [name, at, change.actor, reason],
          })
        : await this.#db.execute({
            sql: `UPDATE service_switches SET state = 'on', changed_at = ?, changed_by = ?, reason = ?
                  WHERE name = ? AND state = 'off'`,
            args: [at, change.actor, reason, name],
          });
    const changed = result.rowsAffected === 1;
    if (changed) {
      try {
        await this.#audit.append({
          actor: change.actor,
          action: `switch.${name}.${state}`,
          subject: `switch:${name}`,
          sourceAddress: change.sourceAddress,
          detail: { reason },
        });
      } catch (error) {
        throw new Error(
          `${name} was turned ${state}, but its audit entry could not be written (${error instanceof Error ? error.message : String(error)}). Run npm run audit:verify and record this change by hand.`,
          { cause: error },
        );
      }
    }
    return { changed, status: await this.status(name) };
  }
}

function neverChanged(name: SwitchName): SwitchStatus {
  return { name, state: 'on', changedAt: undefined, changedBy: undefined, reason: '' };
}

function toStatus(name: SwitchName, row: Row): SwitchStatus {
  return {
    name,
    state: textColumn(row, 'state') === 'off' ? 'off' : 'on',
    changedAt: optionalTextColumn(row, 'changed_at'),
    changedBy: optionalTextColumn(row, 'changed_by'),
    reason: optionalTextColumn(row, 'reason') ?? '',
  };
}
