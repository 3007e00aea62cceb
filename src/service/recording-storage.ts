import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { LocalDirectoryRecordingStore, type RecordingStore } from '../recording/recording-store.ts';

/**
 * Where recordings are kept, from the settings: RECORDINGS_DIR (the default), or the RECORDINGS_S3_BUCKET bucket
 * with a spool under RECORDINGS_DIR for what the bucket has not taken yet (docs/recordings.md). The service and
 * `npm run retention` both build it here, so they always agree on where a recording is.
 */

/** Under RECORDINGS_DIR: recordings waiting for the bucket, apart from any kept there before the bucket was set. */
export const SPOOL_DIR_NAME = 'pending-upload';
// One try plus two retries, each bounded by RECORDINGS_S3_TIMEOUT_MS: a call's end waits for at most that.
const S3_MAX_ATTEMPTS = 3;

export interface RecordingStorage {
  readonly store: RecordingStore;
  /** Where recordings are, for the start-up log line (no credentials are in it). */
  readonly description: string;
  /** Starts retrying what waits in the spool (nothing to do for a directory). */
  start(): void;
  /** Stops retrying and closes the bucket's connections; the spool is kept for the next start. */
  close(): Promise<void>;
}

/** The AWS SDK is loaded only when a bucket is configured: a single instance on its directory never pays for it. */
export async function openRecordingStorage(settings: Config['recordings'], logger: Logger): Promise<RecordingStorage> {
  const { s3 } = settings;
  if (s3 === undefined)
    return {
      store: new LocalDirectoryRecordingStore(settings.dir),
      description: `the directory ${settings.dir}`,
      start: () => undefined,
      close: () => Promise.resolve(),
    };
  const [{ S3RecordingStore, s3RecordingClient }, { SpooledRecordingStore }] = await Promise.all([
    import('../recording/s3-recording-store.ts'),
    import('../recording/spooled-recording-store.ts'),
  ]);
  const client = s3RecordingClient({
    region: s3.region,
    endpoint: s3.endpoint,
    timeoutMs: s3.timeoutMs,
    maxAttempts: S3_MAX_ATTEMPTS,
  });
  const spooled = new SpooledRecordingStore({
    remote: new S3RecordingStore({ client, bucket: s3.bucket, prefix: s3.prefix }),
    spool: new LocalDirectoryRecordingStore(join(settings.dir, SPOOL_DIR_NAME)),
    retryMs: s3.retryMs,
    logger,
  });
  return {
    store: spooled,
    description: `the bucket ${s3.bucket}${s3.prefix === '' ? '' : ` under ${s3.prefix}`}${s3.endpoint === undefined ? '' : ` at ${new URL(s3.endpoint).origin}`}`,
    start: () => {
      spooled.start();
    },
    close: async () => {
      await spooled.close();
      client.destroy();
    },
  };
}
