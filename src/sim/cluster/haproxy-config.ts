/**
 * The HAProxy configuration of the local cluster (docs/scaling.md explains
 * the settings that matter in production too). Rendered, not templated from
 * a file, so the ports and the instance list come from one place.
 */

export interface BalancerServer {
  readonly name: string;
  readonly port: number;
}

export interface HaproxySettings {
  /** Where callers (and the call simulator) reach the cluster. */
  readonly publicPort: number;
  readonly servers: readonly BalancerServer[];
  /** How often an instance's readiness is checked; with fall 2 a draining instance is out within two of these. */
  readonly checkIntervalMs?: number;
  /**
   * roundrobin (default): each request to the next instance, so a call's webhook and stream usually land apart, as
   * the cluster tests want. leastconn: to the instance with the fewest open connections, which spreads long-lived
   * media streams evenly (round robin can put every stream on one instance when each call makes as many requests
   * as there are instances).
   */
  readonly balance?: 'roundrobin' | 'leastconn';
  /** How long a media stream (an upgraded WebSocket) may stay silent: longer than any call. */
  readonly tunnelTimeoutMs?: number;
}

const DEFAULT_CHECK_INTERVAL_MS = 500;
// A call of an hour and more still fits; the service ends overlong calls itself.
const DEFAULT_TUNNEL_TIMEOUT_MS = 2 * 60 * 60 * 1000;
/** The response header naming the instance that answered: the balancer's own record, so tests need no service change. */
export const INSTANCE_HEADER = 'X-PermitLine-Instance';

export function renderHaproxyConfig(settings: HaproxySettings): string {
  const inter = settings.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const tunnel = settings.tunnelTimeoutMs ?? DEFAULT_TUNNEL_TIMEOUT_MS;
  return [
    'global',
    // Two file descriptors per connection: this stays under a common 20,000 descriptor limit.
    '  maxconn 4000',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    // Twilio gives a webhook 15 s: a request held longer than that is lost anyway.
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    // Once upgraded, a media stream is a tunnel: only this timeout applies to it, so it must outlast a call.
    `  timeout tunnel ${tunnel}ms`,
    // The service reads the client address (rate limits) from X-Forwarded-For with TRUST_PROXY set.
    '  option forwardfor',
    // An instance that refuses the connection (killed, restarting): the request goes to another one instead.
    '  option redispatch',
    '  retries 2',
    '',
    'frontend public',
    `  bind 127.0.0.1:${settings.publicPort}`,
    '  http-request set-header X-Forwarded-Proto http',
    '  default_backend permitline',
    '',
    'backend permitline',
    // Each request is balanced on its own: a call's webhook and its stream usually land on different instances.
    `  balance ${settings.balance ?? 'roundrobin'}`,
    '  option httpchk GET /health/ready',
    // A check's own deadline, apart from its interval: a busy instance that answers slowly is still in rotation;
    // a draining one answers 503 at once and leaves after two checks.
    '  timeout check 2s',
    '  http-check expect status 200',
    `  http-response set-header ${INSTANCE_HEADER} %s`,
    // fall 2: one slow answer does not take an instance out; a draining one (503) is out after two checks.
    `  default-server inter ${inter}ms fastinter ${Math.max(100, Math.round(inter / 2))}ms fall 2 rise 2`,
    ...settings.servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
    '',
  ].join('\n');
}
