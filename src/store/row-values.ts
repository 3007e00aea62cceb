import type { Row } from '@libsql/client';

/** A text column's value; anything else means the schema and the code disagree, which is a bug worth stopping for. */
export function textColumn(row: Row | Record<string, unknown>, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`Expected text in column ${column}, found ${typeof value}`);
  return value;
}

export function optionalTextColumn(row: Row | Record<string, unknown>, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
}
