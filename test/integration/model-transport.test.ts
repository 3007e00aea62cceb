import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createModelTransport } from '../../src/realtime/model-transport.ts';
import { createLocalCertificate, type LocalCertificate } from '../../src/sim/tls-certificate.ts';

/** The model sockets of one process share a TLS context and resume the server's session instead of a full handshake. */

describe('the model transport', () => {
  let certificate: LocalCertificate;
  let server: Server;
  let url: string;
  beforeEach(async () => {
    certificate = await createLocalCertificate();
    server = createServer({ key: certificate.key, cert: certificate.cert });
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (ws) => {
      ws.send('{"type":"session.created"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/v1/realtime`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Opens a socket the way the openai client does with our options, waits for the server's first event. */
  async function connect(options: ConstructorParameters<typeof WebSocket>[2]): Promise<{ reused: boolean }> {
    const ws = new WebSocket(url, options);
    const [first] = (await once(ws, 'message')) as [Buffer];
    expect(first.toString()).toBe('{"type":"session.created"}');
    // TLS 1.3 tickets arrive after the handshake: give the first socket's ticket time to reach the cache.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reused = (ws as unknown as { _socket: TLSSocket })._socket.isSessionReused();
    ws.close();
    await once(ws, 'close');
    return { reused };
  }

  it('when a second call opens its model socket, then it resumes the first one’s TLS session', async () => {
    const agent = createModelTransport(certificate.cert);
    const first = await connect({ agent, perMessageDeflate: false });
    const second = await connect({ agent, perMessageDeflate: false });
    const third = await connect({ agent, perMessageDeflate: false });
    expect(first.reused).toBe(false);
    expect(second.reused).toBe(true);
    expect(third.reused).toBe(true);
  });

  it('when sockets do not share the transport, then every one makes a full handshake', async () => {
    const first = await connect({ ca: certificate.cert, perMessageDeflate: false });
    const second = await connect({ ca: certificate.cert, perMessageDeflate: false });
    expect([first.reused, second.reused]).toEqual([false, false]);
  });

  it('when the server’s certificate is not the trusted one, then the connection is refused', async () => {
    const other = await createLocalCertificate();
    const agent = createModelTransport(other.cert);
    const ws = new WebSocket(url, { agent });
    const [error] = (await once(ws, 'error')) as [Error];
    expect(error.message).toMatch(/self[- ]signed|certificate/i);
  });
});
