import { median } from './side-by-side.ts';
/**
 * The p99 plot of docs/performance.md: added latency against concurrent calls, the service beside the reference
 * passthrough, each way. Pure: sweep points in, an SVG document out, the same bytes for the same points (no clock,
 * no randomness, no locale), so a redraw from the saved points (npm run bench:sweep -- --from-json) changes
 * nothing in git unless the figures did.
 */

export const PLOT_TARGETS = ['service', 'reference'] as const;
export type PlotTarget = (typeof PLOT_TARGETS)[number];
export const DIRECTIONS = ['inbound', 'outbound'] as const;
/** inbound: caller → model; outbound: model → caller. */
export type Direction = (typeof DIRECTIONS)[number];
export type LatencyWindow = 'whole run' | 'steady';

/** One bench run of one target at one load: p99 in ms, NaN when the run measured none. */
export interface SweepPoint {
  readonly target: PlotTarget;
  readonly calls: number;
  readonly inboundAllP99: number;
  readonly outboundAllP99: number;
  readonly inboundSteadyP99: number;
  readonly outboundSteadyP99: number;
}

export interface PlotOptions {
  readonly window: LatencyWindow;
  /** Defaults to the plot's subject and window. */
  readonly title?: string;
  /** A second, smaller line under the title: the machine, the run length, the number of runs. */
  readonly note?: string;
  /** An absolute p99 to draw as a dashed line; the targets are ratios, so it is optional. */
  readonly targetMs?: number;
  readonly targetLabel?: string;
}

/** One x of one series: the median of its runs, and their spread when there were several. */
export interface SeriesValue {
  readonly calls: number;
  /** NaN: no run at this load measured anything, so the line has a gap here. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Runs with a number, NaN ones not counted. */
  readonly runs: number;
}

export interface Series {
  readonly id: string;
  readonly target: PlotTarget;
  readonly direction: Direction;
  readonly label: string;
  readonly values: readonly SeriesValue[];
}

export const PLOT_WIDTH = 720;
export const PLOT_HEIGHT = 420;

const FRAME = { left: 64, right: PLOT_WIDTH - 24, top: 104, bottom: PLOT_HEIGHT - 58 } as const;
const TITLE_Y = 24;
const NOTE_Y = 44;
/** Two rows (service, reference) of two entries (each way): four full labels do not fit on one line. */
const LEGEND_Y = 66;
const LEGEND_ROW_PX = 18;
const LEGEND_COLUMN_PX = 240;
const LEGEND_LINE_PX = 28;
const TICK_PX = 5;
const TICK_LABEL_GAP_PX = 8;
const X_TICK_LABEL_DY = 18;
const X_AXIS_LABEL_DY = 42;
const Y_AXIS_LABEL_X = 18;
const FONT_BODY = 12;
const FONT_TITLE = 16;
const MARKER_RADIUS = 3.5;
const RANGE_CAP_HALF_PX = 3;
/** Four series can share an x: each sits this far from its neighbour, so their spread bars do not hide each other. */
const DODGE_PX = 3;
const Y_TICKS_WANTED = 5;
const X_TICKS_WANTED = 6;
const MAX_DECIMALS = 6;
const NICE_MULTIPLES = [1, 2, 2.5, 5, 10] as const;
/** The first and last load sit this far inside the frame, so their markers and spread bars do not touch the axis. */
const X_INSET_PX = 14;
const ROUNDING_SLACK = 1e-9;
const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const INK = '#222222';
const MUTED = '#555555';
const GRID = '#e3e3e3';

/**
 * Colour tells the targets apart (blues: the service, oranges: the reference), the dash pattern and the marker
 * tell all four apart again in greyscale or print, and light against dark the two directions.
 */
const STYLE: Record<string, { colour: string; dash: string; marker: 'circle' | 'square'; filled: boolean }> = {
  'service-inbound': { colour: '#1f5fa8', dash: '', marker: 'circle', filled: true },
  'service-outbound': { colour: '#5b9fdc', dash: '8 4', marker: 'circle', filled: false },
  'reference-inbound': { colour: '#b8481a', dash: '2 3', marker: 'square', filled: true },
  'reference-outbound': { colour: '#e5972f', dash: '9 3 2 3', marker: 'square', filled: false },
};

const DIRECTION_LABEL: Record<Direction, string> = { inbound: 'caller → model', outbound: 'model → caller' };

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Coordinates to a tenth of a pixel: shorter files, and no float noise that would differ between redraws. */
function px(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

function p99Of(point: SweepPoint, direction: Direction, window: LatencyWindow): number {
  if (direction === 'inbound') return window === 'steady' ? point.inboundSteadyP99 : point.inboundAllP99;
  return window === 'steady' ? point.outboundSteadyP99 : point.outboundAllP99;
}

/**
 * The four series over every load any point has, in the same x order, so a load one target lacks is a gap in
 * that target's lines rather than a line drawn straight past it.
 */
export function buildSeries(points: readonly SweepPoint[], window: LatencyWindow): Series[] {
  const loads = [...new Set(points.map((p) => p.calls))].filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
  const series: Series[] = [];
  for (const target of PLOT_TARGETS) {
    for (const direction of DIRECTIONS) {
      const values = loads.map((calls): SeriesValue => {
        const measured = points
          .filter((p) => p.target === target && p.calls === calls)
          .map((p) => p99Of(p, direction, window))
          .filter((v) => Number.isFinite(v))
          .sort((a, b) => a - b);
        return {
          calls,
          median: median(measured),
          min: measured[0] ?? Number.NaN,
          max: measured.at(-1) ?? Number.NaN,
          runs: measured.length,
        };
      });
      series.push({
        id: `${target}-${direction}`,
        target,
        direction,
        label: `${target}, ${DIRECTION_LABEL[direction]}`,
        values,
      });
    }
  }
  return series;
}

export interface Ticks {
  readonly values: readonly number[];
  readonly step: number;
  readonly decimals: number;
}

/** The number of decimals that writes every multiple of step exactly (0.25 → 2, 50 → 0). */
function decimalsOf(step: number): number {
  for (let d = 0; d < MAX_DECIMALS; d += 1) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < ROUNDING_SLACK * scaled) return d;
  }
  return MAX_DECIMALS;
}

/**
 * Ticks a reader can add in their head: a step of 1, 2, 2.5 or 5 times a power of ten, about `wanted` of them,
 * the first at or below `low` and the last at or above `high`.
 */
export function niceTicks(low: number, high: number, wanted: number): Ticks {
  const lo = Number.isFinite(low) ? low : 0;
  // An empty or flat range still gets an axis: one unit above its value.
  const hi = Number.isFinite(high) && high > lo ? high : lo + 1;
  const rough = (hi - lo) / Math.max(1, wanted);
  const power = 10 ** Math.floor(Math.log10(rough));
  // The nice step nearest the rough one on a log scale, so the count lands near `wanted` either side.
  let step = power;
  for (const multiple of NICE_MULTIPLES) {
    const candidate = multiple * power;
    if (Math.abs(Math.log(candidate / rough)) < Math.abs(Math.log(step / rough))) step = candidate;
  }
  const decimals = decimalsOf(step);
  const at = (i: number): number => Number((i * step).toFixed(decimals));
  // The slack keeps float noise (0.30000000000000004 / 0.1) from adding a tick; the checks after it keep the range covered.
  let first = Math.floor(lo / step + ROUNDING_SLACK);
  if (at(first) > lo) first -= 1;
  let last = Math.ceil(hi / step - ROUNDING_SLACK);
  if (at(last) < hi) last += 1;
  const values: number[] = [];
  for (let i = first; i <= last; i += 1) values.push(at(i));
  return { values, step, decimals };
}

function scale(domainLow: number, domainHigh: number, rangeLow: number, rangeHigh: number): (v: number) => number {
  const span = domainHigh - domainLow;
  return (v) => rangeLow + ((v - domainLow) / span) * (rangeHigh - rangeLow);
}

function marker(kind: 'circle' | 'square', x: number, y: number, colour: string, filled: boolean): string {
  const fill = filled ? colour : '#ffffff';
  if (kind === 'circle') {
    return `<circle cx="${px(x)}" cy="${px(y)}" r="${MARKER_RADIUS}" fill="${fill}" stroke="${colour}" stroke-width="1.5"/>`;
  }
  const side = MARKER_RADIUS * 2;
  return `<rect x="${px(x - MARKER_RADIUS)}" y="${px(y - MARKER_RADIUS)}" width="${px(side)}" height="${px(side)}" fill="${fill}" stroke="${colour}" stroke-width="1.5"/>`;
}

/** `M x y L x y …`, starting again with M after every gap, so a missing load is never drawn as zero or bridged. */
function linePath(points: readonly (readonly [number, number] | undefined)[]): string {
  const parts: string[] = [];
  let drawing = false;
  for (const point of points) {
    if (point === undefined) {
      drawing = false;
      continue;
    }
    parts.push(`${drawing ? 'L' : 'M'}${px(point[0])} ${px(point[1])}`);
    drawing = true;
  }
  return parts.join(' ');
}

function text(
  x: number,
  y: number,
  content: string,
  attributes: Readonly<Record<string, string | number>> = {},
): string {
  const extra = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
  return `<text x="${px(x)}" y="${px(y)}"${extra}>${escapeXml(content)}</text>`;
}

export function renderLatencyPlot(points: readonly SweepPoint[], options: PlotOptions): string {
  const series = buildSeries(points, options.window);
  const loads = series[0]?.values.map((v) => v.calls) ?? [];
  const highest = Math.max(
    0,
    ...series.flatMap((s) => s.values.map((v) => v.max).filter((v) => Number.isFinite(v))),
    ...(options.targetMs !== undefined && Number.isFinite(options.targetMs) ? [options.targetMs] : []),
  );
  const yTicks = niceTicks(0, highest, Y_TICKS_WANTED);
  const xTicks = niceTicks(loads[0] ?? 0, loads.at(-1) ?? 1, X_TICKS_WANTED);
  const yLow = yTicks.values[0] ?? 0;
  const yHigh = yTicks.values.at(-1) ?? 1;
  const xLow = xTicks.values[0] ?? 0;
  const xHigh = xTicks.values.at(-1) ?? 1;
  const toX = scale(xLow, xHigh, FRAME.left + X_INSET_PX, FRAME.right - X_INSET_PX);
  const toY = scale(yLow, yHigh, FRAME.bottom, FRAME.top);
  const windowName = options.window === 'steady' ? 'steady window' : 'whole run, ramp included';
  const title = options.title ?? `p99 added latency against concurrent calls (${windowName})`;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" viewBox="0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}" font-family="${FONT_FAMILY}" font-size="${FONT_BODY}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    // Opaque, so the plot reads the same on a dark page.
    `<rect width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="#ffffff"/>`,
    text(FRAME.left, TITLE_Y, title, { 'font-size': FONT_TITLE, 'font-weight': 'bold', fill: INK }),
  ];
  if (options.note !== undefined) out.push(text(FRAME.left, NOTE_Y, options.note, { fill: MUTED }));

  out.push('<g class="grid">');
  for (const tick of yTicks.values) {
    const y = toY(tick);
    out.push(
      `<line x1="${FRAME.left}" y1="${px(y)}" x2="${FRAME.right}" y2="${px(y)}" stroke="${GRID}" stroke-width="1"/>`,
      `<line x1="${FRAME.left - TICK_PX}" y1="${px(y)}" x2="${FRAME.left}" y2="${px(y)}" stroke="${INK}"/>`,
      text(FRAME.left - TICK_LABEL_GAP_PX, y + FONT_BODY / 3, tick.toFixed(yTicks.decimals), {
        'text-anchor': 'end',
        fill: INK,
      }),
    );
  }
  for (const tick of xTicks.values) {
    const x = toX(tick);
    out.push(
      `<line x1="${px(x)}" y1="${FRAME.bottom}" x2="${px(x)}" y2="${FRAME.bottom + TICK_PX}" stroke="${INK}"/>`,
      text(x, FRAME.bottom + X_TICK_LABEL_DY, tick.toFixed(xTicks.decimals), { 'text-anchor': 'middle', fill: INK }),
    );
  }
  out.push('</g>');
  out.push(
    `<path d="M${FRAME.left} ${FRAME.top} L${FRAME.left} ${FRAME.bottom} L${FRAME.right} ${FRAME.bottom}" fill="none" stroke="${INK}" stroke-width="1"/>`,
    text((FRAME.left + FRAME.right) / 2, FRAME.bottom + X_AXIS_LABEL_DY, 'concurrent calls', {
      'text-anchor': 'middle',
      fill: INK,
    }),
    text(0, 0, 'p99 added latency (ms)', {
      'text-anchor': 'middle',
      fill: INK,
      transform: `translate(${Y_AXIS_LABEL_X} ${px((FRAME.top + FRAME.bottom) / 2)}) rotate(-90)`,
    }),
  );

  // The line under the series, its label over them: a crossing series then never hides what the line means.
  const target = options.targetMs !== undefined && Number.isFinite(options.targetMs) ? options.targetMs : undefined;
  if (target !== undefined) {
    const y = toY(target);
    out.push(
      `<line class="target" x1="${FRAME.left}" y1="${px(y)}" x2="${FRAME.right}" y2="${px(y)}" stroke="${MUTED}" stroke-width="1" stroke-dasharray="5 4"/>`,
    );
  }

  series.forEach((s, index) => {
    const style = STYLE[s.id] ?? { colour: INK, dash: '', marker: 'circle', filled: true };
    const dodge = (index - (series.length - 1) / 2) * DODGE_PX;
    const at = s.values.map((v) =>
      Number.isFinite(v.median) ? ([toX(v.calls) + dodge, toY(v.median)] as const) : undefined,
    );
    const hasData = at.some((p) => p !== undefined);
    const dash = style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
    out.push(`<g class="series" data-series="${s.id}">`);
    if (hasData) {
      out.push(
        `<path d="${linePath(at)}" fill="none" stroke="${style.colour}" stroke-width="2" stroke-linejoin="round"${dash}/>`,
      );
    }
    s.values.forEach((v, i) => {
      const point = at[i];
      if (point === undefined) return;
      // Runs that agree exactly would draw a bar of no length: only a real spread is shown.
      if (v.runs > 1 && v.max > v.min) {
        const [x] = point;
        const yMin = toY(v.min);
        const yMax = toY(v.max);
        out.push(
          `<path class="spread" d="M${px(x)} ${px(yMin)} L${px(x)} ${px(yMax)} M${px(x - RANGE_CAP_HALF_PX)} ${px(yMin)} L${px(x + RANGE_CAP_HALF_PX)} ${px(yMin)} M${px(x - RANGE_CAP_HALF_PX)} ${px(yMax)} L${px(x + RANGE_CAP_HALF_PX)} ${px(yMax)}" stroke="${style.colour}" stroke-width="1" fill="none"/>`,
        );
      }
      out.push(marker(style.marker, point[0], point[1], style.colour, style.filled));
    });
    out.push('</g>');

    const legendX = FRAME.left + (index % 2) * LEGEND_COLUMN_PX;
    const legendY = LEGEND_Y + Math.floor(index / 2) * LEGEND_ROW_PX;
    out.push(
      `<g class="legend" data-series="${s.id}">`,
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + LEGEND_LINE_PX}" y2="${legendY}" stroke="${style.colour}" stroke-width="2"${dash}/>`,
      marker(style.marker, legendX + LEGEND_LINE_PX / 2, legendY, style.colour, style.filled),
      text(legendX + LEGEND_LINE_PX + TICK_PX, legendY + FONT_BODY / 3, hasData ? s.label : `${s.label} (no data)`, {
        fill: INK,
      }),
      '</g>',
    );
  });

  if (target !== undefined) {
    // A white outline under the glyphs keeps the label legible where a series crosses it.
    out.push(
      text(FRAME.left + TICK_PX, toY(target) - TICK_PX, options.targetLabel ?? `target ${target} ms`, {
        class: 'target',
        fill: MUTED,
        stroke: '#ffffff',
        'stroke-width': 3,
        'paint-order': 'stroke',
      }),
    );
  }

  out.push('</svg>', '');
  return out.join('\n');
}
