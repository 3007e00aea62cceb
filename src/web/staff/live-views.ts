import type { CallPhase } from '../../store/call-repository.ts';
import type { DayFigures, LiveCall } from '../../store/call-operations.ts';
import { CALL_OUTCOMES, maskedPhone } from '../../store/staff-call-directory.ts';
import { html, type Html } from '../html.ts';
import { formatDateTime, formatDuration, formatHour, formatUsd } from './staff-time.ts';
import { OUTCOME_LABELS, staffPage, type StaffPageContext } from './staff-views.ts';

/**
 * The live page: calls in progress, the department's day so far, and calls
 * per hour as an SVG drawn here, on the server. Asked to, it reloads itself
 * with a meta refresh, so it needs no script (the console's CSP allows none);
 * only when asked, because a page that moves on by itself is a barrier to a
 * person who reads slowly or with a screen reader (WCAG 2.2.1, axe's
 * meta-refresh rule), who must be able to turn it off.
 */

/** The query that turns the live page's reloading on. */
export const LIVE_RELOAD_QUERY = 'refresh=on';

export interface HourCount {
  /** The start of the hour on the department's clock. */
  readonly start: Date;
  readonly calls: number;
}

export interface LiveView {
  readonly now: Date;
  /** The department's date today, YYYY-MM-DD. */
  readonly day: string;
  readonly live: readonly LiveCall[];
  readonly today: DayFigures;
  /** Oldest first; the last is the hour now under way. */
  readonly hours: readonly HourCount[];
  readonly refreshSeconds: number;
  /** Whether this page reloads itself every `refreshSeconds` (the staff member asked for it). */
  readonly reloading: boolean;
}

const PHASE_LABELS: Readonly<Record<CallPhase, string>> = {
  greeting: 'Greeting',
  collecting: 'Collecting answers',
  'read-back': 'Reading back',
  ivr: 'Keypad IVR',
};

// The chart's drawing box, in SVG user units; it scales with the page (viewBox).
const CHART = { width: 720, height: 220, left: 44, right: 8, top: 12, bottom: 36 } as const;
const PLOT_HEIGHT = CHART.height - CHART.top - CHART.bottom;
const SLOT = (CHART.width - CHART.left - CHART.right) / 24;
const BAR_WIDTH = Math.round(SLOT * 0.7 * 100) / 100;
/** An hour label under every third bar: 24 would overlap at the width staff read it. */
const LABEL_EVERY = 3;

const round = (n: number): number => Math.round(n * 100) / 100;

/** How tall each hour's bar is: its share of the busiest hour's, over the plot's height (all 0 in a quiet day). */
export function barHeight(calls: number, busiest: number): number {
  return busiest === 0 ? 0 : round((calls / busiest) * PLOT_HEIGHT);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function hourRange(hour: HourCount, timeZone: string): string {
  return `${formatHour(hour.start, timeZone)}–${formatHour(new Date(hour.start.getTime() + 3_600_000), timeZone)}`;
}

function hourlyChart(hours: readonly HourCount[], timeZone: string): Html {
  const busiest = Math.max(0, ...hours.map((h) => h.calls));
  const total = hours.reduce((sum, h) => sum + h.calls, 0);
  const peak = hours.find((h) => h.calls === busiest);
  const summary =
    total === 0
      ? 'No calls in the last 24 hours.'
      : `${plural(total, 'call', 'calls')} in the last 24 hours; the busiest hour was ${peak === undefined ? '' : hourRange(peak, timeZone)} with ${plural(busiest, 'call', 'calls')}.`;
  const baseline = CHART.top + PLOT_HEIGHT;
  const bars = hours.map((hour, index) => {
    const height = barHeight(hour.calls, busiest);
    const x = round(CHART.left + index * SLOT + (SLOT - BAR_WIDTH) / 2);
    const label =
      index % LABEL_EVERY === 0
        ? html`<text class="axis-label" x="${round(x + BAR_WIDTH / 2)}" y="${baseline + 18}" text-anchor="middle">${formatHour(hour.start, timeZone)}</text>`
        : '';
    return html`<rect class="bar" x="${x}" y="${round(baseline - height)}" width="${BAR_WIDTH}" height="${height}" data-hour="${hour.start.toISOString()}" data-calls="${hour.calls}"><title>${hourRange(hour, timeZone)}: ${plural(hour.calls, 'call', 'calls')}</title></rect>${label}`;
  });
  return html`<figure class="hourly-chart">
<svg viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-labelledby="hourly-title hourly-desc" xmlns="http://www.w3.org/2000/svg">
<title id="hourly-title">Calls per hour, last 24 hours</title>
<desc id="hourly-desc">${summary}</desc>
<line class="axis" x1="${CHART.left}" y1="${baseline}" x2="${CHART.width - CHART.right}" y2="${baseline}"></line>
<line class="axis" x1="${CHART.left}" y1="${CHART.top}" x2="${CHART.left}" y2="${baseline}"></line>
<text class="axis-label" x="${CHART.left - 6}" y="${baseline}" text-anchor="end" dominant-baseline="middle">0</text>
<text class="axis-label" x="${CHART.left - 6}" y="${CHART.top}" text-anchor="end" dominant-baseline="middle">${busiest}</text>
<text class="axis-title" x="${CHART.left + (CHART.width - CHART.left - CHART.right) / 2}" y="${CHART.height - 4}" text-anchor="middle">Hour started (department time)</text>
${bars}
</svg>
<figcaption>${summary}</figcaption>
</figure>
<details>
<summary>Calls per hour as a table</summary>
<table class="hourly">
<caption>Calls per hour, last 24 hours, oldest first</caption>
<thead><tr><th scope="col">Hour</th><th scope="col">Calls</th></tr></thead>
<tbody>${hours.map((h) => html`<tr><td>${hourRange(h, timeZone)}</td><td>${h.calls}</td></tr>`)}</tbody>
</table>
</details>`;
}

/** Where the call is; a call put through to staff links its answers, for the person who picks up. */
function whereIsCall(call: LiveCall): Html | string {
  const inSpanish = call.language === 'es' ? ' (Spanish)' : '';
  if (!call.transferred) return `${call.phase === undefined ? 'Connecting' : PHASE_LABELS[call.phase]}${inSpanish}`;
  const answers =
    call.applicationId === undefined
      ? ''
      : html` — <a href="/staff/applications/${call.applicationId}">the caller's answers so far</a>`;
  return html`Put through to staff${inSpanish}${answers}`;
}

function liveCallRows(view: LiveView, timeZone: string): Html {
  if (view.live.length === 0) return html`<p>No calls in progress.</p>`;
  const rows = view.live.map((call) => {
    const seconds = Math.max(0, Math.floor((view.now.getTime() - Date.parse(call.startedAt)) / 1000));
    return html`<tr data-call="${call.callSid}">
<td>${call.callerPhone === '' ? 'erased' : maskedPhone(call.callerPhone)}</td>
<td><a href="/staff/calls/${call.callSid}">${formatDateTime(call.startedAt, timeZone)}</a></td>
<td>${formatDuration(seconds)}</td>
<td>${whereIsCall(call)}</td>
</tr>`;
  });
  return html`<table class="live-calls">
<caption>${plural(view.live.length, 'call', 'calls')} in progress, longest first</caption>
<thead><tr><th scope="col">Caller</th><th scope="col">Started</th><th scope="col">So far</th><th scope="col">Where</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function dayFigures(view: LiveView): Html {
  const { today } = view;
  const p95 =
    today.agentResponseP95Ms === undefined
      ? 'no data yet'
      : `${(today.agentResponseP95Ms / 1000).toFixed(2)} s (over ${plural(today.agentResponses, 'agent turn', 'agent turns')})`;
  return html`<dl class="facts day-figures">
<dt>Calls</dt><dd data-figure="calls">${today.calls}</dd>
${CALL_OUTCOMES.map((o) => html`<dt>${OUTCOME_LABELS[o]}</dt><dd data-figure="${o}">${today.outcomes[o]}</dd>`)}
<dt>Model cost</dt><dd data-figure="cost">${formatUsd(today.costUsd)}</dd>
<dt>Agent response, 95th percentile</dt><dd data-figure="agent-p95">${p95}</dd>
</dl>`;
}

export function livePage(view: LiveView, context: StaffPageContext): string {
  const { timeZone } = context;
  return staffPage(
    'Live',
    html`<h1>Live calls</h1>
${
  view.reloading
    ? html`<p class="notice" role="status">As of ${formatDateTime(view.now.toISOString(), timeZone)}; this page reloads every ${view.refreshSeconds} seconds. <a href="/staff/live">Stop reloading</a></p>`
    : html`<p class="notice" role="status">As of ${formatDateTime(view.now.toISOString(), timeZone)}. <a href="/staff/live">Reload now</a> or <a href="/staff/live?${LIVE_RELOAD_QUERY}">reload every ${view.refreshSeconds} seconds</a>.</p>`
}
<h2>In progress now</h2>
${liveCallRows(view, timeZone)}
<h2>Today so far (${view.day})</h2>
${dayFigures(view)}
<h2>Calls per hour</h2>
${hourlyChart(view.hours, timeZone)}`,
    context,
    view.reloading ? { refreshSeconds: view.refreshSeconds } : {},
  );
}
