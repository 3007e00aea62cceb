import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Client } from '@libsql/client';

/**
 * The local libSQL driver runs each statement synchronously on the event
 * loop, and a webhook or a stream start runs ten or so of them back to back:
 * one block of a few milliseconds during which no call's audio moves. Waiting
 * one turn of the loop before each statement lets the frames that arrived in
 * the meantime through first, so a call's set-up is paid in slices between
 * other calls' frames instead of in one stall (docs/performance.md measures
 * it). A remote database (Turso) needs none of this: its statements are
 * network requests.
 */
export function takingTurns(client: Client): Client {
  const execute: Client['execute'] = async (...args: Parameters<Client['execute']>) => {
    await nextTurn();
    return client.execute(...args);
  };
  const batch: Client['batch'] = async (...args: Parameters<Client['batch']>) => {
    await nextTurn();
    return client.batch(...args);
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'execute') return execute;
      if (property === 'batch') return batch;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}
