import type { CallEvent, CallResult } from './call-simulator.ts';

/** How a simulated call reads on a terminal: one line per event, and a summary. Shared by npm run call and npm run demo. */

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** m:ss.t of phone time. */
export const phoneClock = (ms: number): string => {
  const tenths = Math.floor(ms / 100);
  return `${Math.floor(tenths / 600)}:${String(Math.floor(tenths / 10) % 60).padStart(2, '0')}.${tenths % 10}`;
};

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function describeCallEvent(event: CallEvent, verbose: boolean): string | undefined {
  switch (event.type) {
    case 'webhook-answered': {
      const say = event.say === undefined ? '' : ` Say: "${event.say}"`;
      const stream =
        event.streamUrl === undefined ? ' (no media stream: the call ends here)' : ` → stream ${event.streamUrl}`;
      return `☎ webhook answered ${event.status} [${event.verbs.join(', ')}]${say}${stream}`;
    }
    case 'stream-opened':
      return `⇄ media stream ${event.streamSid} open (${event.url})`;
    case 'stream-status-callback':
      return `  stream status callback (${event.streamEvent}) → ${event.status}`;
    case 'caller-speaking':
      return `caller: ${event.text}`;
    case 'caller-done':
      return `caller: [done, ${seconds(event.spokenMs)}]`;
    case 'agent-audio-started':
      return 'agent: [speaking…]';
    case 'agent-audio-finished':
      return `agent: [spoke ${seconds(event.playedMs)}]`;
    case 'mark-echoed':
      return verbose ? `⇠ mark ${event.name}` : undefined;
    case 'cleared':
      return `⇢ clear (dropped ${seconds(event.droppedMs)}, ${event.marksEchoed} pending marks returned)`;
    case 'stream-closed':
      return `⇄ stream closed by the ${event.by} (${event.code}${event.reason === '' ? '' : ` "${event.reason}"`})`;
    case 'connect-action':
      return `⇢ <Connect> action → ${event.status} ${oneLine(event.twiml)}`;
    case 'status-callback':
      return `⇢ status callback (completed) → ${event.status}`;
    case 'off-script':
      return `✗ the agent has said ${seconds(event.heardMs)} that is none of this scenario's lines: hanging up`;
    case 'protocol-violation':
      return `✗ protocol violation: ${event.message}`;
    case 'error':
      return `✗ ${event.message}`;
  }
}

export function callSummary(result: CallResult): string {
  const clearsDropped = result.clears.reduce((sum, clear) => sum + clear.droppedMs, 0);
  const close =
    result.closeCode === undefined
      ? ''
      : ` (close ${result.closeCode}${result.closeReason ? ` "${result.closeReason}"` : ''})`;
  const list = (items: readonly string[]): string =>
    items.length === 0 ? 'none' : items.map((item) => `\n    - ${item}`).join('');
  const rows: [string, string][] = [
    ['call', `${result.callSid}${result.streamSid === undefined ? '' : ` / ${result.streamSid}`}`],
    ['ended by', `${result.endedBy}${close}`],
    ['duration', seconds(result.durationMs)],
    ['caller turns', `${result.callerTurnsSpoken} spoken`],
    [
      'agent audio',
      `${seconds(result.agentAudioMsPlayed)} played${result.agentAudioMsUnplayed > 0 ? `, ${seconds(result.agentAudioMsUnplayed)} never played (stream ended first)` : ''}`,
    ],
    ['frames sent', String(result.framesSent)],
    ['marks echoed', String(result.marksEchoed.length)],
    ['clears', result.clears.length === 0 ? '0' : `${result.clears.length} (dropped ${seconds(clearsDropped)})`],
    [
      'connect action',
      result.connectActionStatus === undefined
        ? 'not requested'
        : `${result.connectActionStatus} ${oneLine(result.connectActionTwiml ?? '')}`,
    ],
    [
      'status callback',
      result.statusCallbackStatus === undefined ? 'not delivered' : String(result.statusCallbackStatus),
    ],
    ...(result.redirectedTo === undefined
      ? []
      : [['redirected to', `${result.redirectedTo.url} (by the ${result.redirectedTo.by})`] as [string, string]]),
    ['violations', list(result.protocolViolations)],
    ['errors', list(result.errors)],
  ];
  // Behind the local cluster's balancer, which instance took each part of the call.
  const { webhook, stream, connectAction } = result.servedBy;
  if (webhook !== undefined || stream !== undefined)
    rows.splice(2, 0, [
      'instances',
      `webhook ${webhook ?? '?'}, stream ${stream ?? '?'}${connectAction === undefined ? '' : `, after-stream ${connectAction}`}`,
    ]);
  return `\n── summary ──\n${rows.map(([name, value]) => `  ${name.padEnd(16)}${value}`).join('\n')}\n`;
}
