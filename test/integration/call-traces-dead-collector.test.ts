import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/sim/free-port.ts';
import { OPENAI_TEST_KEY, startVoiceRig } from '../support/voice.ts';

/**
 * A collector that is not there, or that takes the connection and never answers, costs the call nothing: the
 * exporter is batched, bounded and timed out (docs/adr/0007-tracing.md), and stop does not wait on it for long.
 */

// Far above what a stop takes with a live collector or none (a couple of seconds), far below a hang.
const STOP_BOUND_MS = 20_000;

/** Takes TCP connections and never says a word: the worst a collector can do. */
async function silentCollector(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

async function callThrough(tracesUrl: string): Promise<void> {
  const rig = await startVoiceRig('happy-path', { transcriptionDelayMs: 300 }, OPENAI_TEST_KEY, {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesUrl,
  });
  let stopped = false;
  try {
    const result = await rig.call({ realTimeFactor: 4 });
    expect(result.endedBy, JSON.stringify(result.errors)).toBe('service');
    expect(result.errors).toEqual([]);
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    const submitted = await rig.service.db.execute(
      "SELECT count(*) AS n FROM applications WHERE channel = 'voice' AND status = 'submitted'",
    );
    expect(Number(submitted.rows[0]?.n)).toBe(1);
    const started = Date.now();
    await rig.close();
    stopped = true;
    expect(Date.now() - started).toBeLessThan(STOP_BOUND_MS);
  } finally {
    if (!stopped) await rig.close();
  }
}

describe('traces with an unreachable collector', () => {
  it('when the OTLP endpoint refuses connections, then a call still completes and submits, and the service stops promptly', async () => {
    await callThrough(`http://127.0.0.1:${await freePort()}/v1/traces`);
  }, 120_000);

  it('when the collector accepts connections and never answers, then a call still completes and submits, and the service stops promptly', async () => {
    const collector = await silentCollector();
    try {
      await callThrough(collector.url);
    } finally {
      await collector.close();
    }
  }, 120_000);
});
