import { describe, expect, it } from 'vitest';
import { parseRealtimeServerEvent } from '../../src/realtime/realtime-server-events.ts';
import { UsageMeter } from '../../src/realtime/usage-meter.ts';
import {
  FRAME_BYTES,
  outboundClear,
  outboundMark,
  outboundMedia,
  parseTwilioFrame,
  payloadDurationMs,
} from '../../src/protocols/media-stream-messages.ts';
import { PlaybackTracker } from '../../src/call/playback-tracker.ts';
import { StreamTokens } from '../../src/call/stream-tokens.ts';
import { testDataKeys } from '../support/keys.ts';

const [key] = testDataKeys();
const CALL = 'CA0123456789abcdef0123456789abcdef';
const audio = (ms: number) => Buffer.alloc(ms * 8, 0xff).toString('base64');

describe('Twilio media-stream frames', () => {
  it('when Twilio sends each message type with its real shape, then each parses to its kind', () => {
    const frames = [
      { event: 'connected', protocol: 'Call', version: '1.0.0' },
      {
        event: 'start',
        sequenceNumber: '1',
        streamSid: 'MZ1',
        start: {
          accountSid: 'AC1',
          streamSid: 'MZ1',
          callSid: CALL,
          tracks: ['inbound'],
          customParameters: { token: 't' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      },
      {
        event: 'media',
        sequenceNumber: '2',
        streamSid: 'MZ1',
        media: { track: 'inbound', chunk: '1', timestamp: '5', payload: audio(20) },
      },
      { event: 'mark', sequenceNumber: '3', streamSid: 'MZ1', mark: { name: 'a0' } },
      { event: 'dtmf', streamSid: 'MZ1', sequenceNumber: '4', dtmf: { track: 'inbound_track', digit: '5' } },
      { event: 'stop', sequenceNumber: '5', streamSid: 'MZ1', stop: { accountSid: 'AC1', callSid: CALL } },
    ];
    expect(
      frames
        .map((f) => parseTwilioFrame(JSON.stringify(f)))
        .map((p) => (p.kind === 'message' ? p.message.event : p.kind)),
    ).toEqual(['connected', 'start', 'media', 'mark', 'dtmf', 'stop']);
  });

  it('when a frame is not JSON or a known event has the wrong shape, then it is malformed; an unknown event is only unknown', () => {
    expect(parseTwilioFrame('{nope').kind).toBe('malformed');
    expect(
      parseTwilioFrame(JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { payload: 'not base64!' } })).kind,
    ).toBe('malformed');
    expect(parseTwilioFrame(JSON.stringify({ event: 'start', streamSid: 'MZ1' })).kind).toBe('malformed');
    expect(parseTwilioFrame(JSON.stringify({ event: 'somethingNew', streamSid: 'MZ1' }))).toEqual({
      kind: 'unknown',
      event: 'somethingNew',
    });
  });

  it('when we answer Twilio, then only media, mark and clear shapes are built, and payload length gives duration', () => {
    expect(outboundMedia('MZ1', 'AAAA')).toEqual({ event: 'media', streamSid: 'MZ1', media: { payload: 'AAAA' } });
    expect(outboundMark('MZ1', 'a1')).toEqual({ event: 'mark', streamSid: 'MZ1', mark: { name: 'a1' } });
    expect(outboundClear('MZ1')).toEqual({ event: 'clear', streamSid: 'MZ1' });
    expect(payloadDurationMs(Buffer.alloc(FRAME_BYTES).toString('base64'))).toBe(20);
    expect(payloadDurationMs(audio(100))).toBe(100);
  });
});

describe('stream tokens', () => {
  it('when a token is issued for a call, then it is accepted for that call only, and not after it expires', () => {
    let now = 1_800_000_000_000;
    const tokens = new StreamTokens([key!], 60, () => now);
    const token = tokens.issue(CALL);

    expect(tokens.check(token, CALL)).toEqual({ ok: true });
    expect(tokens.check(token, 'CA99999999999999999999999999999999')).toEqual({ ok: false, reason: 'forged' });
    expect(tokens.check(undefined, CALL)).toEqual({ ok: false, reason: 'missing' });
    expect(tokens.check('garbage', CALL)).toEqual({ ok: false, reason: 'malformed' });
    const [expires = '', mac = ''] = token.split('.');
    expect(tokens.check(`${Number(expires) + 3600}.${mac}`, CALL)).toEqual({ ok: false, reason: 'forged' });
    now += 61_000;
    expect(tokens.check(token, CALL)).toEqual({ ok: false, reason: 'expired' });
  });

  it('when another key signs a token, then it is forged', () => {
    const other = new StreamTokens(testDataKeys(`kb:${Buffer.alloc(32, 9).toString('base64')}`), 60);
    expect(new StreamTokens([key!], 60).check(other.issue(CALL), CALL)).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('playback tracking', () => {
  it('when marks come back, then heard time follows them, and the chunk in play is counted at real time', () => {
    const playback = new PlaybackTracker();
    const m1 = playback.sent('item1', audio(100), 0);
    playback.sent('item1', audio(100), 5);
    expect(playback.heardMs('item1', 40)).toBe(40);
    playback.marked(m1, 100);
    expect(playback.heardMs('item1', 100)).toBe(100);
    expect(playback.heardMs('item1', 130)).toBe(130);
    expect(playback.heardMs('item1', 500)).toBe(200);
    expect(playback.hasUnplayedAudio).toBe(true);
    expect(playback.playingItemId).toBe('item1');
  });

  it('when audio is cleared, then nothing is unplayed and late echoes of cleared marks are ignored', () => {
    const playback = new PlaybackTracker();
    const mark = playback.sent('item1', audio(100), 0);
    playback.cleared(30);
    playback.marked(mark, 31);
    expect(playback.hasUnplayedAudio).toBe(false);
    expect(playback.heardMs('item1', 40)).toBe(0);
  });

  it('when a new item follows one still playing, then the new one has been heard for 0 ms', () => {
    const playback = new PlaybackTracker();
    playback.sent('item1', audio(200), 0);
    playback.sent('item2', audio(200), 10);
    expect(playback.heardMs('item2', 150)).toBe(0);
    expect(playback.heardMs('item1', 150)).toBe(150);
  });
});

describe('realtime server events', () => {
  it('when known events arrive, then they parse; unknown types are ignored; a known type with a bad shape is malformed', () => {
    expect(
      parseRealtimeServerEvent({
        type: 'response.output_audio.delta',
        response_id: 'r',
        item_id: 'i',
        delta: 'AAAA',
        output_index: 0,
        content_index: 0,
      }).kind,
    ).toBe('event');
    expect(parseRealtimeServerEvent({ type: 'rate_limits.updated', rate_limits: [] }).kind).toBe('ignored');
    expect(parseRealtimeServerEvent({ type: 'response.output_audio.delta' }).kind).toBe('malformed');
    expect(parseRealtimeServerEvent('nonsense').kind).toBe('ignored');
  });
});

describe('usage and cost', () => {
  it('when responses report usage, then tokens are summed by kind and priced with cached input at the cached rate', () => {
    const meter = new UsageMeter({
      text_in: 4,
      text_cached: 0.4,
      text_out: 16,
      audio_in: 32,
      audio_cached: 0.4,
      audio_out: 64,
      transcription_in: 6,
      transcription_out: 10,
    });
    meter.add({
      input_tokens: 1100,
      output_tokens: 220,
      input_token_details: {
        text_tokens: 1000,
        audio_tokens: 100,
        cached_tokens: 500,
        cached_tokens_details: { text_tokens: 500, audio_tokens: 0 },
      },
      output_token_details: { text_tokens: 20, audio_tokens: 200 },
    });
    meter.add({ input_token_details: { audio_tokens: 50 }, output_token_details: { audio_tokens: 100 } });
    meter.addTranscription({ type: 'tokens', input_tokens: 40, output_tokens: 12 });

    expect(meter.totals).toEqual({
      text_in: 500,
      text_cached: 500,
      text_out: 20,
      audio_in: 150,
      audio_cached: 0,
      audio_out: 300,
      transcription_in: 40,
      transcription_out: 12,
      transcription_seconds: 0,
    });
    expect(meter.inputTokens).toBe(1150);
    expect(meter.outputTokens).toBe(320);
    expect(meter.costUsd).toBeCloseTo(
      (500 * 4 + 500 * 0.4 + 20 * 16 + 150 * 32 + 300 * 64 + 40 * 6 + 12 * 10) / 1e6,
      10,
    );
  });
});
