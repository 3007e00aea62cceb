import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type Client } from '@libsql/client';

export interface DatabaseSettings {
  readonly url: string;
  readonly authToken?: string | undefined;
  /** For a remote database (Turso): each request is aborted after this long. Local files cannot be interrupted. */
  readonly timeoutMs?: number | undefined;
}

// A second writer (another instance's SMS worker, a rekey run) waits this long for the lock before failing.
const BUSY_TIMEOUT_MS = 5_000;

/** Opens the libSQL database: a local file (created with its folder), :memory:, or Turso over libsql://. */
export async function openDatabase(settings: DatabaseSettings): Promise<Client> {
  const localPath = localFilePath(settings.url);
  // The path is the operator's DATABASE_URL, not user input.
  // eslint-disable-next-line security/detect-non-literal-fs-filename
  if (localPath !== undefined) mkdirSync(dirname(localPath), { recursive: true });
  // The client pools connections and opens more while calls overlap; a PRAGMA reaches only the connection
  // that ran it, so the busy timeout is given here, where it applies to every connection the client opens.
  const client = createClient({
    url: settings.url,
    authToken: settings.authToken,
    timeout: BUSY_TIMEOUT_MS,
    ...(settings.timeoutMs === undefined ? {} : { fetch: fetchWithin(settings.timeoutMs) }),
  });
  if (localPath !== undefined || settings.url === ':memory:') {
    await client.execute('PRAGMA foreign_keys = ON');
    await client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (localPath !== undefined) {
      await client.execute('PRAGMA journal_mode = WAL');
      // The local driver runs statements on the event loop that also carries live call audio; with WAL,
      // NORMAL skips the disk sync per commit (0.37 → 0.03 ms here) and a process crash still loses
      // nothing committed (only a power loss can lose the last commits). Turso, for production, is remote.
      await client.execute('PRAGMA synchronous = NORMAL');
    }
  }
  return client;
}

/**
 * The client's HTTP requests (Turso's protocol) with a deadline: a database that stops answering fails the
 * statement instead of holding the caller's request, and with it the call, forever.
 */
function fetchWithin(timeoutMs: number): (request: Request) => Promise<Response> {
  return (request) => fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) });
}

/** The file a file: DATABASE_URL names, or undefined for :memory: and remote (Turso) databases. */
export function localFilePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  return path.split('?')[0];
}
