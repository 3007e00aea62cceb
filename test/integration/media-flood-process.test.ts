import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealtimeSimulator, type RealtimeSimulator } from '../../src/sim/realtime-simulator.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { mediaFrame } from '../../src/sim/twilio-stream-frames.ts';
import { answerCall, MediaSocket, newCallSid } from '../support/media-socket.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { waitUntil } from '../support/wait.ts';
import { OPENAI_TEST_KEY, PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN } from '../support/voice.ts';

/**
 * The flood of issue 12 (W4), against the real entry point in a child process with its production defaults
 * (MEDIA_MAX_PACE 1, MEDIA_BURST_MS 5 s) and recording on: 69 MB of caller audio pushed as fast as loopback
 * takes it. The service's memory is read from /proc (its peak resident set, VmHWM, reset just before the flood),
 * so this test's own buffers do not count.
 */

const FLOOD_BYTES = 69 * 1024 * 1024;
const RSS_MARGIN_KB = 50 * 1024;
// Just under the 8 KiB message cap: 6,000 bytes of audio (750 ms) in 8,000 characters of base64.
const AUDIO_PER_FRAME = 6_000;
// Enough for the burst and the time the flood lasts many times over; the unlimited flood wrote 289 MB.
const MAX_RECORDING_FILE_BYTES = 2 * 1024 * 1024;
const SEND_BUFFER_BYTES = 4 * 1024 * 1024;
const canReadMemory = existsSync('/proc/self/status') && existsSync('/proc/self/clear_refs');

let dir: string;
let model: RealtimeSimulator;
let service: ServiceProcess;

function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
}

beforeAll(async () => {
  if (!canReadMemory) return;
  dir = mkdtempSync(join(tmpdir(), 'permitline-flood-'));
  model = await startRealtimeSimulator({ scenario: loadScenario('happy-path'), apiKey: OPENAI_TEST_KEY });
  const caFile = join(dir, 'model-ca.pem');
  writeFileSync(caFile, model.ca);
  service = await startServiceProcess(dir, {
    PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN,
    OPENAI_API_KEY: OPENAI_TEST_KEY,
    OPENAI_BASE_URL: model.baseURL,
    NODE_EXTRA_CA_CERTS: caFile,
    RECORD_CALLS: 'true',
    RECORDINGS_DIR: join(dir, 'recordings'),
  });
}, 30_000);

afterAll(async () => {
  if (!canReadMemory) return;
  service.proc.kill('SIGTERM');
  await service.exited;
  await model.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canReadMemory)('a media flood against the service process', () => {
  it('when 69 MB of caller audio is pushed at once, then the socket is closed, the service stays within 50 MB of its memory, and the recording stays small', async () => {
    const pid = service.proc.pid!;
    const { url } = service;
    const callSid = newCallSid();
    const sessionsBefore = model.connections;
    const { token } = await answerCall(url, callSid);
    await waitUntil(() => model.connections > sessionsBefore, 'the early model session is open');
    const socket = await MediaSocket.start(url, callSid, token!);
    socket.sendSilence(5);
    writeFileSync(`/proc/${pid}/clear_refs`, '5'); // the peak resident set starts again from here
    const startKb = memoryKb(pid, 'VmRSS');

    const frame = JSON.stringify(mediaFrame(socket.identity.streamSid, 9, 9, Buffer.alloc(AUDIO_PER_FRAME, 0xff)));
    let pushed = 0;
    while (socket.isOpen && pushed < FLOOD_BYTES) {
      socket.send(frame);
      pushed += frame.length;
      while (socket.ws.bufferedAmount > SEND_BUFFER_BYTES && socket.closeCode === undefined) await nextTurn();
    }
    const closeCode = await socket.closed('the flooding socket is closed');
    const peakKb = memoryKb(pid, 'VmHWM');
    const recordings = join(dir, 'recordings');
    await waitUntil(() => existsSync(recordings) && readdirSync(recordings).length > 0, 'the recording is saved');
    const [file] = readdirSync(recordings);

    expect(closeCode).toBe(1008);
    expect(peakKb - startKb, `peak ${peakKb} kB, at the start ${startKb} kB`).toBeLessThan(RSS_MARGIN_KB);
    expect(statSync(join(recordings, file!)).size).toBeLessThan(MAX_RECORDING_FILE_BYTES);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect(service.output()).toContain('caller audio faster than real time');
  }, 60_000);
});
