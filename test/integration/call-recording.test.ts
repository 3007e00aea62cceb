import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent, CallResult } from '../../src/sim/call-simulator.ts';
import { isToolCall } from '../../src/sim/scenario.ts';
import { CallRepository, type TranscriptTurn } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { FRAME_MS, MULAW_BYTES_PER_MS } from '../../src/protocols/media-stream-messages.ts';
import { testDataKeys } from '../support/keys.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { waitUntil } from '../support/wait.ts';
import { readWav, rms } from '../support/wav.ts';

/** Recording through the real voice path: the webhook, the media socket, the bridge, the store. */

const RECORDING_NOTICE = 'This call is recorded for quality and to check your application.';
// Set explicitly below: a caller turn's offset is where VAD says speech began, this long before the first word.
const VAD_PREFIX_MS = 300;
// Kept off every window's edges: turn offsets are event times, a few frames from where the audio sits.
const EDGE_MS = 300;
// espeak-ng speech averages a few thousand over a second; the quiet channel is mu-law silence (0).
const SPEECH_RMS = 500;

let rig: VoiceRig | undefined;
let dir: string | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startRig(env: Record<string, string>): Promise<VoiceRig> {
  dir = mkdtempSync(join(tmpdir(), 'permitline-call-recordings-'));
  rig = await startVoiceRig('barge-in', {}, undefined, {
    RECORDINGS_DIR: dir,
    REALTIME_VAD_PREFIX_MS: String(VAD_PREFIX_MS),
    ...env,
  });
  return rig;
}

/** Places a call and waits until the service has written everything about it. */
async function callAndSettle(
  r: VoiceRig,
  options: { realTimeFactor: number; hangUpAfterTurn?: number },
): Promise<{ result: CallResult; verbs: readonly string[] }> {
  let verbs: readonly string[] = [];
  const onEvent = (event: CallEvent): void => {
    if (event.type === 'webhook-answered') verbs = event.verbs;
  };
  const result = await r.call({ ...options, onEvent });
  await waitUntil(() => r.service.callOrchestrator.liveCalls === 0, 'the call is released');
  await r.service.callOrchestrator.finished();
  return { result, verbs };
}

const samplesAt = (ms: number): number => ms * MULAW_BYTES_PER_MS;

describe('call recording', () => {
  it('when RECORD_CALLS is on and the caller barges in, then the call is announced and kept as one stereo WAV aligned with the transcript, cut where the agent was cut off', async () => {
    const r = await startRig({ RECORD_CALLS: 'true' });
    const { result, verbs } = await callAndSettle(r, { realTimeFactor: 1 });
    expect(result.errors).toEqual([]);
    expect(result.clears).toHaveLength(1);

    // Announced before the caller is connected.
    expect(verbs).toEqual(['Say', 'Say', 'Connect']);
    expect(result.say?.endsWith(RECORDING_NOTICE)).toBe(true);

    // One encrypted file, and the call row knows the recording's length: the call's, as the simulator sent it.
    const [file, ...others] = readdirSync(dir!);
    expect(others).toEqual([]);
    expect(readFileSync(join(dir!, file!)).subarray(0, 4).toString('ascii')).not.toBe('RIFF');
    const calls = new CallRepository(r.service.db, new FieldCipher(testDataKeys()));
    const recordingMs = (await calls.find(result.callSid))?.recordingMs;
    expect(recordingMs).toBeDefined();
    expect(Math.abs(recordingMs! - result.framesSent * FRAME_MS)).toBeLessThanOrEqual(100);
    // The notice is kept as the caller's consent: when they had heard it, and on which channel.
    const call = await calls.find(result.callSid);
    expect(call?.recordingNotice?.channel).toBe('voice');
    expect(call!.recordingNotice!.at >= call!.startedAt).toBe(true);

    const wavBytes = await r.service.recordings.load(result.callSid);
    const wav = readWav(wavBytes!);
    expect(wav).toMatchObject({ audioFormat: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16 });
    const [caller, agent] = wav.samples as [Int16Array, Int16Array];
    expect(Math.abs(caller.length / MULAW_BYTES_PER_MS - recordingMs!)).toBeLessThanOrEqual(1);

    // Each turn: the speaker's channel carries speech, the other is (nearly) quiet. Agent turns are as long
    // as what was played (the truncated one only up to its truncation); caller turns start after VAD's prefix.
    const transcript = (await calls.transcript(result.callSid)).filter((turn) => turn.role !== 'tool');
    const [truncation] = r.model.truncations();
    const windows = speechWindows(r, transcript, truncation);
    expect(windows.map((w) => w.role)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent']);
    for (const w of windows) {
      const [speaking, listening] = w.role === 'caller' ? [caller, agent] : [agent, caller];
      const loud = rms(speaking, samplesAt(w.fromMs), samplesAt(w.toMs));
      const quiet = rms(listening, samplesAt(w.fromMs), samplesAt(w.toMs));
      expect(w.toMs - w.fromMs, `${w.role} turn at ${w.fromMs} ms`).toBeGreaterThan(500);
      expect(loud, `${w.role} turn at ${w.fromMs} ms`).toBeGreaterThan(SPEECH_RMS);
      expect(quiet, `${w.role} turn at ${w.fromMs} ms`).toBeLessThan(loud / 10);
    }

    // The cut: the agent speaks up to the moment Twilio was cleared, and from there on (where the rest of the
    // 10-second sentence would have been) there is nothing until the agent's next turn.
    const cutOff = transcript.find((turn) => turn.itemId === truncation?.item_id);
    const next = transcript.find((turn) => turn.role === 'agent' && turn.position > (cutOff?.position ?? Infinity));
    expect(cutOff).toBeDefined();
    expect(next).toBeDefined();
    const cutMs = cutOff!.offsetMs + truncation!.audio_end_ms;
    expect(r.scenario.audioOf('agent-02.ulaw').length / MULAW_BYTES_PER_MS).toBeGreaterThan(
      next!.offsetMs - cutOff!.offsetMs,
    );
    expect(rms(agent, samplesAt(cutMs - 600), samplesAt(cutMs - 100))).toBeGreaterThan(SPEECH_RMS);
    expect(rms(agent, samplesAt(cutMs + 100), samplesAt(next!.offsetMs - 100))).toBe(0);
  }, 60_000);

  it('when RECORD_CALLS is not set, then nothing is announced, no file is written and the call row has no recording', async () => {
    const r = await startRig({});
    const { result, verbs } = await callAndSettle(r, { realTimeFactor: 2, hangUpAfterTurn: 0 });
    expect(result.callerTurnsSpoken).toBe(1);

    expect(verbs).toEqual(['Say', 'Connect']);
    expect(result.say).not.toContain('recorded');
    expect(readdirSync(dir!)).toEqual([]);
    const calls = new CallRepository(r.service.db, new FieldCipher(testDataKeys()));
    const call = await calls.find(result.callSid);
    expect(call?.status).toBe('completed');
    expect(call?.recordingMs).toBeUndefined();
    expect(call?.recordingNotice).toBeUndefined();
    expect(await r.service.recordings.load(result.callSid)).toBeUndefined();
  }, 60_000);
});

interface SpeechWindow {
  readonly role: 'caller' | 'agent';
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Where each turn's speech sits on the call clock, trimmed at both ends. The audio each turn played is the
 * scenario's file for it (matched in order); a truncated agent turn played only up to audio_end_ms.
 */
function speechWindows(
  r: VoiceRig,
  transcript: readonly TranscriptTurn[],
  truncation: { item_id: string; audio_end_ms: number } | undefined,
): SpeechWindow[] {
  const audioMs = (file: string): number => r.scenario.audioOf(file).length / MULAW_BYTES_PER_MS;
  const files = {
    caller: r.scenario.turns.flatMap((turn) => (turn.speaker === 'caller' ? [turn.audio] : [])),
    agent: r.scenario.turns.flatMap((turn) =>
      turn.speaker === 'agent' ? turn.outputs.flatMap((o) => (isToolCall(o) ? [] : [o.audio])) : [],
    ),
  };
  const seen = { caller: 0, agent: 0 };
  return transcript.flatMap((turn): SpeechWindow[] => {
    if (turn.role === 'tool') return [];
    const file = files[turn.role][seen[turn.role]++];
    if (file === undefined) throw new Error(`more ${turn.role} turns in the transcript than in the scenario`);
    if (turn.role === 'caller') {
      const start = turn.offsetMs + VAD_PREFIX_MS;
      return [{ role: 'caller', fromMs: start + EDGE_MS, toMs: start + audioMs(file) - EDGE_MS }];
    }
    const played = turn.itemId === truncation?.item_id ? truncation.audio_end_ms : audioMs(file);
    return [{ role: 'agent', fromMs: turn.offsetMs + EDGE_MS, toMs: turn.offsetMs + played - EDGE_MS }];
  });
}
