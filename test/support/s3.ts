import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { vi } from 'vitest';
import { S3RecordingStore, s3RecordingClient } from '../../src/recording/s3-recording-store.ts';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * A real S3-compatible server (s3rver) on loopback, for the recordings bucket: its objects are files in a temp
 * directory, so it can be stopped (the bucket "down") and started again on the same port with the same objects.
 */

export const S3_BUCKET = 'permitline-recordings';
/** s3rver's fixed credentials; the service reads them through the AWS SDK's default chain, from the environment. */
const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;
// Short, so a test of the bucket being down does not sit through the production timeout.
export const TEST_S3_TIMEOUT_MS = 2_000;

/** A request the client sent: its command, and the size of the body it carried (a part, say). */
export interface SentRequest {
  readonly command: string;
  readonly bodyBytes: number | undefined;
}

export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** The settings that point the service at this bucket (RECORDINGS_DIR is the test's own). */
  readonly env: Record<string, string>;
  /** env, with the credentials a child process needs (this process has them in its environment already). */
  readonly processEnv: Record<string, string>;
  /** A client as the service builds it, with one attempt per request; `sent` collects each request it makes. */
  client(sent?: SentRequest[]): S3Client;
  /** A store over this bucket, as the service uses it (without the spool). */
  store(prefix?: string, sent?: SentRequest[]): S3RecordingStore;
  /** Stops answering: connections are refused on the port until start(). */
  stop(): Promise<void>;
  /** Answers again on the same port, with the same objects. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  close(): Promise<void>;
}

/**
 * Starts s3rver with the recordings bucket and puts s3rver's credentials in this process's environment (the AWS
 * SDK reads them from there, as it reads a task role's in production); close() puts the environment back.
 */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'permitline-s3rver-'));
  for (const [name, value] of Object.entries(S3RVER_CREDENTIALS)) vi.stubEnv(name, value);
  // Never the instance metadata endpoint: the network in tests is 127.0.0.1 only.
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  let port = 0;
  let server: S3rver | undefined;
  const listen = async (): Promise<void> => {
    const instance = new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: [{ name: S3_BUCKET }],
    });
    port = (await instance.run()).port;
    server = instance;
  };
  await listen();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const client = (sent?: SentRequest[]): S3Client => {
    const made = s3RecordingClient({ region: 'us-east-1', endpoint, timeoutMs: TEST_S3_TIMEOUT_MS, maxAttempts: 1 });
    if (sent !== undefined)
      made.middlewareStack.add(
        (next, context) => (args) => {
          const body = (args.input as { Body?: unknown }).Body;
          sent.push({
            command: context.commandName ?? '?',
            bodyBytes: body instanceof Uint8Array ? body.length : undefined,
          });
          return next(args);
        },
        { step: 'initialize' },
      );
    clients.push(made);
    return made;
  };
  const stop = async (): Promise<void> => {
    const running = server;
    server = undefined;
    await running?.close();
  };
  const env = {
    RECORDINGS_S3_BUCKET: S3_BUCKET,
    RECORDINGS_S3_ENDPOINT: endpoint,
    RECORDINGS_S3_TIMEOUT_MS: String(TEST_S3_TIMEOUT_MS),
  };
  return {
    endpoint,
    bucket: S3_BUCKET,
    env,
    processEnv: { ...env, ...S3RVER_CREDENTIALS, AWS_EC2_METADATA_DISABLED: 'true' },
    client,
    store: (prefix, sent) => new S3RecordingStore({ client: client(sent), bucket: S3_BUCKET, prefix }),
    stop,
    start: async () => {
      if (server === undefined) await listen();
    },
    async close() {
      for (const made of clients) made.destroy();
      await stop();
      rmSync(directory, { recursive: true, force: true });
      vi.unstubAllEnvs();
    },
  };
}
