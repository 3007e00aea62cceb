import Database from 'libsql';
import {
  HranaRequestError,
  type HranaBatch,
  type HranaBatchCond,
  type HranaBatchResult,
  type HranaCol,
  type HranaDescribeResult,
  type HranaError,
  type HranaStmt,
  type HranaStmtResult,
  type HranaValue,
  type StreamRequest,
  type StreamResponse,
} from './hrana-messages.ts';

/** How a stream's engine connection is opened; every connection of one stand-in shares these. */
export interface EngineSettings {
  readonly path: string;
  /** How long a statement waits for another stream's write lock before failing with SQLITE_BUSY. */
  readonly busyTimeoutMs: number;
  readonly lockReleases: LockReleases;
}

/**
 * Wakes the statements waiting for the write lock as soon as a stream of this stand-in ends its
 * transaction, so a waiter gets in before the holder's next BEGIN arrives over the network (polling alone
 * would let one busy client starve the others). Locks held by other processes are found by polling.
 */
export class LockReleases {
  readonly #waiters = new Set<() => void>();

  /** Resolves at the next release, or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  released(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

type SqlValue = null | bigint | number | string | Buffer;

/**
 * One Hrana stream: its own connection to the database file, so a transaction begun on it holds until
 * its COMMIT or ROLLBACK arrives, across requests. Requests run one at a time, in arrival order.
 */
export class EngineStream {
  readonly #settings: EngineSettings;
  readonly #db: Database.Database;
  /** Over HTTP the stream owns its stored SQL; over a WebSocket the connection does (shared by its streams). */
  readonly #storedSql: Map<number, string>;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #queryOnly = false;

  constructor(settings: EngineSettings, storedSql: Map<number, string> = new Map()) {
    this.#settings = settings;
    this.#storedSql = storedSql;
    // The path is the operator's --file (or a test's temp file), not user input.
    this.#db = new Database(settings.path);
    // The stand-in's event loop serves every stream, so SQLite must never sleep in its busy handler here
    // (the lock holder's COMMIT could not arrive): a busy statement is retried asynchronously instead.
    this.#db.pragma('busy_timeout = 0');
    // Turso's connections enforce foreign keys; our migrations' ON DELETE rules rely on it.
    this.#db.pragma('foreign_keys = ON');
    // As our local files (src/store/database.ts): no disk sync per commit. Turso's durability is its own
    // (replicated storage); a stand-in that synced each commit would make writes slower than Turso's.
    this.#db.pragma('synchronous = NORMAL');
  }

  get isAutocommit(): boolean {
    return !this.#db.inTransaction;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `request` after the ones before it on this stream. */
  handle(request: StreamRequest): Promise<StreamResponse> {
    if (this.#closed) return Promise.reject(new HranaRequestError('The stream is closed', 'STREAM_CLOSED'));
    const run = this.#queue.then(() => this.#handleNow(request));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the connection once queued requests are done; an open transaction is rolled back, as on Turso. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    if (this.#db.inTransaction) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // Closing the connection discards the transaction anyway.
      }
    }
    this.#db.close();
    this.#settings.lockReleases.released();
  }

  async #handleNow(request: StreamRequest): Promise<StreamResponse> {
    try {
      return await this.#answer(request);
    } finally {
      if (this.#queryOnly && !this.#db.inTransaction) {
        this.#db.pragma('query_only = OFF');
        this.#queryOnly = false;
      }
      // A batch begins and commits within one request, so "in a transaction before, not after" would miss
      // it; waking waiters whenever a request ends outside a transaction costs at most a retry each.
      if (!this.#db.inTransaction) this.#settings.lockReleases.released();
    }
  }

  async #answer(request: StreamRequest): Promise<StreamResponse> {
    switch (request.type) {
      case 'execute':
        return { type: 'execute', result: await this.#executeStmt(request.stmt) };
      case 'batch':
        return { type: 'batch', result: await this.#executeBatch(request.batch) };
      case 'sequence':
        await this.#sequence(this.#sqlOf(request));
        return { type: 'sequence' };
      case 'describe':
        return { type: 'describe', result: this.#describe(this.#sqlOf(request)) };
      case 'store_sql':
        this.#storedSql.set(request.sql_id, request.sql);
        return { type: 'store_sql' };
      case 'close_sql':
        this.#storedSql.delete(request.sql_id);
        return { type: 'close_sql' };
      case 'get_autocommit':
        return { type: 'get_autocommit', is_autocommit: this.isAutocommit };
    }
  }

  #sqlOf(ref: { sql?: string | undefined; sql_id?: number | undefined }): string {
    if (ref.sql !== undefined && ref.sql_id !== undefined)
      throw new HranaRequestError('Give either sql or sql_id, not both', 'HRANA_PROTO_ERROR');
    if (ref.sql !== undefined) return ref.sql;
    if (ref.sql_id === undefined)
      throw new HranaRequestError('The statement has no sql nor sql_id', 'HRANA_PROTO_ERROR');
    const stored = this.#storedSql.get(ref.sql_id);
    if (stored === undefined)
      throw new HranaRequestError(`SQL text ${ref.sql_id} was not stored on this stream`, 'SQL_NOT_FOUND');
    return stored;
  }

  async #executeStmt(stmt: HranaStmt): Promise<HranaStmtResult> {
    const sql = this.#sqlOf(stmt);
    const params = bindParameters(stmt);
    let prepared: Database.Statement;
    try {
      prepared = this.#db.prepare(sql);
    } catch (error) {
      throw asRequestError(error);
    }
    prepared.safeIntegers(true);
    const returnsRows = prepared.reader;
    if (returnsRows) prepared.raw(true);
    // The same statement object is retried: a statement that failed busy stays in progress until it is run
    // again, and an abandoned one would make this connection's COMMIT fail.
    const result = await this.#whenNotBusy((): HranaStmtResult => {
      if (!returnsRows) {
        const info = prepared.run(params);
        return {
          cols: [],
          rows: [],
          affected_row_count: info.changes,
          last_insert_rowid: String(info.lastInsertRowid),
        };
      }
      const cols: HranaCol[] = prepared.columns().map((col) => ({ name: col.name, decltype: col.type }));
      const rows = (prepared.all(params) as SqlValue[][]).map((row) => row.map(toHranaValue));
      // INSERT … RETURNING returns rows and changes rows; a plain SELECT changes none (the engine's binding
      // does not say whether a statement is read-only).
      const counts = /\bRETURNING\b/i.test(sql) ? this.#changes() : undefined;
      return {
        cols,
        rows: stmt.want_rows ? rows : [],
        affected_row_count: counts?.changes ?? 0,
        last_insert_rowid: counts?.lastInsertRowid ?? null,
      };
    });
    // libSQL's BEGIN READONLY does not stop writes in the local engine; Turso refuses them, so do we.
    if (isReadOnlyBegin(sql)) {
      this.#db.pragma('query_only = ON');
      this.#queryOnly = true;
    }
    return result;
  }

  #changes(): { changes: number; lastInsertRowid: string } {
    const row = this.#db.prepare('SELECT changes(), last_insert_rowid()').raw(true).safeIntegers(true).get() as [
      bigint,
      bigint,
    ];
    return { changes: Number(row[0]), lastInsertRowid: String(row[1]) };
  }

  async #executeBatch(batch: HranaBatch): Promise<HranaBatchResult> {
    const results: (HranaStmtResult | null)[] = [];
    const errors: (HranaError | null)[] = [];
    for (const step of batch.steps) {
      const run = step.condition === undefined || this.#holds(step.condition, results, errors);
      if (!run) {
        results.push(null);
        errors.push(null);
        continue;
      }
      try {
        results.push(await this.#executeStmt(step.stmt));
        errors.push(null);
      } catch (error) {
        results.push(null);
        errors.push(toHranaError(error));
      }
    }
    return { step_results: results, step_errors: errors };
  }

  #holds(cond: HranaBatchCond, results: (HranaStmtResult | null)[], errors: (HranaError | null)[]): boolean {
    switch (cond.type) {
      case 'ok':
        return results[cond.step] != null;
      case 'error':
        return errors[cond.step] != null;
      case 'not':
        return !this.#holds(cond.cond, results, errors);
      case 'and':
        return cond.conds.every((c) => this.#holds(c, results, errors));
      case 'or':
        return cond.conds.some((c) => this.#holds(c, results, errors));
      case 'is_autocommit':
        return this.isAutocommit;
    }
  }

  async #sequence(sql: string): Promise<void> {
    // exec runs the statements one by one; a retry after a busy failure is safe only if none of them wrote.
    const before = this.#writeState();
    await this.#whenNotBusy(
      () => {
        this.#db.exec(sql);
      },
      () => this.#writeState() === before,
    );
  }

  #writeState(): string {
    const row = this.#db.prepare('SELECT total_changes()').raw(true).safeIntegers(true).get() as [bigint];
    return `${String(row[0])}/${String(this.#db.inTransaction)}`;
  }

  #describe(sql: string): HranaDescribeResult {
    try {
      const prepared = this.#db.prepare(sql);
      let cols: { name: string; decltype: string | null }[] = [];
      try {
        prepared.raw(true);
        cols = prepared.columns().map((col) => ({ name: col.name, decltype: col.type }));
      } catch {
        // No result columns.
      }
      return {
        params: [],
        cols,
        is_explain: /^\s*explain\b/i.test(sql),
        is_readonly: /^\s*(SELECT|EXPLAIN|VALUES)\b/i.test(sql),
      };
    } catch (error) {
      throw asRequestError(error);
    }
  }

  /**
   * Runs `attempt`; while the database is locked by another stream's write, tries again a little later,
   * up to the busy timeout, as SQLite's own busy handler would (without blocking the other streams).
   */
  async #whenNotBusy<T>(attempt: () => T, safeToRetry: () => boolean = () => true): Promise<T> {
    const deadline = Date.now() + this.#settings.busyTimeoutMs;
    let pauseMs = 2;
    for (;;) {
      try {
        return attempt();
      } catch (error) {
        if (!(error instanceof Database.SqliteError) || error.code !== 'SQLITE_BUSY') throw asRequestError(error);
        if (Date.now() >= deadline || !safeToRetry()) throw asRequestError(error);
      }
      await this.#settings.lockReleases.next(pauseMs);
      pauseMs = Math.min(pauseMs * 2, 50);
    }
  }
}

/** BEGIN [TRANSACTION] READONLY, as the client sends it for `transaction('read')`. */
function isReadOnlyBegin(sql: string): boolean {
  const words = sql.trim().toUpperCase().split(/\s+/);
  return words[0] === 'BEGIN' && words.includes('READONLY') && words.length <= 3;
}

/** The engine binds either a list (positional) or one object (named), never both. */
function bindParameters(stmt: HranaStmt): SqlValue[] | Record<string, SqlValue> {
  if (stmt.named_args.length === 0) return stmt.args.map(fromHranaValue);
  if (stmt.args.length > 0)
    throw new HranaRequestError(
      'The stand-in cannot mix positional and named arguments in one statement',
      'SQLITE_RANGE',
    );
  const named: Record<string, SqlValue> = {};
  for (const arg of stmt.named_args) {
    // The engine names parameters without their :, @ or $ prefix.
    named[arg.name.replace(/^[:@$]/, '')] = fromHranaValue(arg.value);
  }
  return named;
}

function fromHranaValue(value: HranaValue): SqlValue {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(value.value);
    case 'float':
      return value.value;
    case 'text':
      return value.value;
    case 'blob':
      return Buffer.from(value.base64, 'base64');
  }
}

function toHranaValue(value: SqlValue): HranaValue {
  if (value === null) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  return { type: 'blob', base64: Buffer.from(value).toString('base64') };
}

// The primary result codes SQLite defines (sqlite3.h): the local driver reports `code` as the primary code
// (SQLITE_CONSTRAINT) and the extended one separately, and Turso's errors carry the primary code too.
const PRIMARY_CODES = new Map<number, string>([
  [1, 'SQLITE_ERROR'],
  [2, 'SQLITE_INTERNAL'],
  [3, 'SQLITE_PERM'],
  [4, 'SQLITE_ABORT'],
  [5, 'SQLITE_BUSY'],
  [6, 'SQLITE_LOCKED'],
  [7, 'SQLITE_NOMEM'],
  [8, 'SQLITE_READONLY'],
  [9, 'SQLITE_INTERRUPT'],
  [10, 'SQLITE_IOERR'],
  [11, 'SQLITE_CORRUPT'],
  [12, 'SQLITE_NOTFOUND'],
  [13, 'SQLITE_FULL'],
  [14, 'SQLITE_CANTOPEN'],
  [15, 'SQLITE_PROTOCOL'],
  [16, 'SQLITE_EMPTY'],
  [17, 'SQLITE_SCHEMA'],
  [18, 'SQLITE_TOOBIG'],
  [19, 'SQLITE_CONSTRAINT'],
  [20, 'SQLITE_MISMATCH'],
  [21, 'SQLITE_MISUSE'],
  [22, 'SQLITE_NOLFS'],
  [23, 'SQLITE_AUTH'],
  [24, 'SQLITE_FORMAT'],
  [25, 'SQLITE_RANGE'],
  [26, 'SQLITE_NOTADB'],
]);

function asRequestError(error: unknown): HranaRequestError {
  if (error instanceof HranaRequestError) return error;
  if (error instanceof Database.SqliteError) {
    const code =
      (error.rawCode === undefined ? undefined : PRIMARY_CODES.get(error.rawCode & 0xff)) ??
      error.code.replace(/^(SQLITE_[A-Z]+?)_.*$/, '$1');
    return new HranaRequestError(error.message, code);
  }
  if (error instanceof RangeError || error instanceof TypeError)
    return new HranaRequestError(error.message, 'SQLITE_RANGE');
  return new HranaRequestError(error instanceof Error ? error.message : String(error), 'SQLITE_ERROR');
}

/** The error as Hrana sends it: a message and the code the client's LibsqlError carries. */
export function toHranaError(error: unknown): HranaError {
  const request = asRequestError(error);
  return { message: request.message, code: request.code };
}
