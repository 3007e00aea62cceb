import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';

/**
 * What every model socket of the process shares: one TLS secure context and
 * one agent that keeps the server's session tickets. Without them each call
 * built its own context (the CA store parsed again) and made a full
 * handshake, certificate check included, on the event loop every other call
 * shares; at 40 new calls a second that was a visible part of the ramp's tail
 * (docs/performance.md). The agent never pools sockets: a WebSocket upgrade
 * keeps its connection for the call.
 */

/** One host, one ticket at a time in practice; room for a few endpoints (the simulator and the API) to be safe. */
const CACHED_SESSIONS = 16;

export function createModelTransport(ca?: string): Agent {
  return new Agent({
    keepAlive: false,
    maxCachedSessions: CACHED_SESSIONS,
    // Without a ca the context trusts Node's root store plus NODE_EXTRA_CA_CERTS, as a default connection does.
    secureContext: createSecureContext(ca === undefined ? {} : { ca }),
  });
}
