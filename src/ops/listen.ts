import { once } from 'node:events';
import type { Server } from 'node:http';

/**
 * server.listen, resolved once it listens. A port another process holds is the most common way a first start
 * fails, and Node's "listen EADDRINUSE" names neither the setting nor what to do: this says both, in one line.
 * `setting` is the variable that chose the port (PORT, METRICS_PORT).
 */
export async function listenOn(server: Server, port: number, host: string, setting: string): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    if (isAddressInUse(error))
      throw new Error(
        `port ${port} on ${host} is already in use: stop the other process listening there, or set ${setting} to a free port.`,
        { cause: error },
      );
    throw error;
  }
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}
