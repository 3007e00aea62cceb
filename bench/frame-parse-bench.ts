import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isBase64Text } from '../src/protocols/media-frame-fast-path.ts';
import {
  BASE64_TEXT,
  FRAME_MS,
  MULAW_BYTES_PER_MS,
  outboundMark,
  outboundMedia,
  parseTwilioFrame,
  parseTwilioFrameFully,
  twilioOutboundText,
} from '../src/protocols/media-stream-messages.ts';
import { parseRealtimeServerEvent, parseRealtimeServerEventFully } from '../src/realtime/realtime-server-events.ts';
import { mediaFrame } from '../src/sim/twilio-stream-frames.ts';
import { median } from './side-by-side.ts';

/**
 * `npm run bench:frames [-- --frames N --pairs P]`: what the call bridge
 * spends per message on the three things it does to every one of them, the
 * full zod path against the fast path, timed in one process, alternating
 * A B A B so a busy neighbour or a frequency change hits both alike. Prints
 * ns per message for each round, and the fast/full ratio per pair and its
 * median. A speed figure, never a test: nothing here is asserted.
 */

const DEFAULT_FRAMES = 200_000;
const DEFAULT_PAIRS = 3;
// Distinct messages cycled through, so no single string stays hot in a cache the real bridge would not have.
const POOL = 1024;
const STREAM_SID = `MZ${'0123456789abcdef'.repeat(2)}`;
// The bench's model stand-in sends 100 ms deltas (bench/bench-options.ts), as the API roughly does.
const DELTA_MS = 100;
const WARM_UP_DIVISOR = 10;
const RATIO_DIGITS = 3;
const NS_DIGITS = 1;
const COLUMN = 44;

const { values } = parseArgs({
  options: { frames: { type: 'string' }, pairs: { type: 'string' } },
});
const frames = Number(values.frames ?? DEFAULT_FRAMES);
const pairs = Number(values.pairs ?? DEFAULT_PAIRS);
if (!Number.isInteger(frames) || frames <= 0 || !Number.isInteger(pairs) || pairs <= 0) {
  process.stderr.write('usage: npm run bench:frames -- [--frames N] [--pairs P]\n');
  process.exit(2);
}

const out = (text: string): void => {
  process.stdout.write(text);
};

/** Caller frames exactly as Twilio lays them out (the simulator's mediaFrame follows it key for key). */
const twilioFrames = Array.from({ length: POOL }, (_, i) =>
  JSON.stringify(mediaFrame(STREAM_SID, i + 2, i + 1, randomBytes(FRAME_MS * MULAW_BYTES_PER_MS))),
);
/** The same frames with their keys in another order: the fast path's second reader, after JSON.parse. */
const reorderedFrames = twilioFrames.map((text) => {
  const frame = JSON.parse(text) as ReturnType<typeof mediaFrame>;
  return JSON.stringify({ streamSid: frame.streamSid, event: frame.event, media: frame.media });
});
const deltaPayloads = Array.from({ length: POOL }, () => randomBytes(DELTA_MS * MULAW_BYTES_PER_MS).toString('base64'));
/** Audio deltas as the openai SDK hands them over: already parsed, with the fields the API adds. */
const deltaEvents: unknown[] = deltaPayloads.map((delta, i) => ({
  type: 'response.output_audio.delta',
  event_id: `event_${i}`,
  response_id: 'resp_0',
  item_id: 'item_0',
  output_index: 0,
  content_index: 0,
  delta,
}));

interface Contest {
  readonly name: string;
  readonly a: { readonly label: string; readonly run: (i: number) => unknown };
  readonly b: { readonly label: string; readonly run: (i: number) => unknown };
}

const outboundText = twilioOutboundText(STREAM_SID);
const MARK = 'a12';
const at = <T>(pool: readonly T[], i: number): T => pool[i % POOL] as T;

const contests: Contest[] = [
  {
    name: 'Twilio media frame in (Twilio layout)',
    a: { label: 'zod union', run: (i) => parseTwilioFrameFully(at(twilioFrames, i)) },
    b: { label: 'fast path', run: (i) => parseTwilioFrame(at(twilioFrames, i)) },
  },
  {
    name: 'Twilio media frame in (keys reordered)',
    a: { label: 'zod union', run: (i) => parseTwilioFrameFully(at(reorderedFrames, i)) },
    b: { label: 'fast path', run: (i) => parseTwilioFrame(at(reorderedFrames, i)) },
  },
  {
    name: `model audio delta in (${DELTA_MS} ms)`,
    a: { label: 'zod union', run: (i) => parseRealtimeServerEventFully(at(deltaEvents, i)) },
    b: { label: 'fast path', run: (i) => parseRealtimeServerEvent(at(deltaEvents, i)) },
  },
  {
    name: `media + mark out to Twilio (${DELTA_MS} ms)`,
    a: {
      label: 'JSON.stringify',
      run: (i) =>
        JSON.stringify(outboundMedia(STREAM_SID, at(deltaPayloads, i))).length +
        JSON.stringify(outboundMark(STREAM_SID, MARK)).length,
    },
    b: {
      label: 'assembled',
      run: (i) => outboundText.media(at(deltaPayloads, i)).length + outboundText.mark(MARK).length,
    },
  },
  {
    name: `base64 check of a ${DELTA_MS} ms payload`,
    a: { label: 'regex', run: (i) => BASE64_TEXT.test(at(deltaPayloads, i)) },
    b: { label: 'lookup table', run: (i) => isBase64Text(at(deltaPayloads, i)) },
  },
];

// Whatever the runs return is folded in here and printed, so no run can be optimised away.
let sink = 0;
const consume = (value: unknown): void => {
  sink = (sink + (typeof value === 'number' ? value : value === undefined ? 0 : 1)) | 0;
};

function nsPerMessage(run: (i: number) => unknown, count: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) consume(run(i));
  return Number(process.hrtime.bigint() - started) / count;
}

out(`frame-parse bench: ${frames} messages per round, ${pairs} pairs (A B A B…), node ${process.version}\n\n`);
for (const contest of contests) {
  nsPerMessage(contest.a.run, frames / WARM_UP_DIVISOR);
  nsPerMessage(contest.b.run, frames / WARM_UP_DIVISOR);
  const aTimes: number[] = [];
  const bTimes: number[] = [];
  const ratios: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const a = nsPerMessage(contest.a.run, frames);
    const b = nsPerMessage(contest.b.run, frames);
    aTimes.push(a);
    bTimes.push(b);
    ratios.push(b / a);
  }
  const row = (label: string, times: readonly number[]) =>
    `  ${label.padEnd(COLUMN - 2)}${times.map((t) => t.toFixed(NS_DIGITS).padStart(9)).join('')} ns/msg` +
    `   median ${median(times).toFixed(NS_DIGITS)}\n`;
  out(`${contest.name}\n`);
  out(row(`A ${contest.a.label}`, aTimes));
  out(row(`B ${contest.b.label}`, bTimes));
  out(
    `  ${'B / A'.padEnd(COLUMN - 2)}${ratios.map((r) => r.toFixed(RATIO_DIGITS).padStart(9)).join('')}` +
      `          median ${median(ratios).toFixed(RATIO_DIGITS)}\n\n`,
  );
}
out(`(sink ${sink})\n`);
