import type { Client } from '@libsql/client';
import type { Logger } from 'pino';
import { ApplicantErasure } from '../store/applicant-erasure.ts';
import { AuditLog } from '../store/audit-log.ts';
import type { FieldCipher } from '../store/field-cipher.ts';
import { JobLeases } from '../store/job-leases.ts';
import { Retention, type RetentionTotals } from '../store/retention.ts';

/**
 * The retention job inside the service: once shortly after start, then every
 * day. Every instance runs it; the job's lease lets one work at a time and the
 * others find nothing left to do (src/store/retention.ts). Running at start as
 * well as daily means an instance replaced more often than daily still runs it.
 */

export interface RetentionSchedule {
  /** Stops the timer and waits for a run in progress to finish its batch. */
  stop(): Promise<void>;
}

export interface RetentionScheduleDeps {
  readonly db: Client;
  readonly cipher: FieldCipher;
  readonly recordings: { erase(callSid: string): Promise<boolean> };
  readonly days: number;
  readonly logger: Logger;
}

const EVERY_MS = 86_400_000;
/** The audit log's actor for the service's own runs (npm run retention writes `cli:<OS user>`). */
export const SERVICE_RETENTION_ACTOR = 'service:retention';

export function scheduleRetention(deps: RetentionScheduleDeps): RetentionSchedule {
  const retention = new Retention({
    db: deps.db,
    erasure: new ApplicantErasure(deps.db, deps.cipher),
    audit: new AuditLog(deps.db),
    leases: new JobLeases(deps.db),
    recordings: deps.recordings,
  });
  const log = deps.logger.child({ job: 'retention' });
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = async (): Promise<void> => {
    try {
      const outcome = await retention.run({
        days: deps.days,
        actor: SERVICE_RETENTION_ACTOR,
        sourceAddress: 'local',
        signal: stopping.signal,
      });
      if (outcome.kind === 'busy')
        log.info({ heldUntil: outcome.heldUntil }, 'retention: another instance is running it');
      else if (erasedAnything(outcome.totals))
        log.info(
          { ...outcome.totals, cutoff: outcome.cutoff, retentionDays: deps.days },
          'retention: erased personal data older than the retention window',
        );
      else log.debug({ cutoff: outcome.cutoff }, 'retention: nothing older than the retention window');
    } catch (error) {
      log.error({ err: error }, 'retention run failed; what it did not erase is erased by the next run');
    }
  };
  const tick = (): void => {
    running = runOnce().finally(() => {
      running = undefined;
      if (!stopping.signal.aborted) timer = setTimeout(tick, EVERY_MS).unref();
    });
  };
  timer = setTimeout(tick, 0).unref();

  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

function erasedAnything(totals: RetentionTotals): boolean {
  return totals.applications + totals.calls + totals.recordings > 0;
}
