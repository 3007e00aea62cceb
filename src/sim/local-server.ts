import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';

/** Small pieces the local stand-ins (realtime simulator, Twilio stand-in) share. */

/** Compares digests, so the check takes as long whichever byte differs. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Listens on `host:port` (0: any free port) and resolves with the address, or rejects if the port is taken. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
