import { WebSocket } from 'ws';
import { FRAME_BYTES, MULAW_SILENCE } from '../../src/protocols/media-stream-messages.ts';
import {
  connectedFrame,
  dtmfFrame,
  markEchoFrame,
  mediaFrame,
  newSid,
  startFrame,
  stopFrame,
  type StreamIdentity,
} from '../../src/sim/twilio-stream-frames.ts';
import { postTwilioWebhook } from './twilio-webhook.ts';
import { waitUntil } from './wait.ts';
import { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN } from './voice.ts';

/**
 * One media socket driven frame by frame, as Twilio would open it, for tests that need what the call simulator
 * does not do: two sockets for one call, a socket after `stop`, a flood.
 */
export class MediaSocket {
  readonly ws: WebSocket;
  readonly identity: StreamIdentity;
  /** The close code, once the socket is closed. */
  closeCode: number | undefined;
  #sequence = 0;
  #chunk = 0;

  private constructor(serviceUrl: string, callSid: string) {
    this.ws = new WebSocket(`${serviceUrl.replace('http', 'ws')}/twilio/media`);
    this.identity = { accountSid: `AC${'0'.repeat(32)}`, streamSid: newSid('MZ'), callSid };
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
    this.ws.on('error', () => undefined); // a refused socket may error as it closes; closeCode says what happened
  }

  /** Opens the socket and sends `connected` and `start` carrying `token`. */
  static async start(serviceUrl: string, callSid: string, token: string): Promise<MediaSocket> {
    const socket = new MediaSocket(serviceUrl, callSid);
    await new Promise((resolve, reject) => {
      socket.ws.once('open', resolve);
      socket.ws.once('error', reject);
    });
    socket.send(connectedFrame());
    socket.send(startFrame(socket.identity, socket.#nextSequence(), { token }));
    return socket;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** `frames` 20 ms frames of silence, at once. */
  sendSilence(frames: number): void {
    for (let i = 0; i < frames; i += 1) {
      this.#chunk += 1;
      this.send(
        mediaFrame(
          this.identity.streamSid,
          this.#nextSequence(),
          this.#chunk,
          Buffer.alloc(FRAME_BYTES, MULAW_SILENCE),
        ),
      );
    }
  }

  /** From now on, each mark the service sends is echoed at once, as Twilio does once the audio before it has played. */
  echoMarks(): void {
    this.ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { event?: string; mark?: { name?: string } };
      if (message.event === 'mark' && message.mark?.name !== undefined)
        this.send(markEchoFrame(this.identity.streamSid, this.#nextSequence(), message.mark.name));
    });
  }

  /** The caller presses a key on the phone. */
  pressKey(digit: string): void {
    this.send(dtmfFrame(this.identity.streamSid, this.#nextSequence(), digit));
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  async hangUp(): Promise<void> {
    this.send(stopFrame(this.identity, this.#nextSequence()));
    this.ws.close(1000);
    await this.closed();
  }

  /** Waits for the socket to close (the service closes a refused one at once) and gives the code. */
  async closed(what = 'the media socket is closed'): Promise<number> {
    await waitUntil(() => this.closeCode !== undefined, what);
    return this.closeCode ?? 0;
  }

  send(message: unknown): void {
    if (this.isOpen) this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  #nextSequence(): number {
    this.#sequence += 1;
    return this.#sequence;
  }
}

/** A fresh CallSid, "CA" and 32 hex digits. */
export const newCallSid = (): string => newSid('CA');

let callers = 0;
/** A caller of their own for each call (the fictional 555-01xx range), so the per-caller call limits never join two tests' calls. */
const nextCaller = (): string => `+1312555${String(100 + (callers++ % 100)).padStart(4, '0')}`;

/** Posts the signed incoming-call webhook for `callSid`; gives the TwiML and the stream token in it, if any. */
export async function answerCall(
  serviceUrl: string,
  callSid: string,
  from = nextCaller(),
): Promise<{ status: number; twiml: string; token: string | undefined }> {
  const params = { CallSid: callSid, AccountSid: `AC${'0'.repeat(32)}`, From: from, To: '+13125550100' };
  const answer = await postTwilioWebhook(
    { serviceUrl, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    '/twilio/voice',
    { ...params, CallStatus: 'ringing' },
  );
  const token = /<Parameter name="token" value="([^"]+)"\/>/.exec(answer.body)?.[1];
  return { status: answer.status, twiml: answer.body, token };
}

/** Twilio's final status callback for `callSid`. */
export async function callCompleted(serviceUrl: string, callSid: string): Promise<number> {
  const answer = await postTwilioWebhook(
    { serviceUrl, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    '/twilio/voice/status',
    { CallSid: callSid, AccountSid: `AC${'0'.repeat(32)}`, CallStatus: 'completed', CallDuration: '12' },
  );
  return answer.status;
}
