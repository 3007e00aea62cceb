import type { TableCounts } from '../store/database-backup.ts';
import { plural } from './operator.ts';

/** What a backup or a restored database holds, in the words an operator checks it by. */
export function describeCounts(counts: TableCounts): string {
  const main = [
    ['applications', 'application', 'applications'],
    ['calls', 'call', 'calls'],
    ['sms_outbox', 'queued or sent text', 'queued or sent texts'],
    ['audit_log', 'audit entry', 'audit entries'],
  ] as const;
  const named = main.map(([table, one, many]) => {
    const n = counts[table] ?? 0;
    return `${n} ${n === 1 ? one : many}`;
  });
  const rows = Object.values(counts).reduce((total, n) => total + n, 0);
  return `${named.join(', ')} (${plural(Object.keys(counts).length, 'table')}, ${plural(rows, 'row')} in all)`;
}
