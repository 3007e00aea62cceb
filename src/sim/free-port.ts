import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A port the kernel just handed out, released again for a server to take.
 * For local runs whose public URL must be known before the server listens
 * (the Twilio stand-in calls back to it). Another process could take the
 * port in between; on one developer machine that is rare enough.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
