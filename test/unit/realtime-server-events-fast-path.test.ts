import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonJunk, mostly as mostlyOf } from '../support/fast-check-json.ts';
import { parseRealtimeServerEvent, parseRealtimeServerEventFully } from '../../src/realtime/realtime-server-events.ts';

const RUNS = 4000;
const AUDIO_DELTA = 'response.output_audio.delta';

const junk = jsonJunk;
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => mostlyOf(good, bad, 5);
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));
const type = mostly(
  fc.constant(AUDIO_DELTA),
  fc.oneof(
    fc.constantFrom('response.output_audio_transcript.done', 'response.done', 'rate_limits.updated', `${AUDIO_DELTA} `),
    text,
    junk,
  ),
);

type Entry = readonly [key: string, json: string];

/**
 * An event as the SDK hands it over: JSON.parse of what the API wrote. Built
 * from text so a key may come twice, or be `__proto__`, as JSON allows.
 */
const event = fc
  .tuple(
    fc.option(type, { freq: 20 }),
    fc.option(mostly(text, junk), { freq: 20 }),
    fc.option(mostly(text, junk), { freq: 20 }),
    fc.option(mostly(fc.base64String(), fc.oneof(text, junk)), { freq: 20 }),
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('event_id', 'output_index', 'content_index', '__proto__', 'toString', 'constructor', 'delta'),
          fc.string(),
        ),
        junk,
      ),
      { maxLength: 4 },
    ),
    fc.boolean(),
  )
  .map(([t, responseId, itemId, delta, extra, reverse]) => {
    const named: [string, unknown][] = [
      ['type', t],
      ['response_id', responseId],
      ['item_id', itemId],
      ['delta', delta],
    ];
    const all: Entry[] = [...named.filter(([, v]) => v !== null), ...extra].map(([k, v]) => [k, JSON.stringify(v)]);
    if (reverse) all.reverse();
    return JSON.parse(`{${all.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`) as unknown;
  });

const anyValue = fc.oneof(
  { arbitrary: event, weight: 8 },
  fc.jsonValue(),
  fc.json().map((t) => JSON.parse(t) as unknown),
);

describe('realtime audio delta fast path', () => {
  it('when any value arrives from the SDK, then the fast path gives the verdict and the data the zod union gives', () => {
    let deltas = 0;
    fc.assert(
      fc.property(anyValue, (value) => {
        const full = parseRealtimeServerEventFully(value);
        const fast = parseRealtimeServerEvent(value);
        expect(fast).toStrictEqual(full);
        // Key order too, and extra keys kept as the loose schema keeps them.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(full));
        if (fast.kind === 'event' && fast.event.type === AUDIO_DELTA) deltas++;
      }),
      { numRuns: RUNS },
    );
    // Most generated events are well-formed deltas, or the comparison says little about the fast path.
    expect(deltas).toBeGreaterThan(RUNS / 4);
  });

  it('when a delta carries fields the schema does not name, then they are kept, as the loose schema keeps them', () => {
    const value = {
      type: AUDIO_DELTA,
      event_id: 'e1',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      delta: 'AAAA',
    };
    expect(parseRealtimeServerEvent(value)).toStrictEqual({
      kind: 'event',
      event: { type: AUDIO_DELTA, response_id: 'r', item_id: 'i', delta: 'AAAA', event_id: 'e1', output_index: 0 },
    });
    // Not something JSON.parse makes, but zod refuses an array whatever it holds, and so must the fast path.
    const array = Object.assign([], { type: AUDIO_DELTA, response_id: 'r', item_id: 'i', delta: 'AAAA' });
    expect(parseRealtimeServerEvent(array)).toStrictEqual(parseRealtimeServerEventFully(array));
    expect(parseRealtimeServerEvent(array).kind).toBe('malformed');
    expect(parseRealtimeServerEvent({ ...value, delta: 7 })).toEqual({
      kind: 'malformed',
      type: AUDIO_DELTA,
      reason: 'Invalid input: expected string, received number',
    });
  });
});
