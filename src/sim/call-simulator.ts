import { performance } from 'node:perf_hooks';
import twilio from 'twilio';
import { CallerScript } from './caller-script.ts';
import type { LoadedScenario } from './scenario.ts';
import { runMediaStream, type MediaStreamOutcome, type StreamEvent } from './simulated-media-stream.ts';
import { newSid } from './twilio-stream-frames.ts';
import { readTwiml, TwimlError, type TwimlAnswer, type TwimlStream } from './twiml-reader.ts';
import { postSignedWebhook, WEBHOOK_TIMEOUT_MS, type WebhookAnswer } from './twilio-webhook-post.ts';

/**
 * Plays Twilio against a running PermitLine service, for local development,
 * demos and integration tests: answers the voice webhook, opens the Media
 * Stream the TwiML asks for, speaks the scenario's caller turns and listens
 * to the agent like a handset, then requests the <Connect> action and sends
 * the status callback, every request signed as Twilio signs it.
 */

/** Twilio waits 15 s for a webhook before giving up (error 11200). */
/** A whole call, in wall-clock time, unless the caller sets `timeoutMs`. */
const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_TO = '+12125550100';
/** Not a real account: the service only sees it in webhooks and the start message. */
const SIMULATED_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const API_VERSION = '2010-04-01';

export interface SimulateCallOptions {
  /** Where requests go, e.g. http://127.0.0.1:3000. */
  readonly serviceUrl: string;
  /** The origin the service believes Twilio uses (its PUBLIC_BASE_URL): signatures are computed over it. Defaults to serviceUrl. */
  readonly publicBaseUrl?: string;
  /** Where the media stream connects instead, if not serviceUrl: a test pinning a call's stream to one instance behind a load balancer. */
  readonly streamServiceUrl?: string;
  /** The Twilio auth token requests are signed with. */
  readonly authToken: string;
  readonly scenario: LoadedScenario;
  readonly callSid?: string;
  readonly accountSid?: string;
  /** The department's number (fictional). */
  readonly to?: string;
  /** 1 = real time (default); 2 = twice as fast, for tests that do not depend on timing. */
  readonly realTimeFactor?: number;
  /** 0-based among the caller turns: the caller hangs up (stop, close) right after speaking this one. */
  readonly hangUpAfterTurn?: number;
  /** Wall-clock limit for the whole call; on expiry the caller hangs up and the result carries an error. */
  readonly timeoutMs?: number;
  /** Aborting hangs up and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * The caller hangs up once the agent has said this much (phone ms) that is none of the scenario's lines: the
   * service plays another scenario. Default: never (a test of the service wants to see the whole call).
   */
  readonly offScriptLimitMs?: number;
  /** Names the scenarios off-script audio belongs to: given, the caller hangs up only once it names one (src/sim/scenario-guess.ts). */
  readonly offScriptPlayedBy?: (audio: Buffer) => readonly string[];
  /** How long Twilio speaks the webhook's <Say> before it opens the stream (wall ms). Default 0: at once. */
  readonly sayMs?: number;
  /** How long Twilio takes, after the service closed the stream, to request the <Connect action> (wall ms). Default 0. */
  readonly connectActionDelayMs?: number;
  readonly onEvent?: (event: CallEvent) => void;
}

type Timed<T> = T extends unknown ? T & { readonly atMs: number } : never;

type UntimedCallEvent =
  | StreamEvent
  | {
      readonly type: 'webhook-answered';
      readonly status: number;
      readonly say: string | undefined;
      readonly verbs: readonly string[];
      readonly streamUrl: string | undefined;
    }
  | { readonly type: 'connect-action'; readonly status: number; readonly twiml: string }
  | { readonly type: 'stream-status-callback'; readonly streamEvent: StreamStatusEvent; readonly status: number }
  | { readonly type: 'status-callback'; readonly status: number };

export type StreamStatusEvent = 'stream-started' | 'stream-stopped' | 'stream-error';

/** Every event carries `atMs`: phone-time milliseconds since the call began (the webhook request). */
export type CallEvent = Timed<UntimedCallEvent>;

export interface CallResult {
  readonly callSid: string;
  /** Undefined when no media stream was opened. */
  readonly streamSid: string | undefined;
  readonly webhookStatus: number;
  /**
   * service: the service closed the media socket; caller: the caller hung up (hangUpAfterTurn);
   * timeout: timeoutMs passed; no-stream: the TwiML did not connect a stream;
   * off-script: the caller hung up on an agent saying none of its scenario's lines (offScriptLimitMs);
   * stream-failed: the socket never opened; webhook-failed: the webhook did not answer 200 with TwiML.
   */
  readonly endedBy: 'service' | 'caller' | 'timeout' | 'no-stream' | 'off-script' | 'stream-failed' | 'webhook-failed';
  /**
   * Where Twilio was sent on (a <Redirect>, e.g. to the keypad IVR): by the webhook instead of a stream, or by
   * the <Connect> action after it. The call simulator does not follow it.
   */
  readonly redirectedTo?: { readonly url: string; readonly by: 'webhook' | 'connect-action' };
  /** With endedBy off-script: what the caller heard instead of its scenario. */
  readonly offScript?: {
    readonly heardMs: number;
    readonly expectedLine: string | undefined;
    /** The scenarios whose lines were heard instead, when offScriptPlayedBy named them. */
    readonly playing: readonly string[];
  };
  readonly say: string | undefined;
  readonly connectActionStatus?: number;
  readonly connectActionTwiml?: string;
  readonly statusCallbackStatus?: number;
  /** The <Stream statusCallback> requests (stream-started, stream-stopped or stream-error) and their answers, if the TwiML asked for them. */
  readonly streamStatusCallbacks: readonly { readonly streamEvent: StreamStatusEvent; readonly status: number }[];
  readonly framesSent: number;
  readonly callerTurnsSpoken: number;
  readonly agentAudioMsPlayed: number;
  /** Agent audio buffered but never played when the stream ended (e.g. a goodbye cut off by closing too early). */
  readonly agentAudioMsUnplayed: number;
  /** Names of the marks echoed, in order. */
  readonly marksEchoed: readonly string[];
  readonly clears: readonly { readonly atMs: number; readonly droppedMs: number }[];
  readonly protocolViolations: readonly string[];
  /** Failed requests, non-2xx answers, invalid TwiML, socket errors, timeout. */
  readonly errors: readonly string[];
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** Phone time from the webhook request until the call ended (before the status callback). */
  readonly durationMs: number;
  /** Which instance answered each part, when a load balancer names it (X-PermitLine-Instance); empty otherwise. */
  readonly servedBy: { readonly webhook?: string; readonly stream?: string; readonly connectAction?: string };
}

/**
 * The service did not answer the voice webhook at all (refused, unknown host, reset): no call took place.
 * On Error, not the service's AppError: the simulators are a separate program that imports only src/protocols/.
 */
export class ServiceUnreachableError extends Error {
  override readonly name = 'ServiceUnreachableError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const code = networkErrorCode(cause);
    super(`Cannot reach the service at ${url}${code === undefined ? '' : ` (${code})`}`, { cause });
    this.url = url;
  }
}

function networkErrorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
    ? cause.code
    : undefined;
}

const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Twilio resolves a relative action against the webhook URL; an absolute one is signed exactly as written. */
const absolute = (url: string, base: string): string =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : new URL(url, base).href;

/** The <Redirect> of a TwiML document, if it is one that redirects; Twilio would have reported invalid TwiML otherwise. */
function redirectOf(twiml: string): string | undefined {
  try {
    return readTwiml(twiml).redirect;
  } catch (error) {
    if (error instanceof TwimlError) return undefined;
    throw error;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = networkErrorCode(error);
  return code === undefined ? error.message : `${error.message} (${code})`;
}

/** The webhook's TwiML, as Twilio would judge it. */
function readAnswer(webhook: WebhookAnswer): {
  answer: TwimlAnswer | undefined;
  problems: { kind: 'error' | 'violation'; message: string }[];
} {
  if (webhook.status !== 200)
    return {
      answer: undefined,
      problems: [{ kind: 'error', message: `the voice webhook answered HTTP ${webhook.status}` }],
    };
  const problems: { kind: 'error' | 'violation'; message: string }[] = [];
  if (!/^(?:text|application)\/xml\b/i.test(webhook.contentType)) {
    problems.push({
      kind: 'violation',
      message: `the voice webhook answered Content-Type "${webhook.contentType}"; Twilio expects text/xml or application/xml (Twilio error 12300)`,
    });
  }
  try {
    return { answer: readTwiml(webhook.body), problems };
  } catch (error) {
    if (!(error instanceof TwimlError)) throw error;
    problems.push({
      kind: 'error',
      message: `the voice webhook's TwiML is invalid: ${error.message} (Twilio error 12100)`,
    });
    return { answer: undefined, problems };
  }
}

export async function simulateCall(options: SimulateCallOptions): Promise<CallResult> {
  return new SimulatedCall(options).run();
}

type StreamRecord = { readonly streamSid: string; readonly outcome: MediaStreamOutcome };

class SimulatedCall {
  readonly #o: SimulateCallOptions;
  readonly #serviceUrl: URL;
  readonly #publicBase: string;
  readonly #factor: number;
  readonly #script: CallerScript;
  readonly #callSid: string;
  readonly #accountSid: string;
  readonly #to: string;
  #startedAt = 0;

  // What happened, read by #result().
  #webhookStatus = 0;
  #webhookServedBy: string | undefined;
  #say: string | undefined;
  #redirectedTo: CallResult['redirectedTo'];
  #offScript: CallResult['offScript'];
  #stream: StreamRecord | undefined;
  #connectAction: { status: number; twiml: string; servedBy: string | undefined } | undefined;
  #statusCallbackStatus: number | undefined;
  #durationMs: number | undefined;
  readonly #streamStatusCallbacks: { streamEvent: StreamStatusEvent; status: number }[] = [];
  readonly #errors: string[] = [];
  readonly #violations: string[] = [];

  constructor(options: SimulateCallOptions) {
    this.#serviceUrl = new URL(options.serviceUrl);
    if (this.#serviceUrl.protocol !== 'http:' && this.#serviceUrl.protocol !== 'https:')
      throw new RangeError(`serviceUrl must be http(s), not ${options.serviceUrl}`);
    this.#factor = options.realTimeFactor ?? 1;
    if (!Number.isFinite(this.#factor) || this.#factor <= 0)
      throw new RangeError(`realTimeFactor must be a positive number, not ${this.#factor}`);
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}`);
    this.#o = options;
    this.#publicBase = trimSlash(options.publicBaseUrl ?? options.serviceUrl);
    this.#script = new CallerScript(options.scenario, { hangUpAfterTurn: options.hangUpAfterTurn });
    this.#callSid = options.callSid ?? newSid('CA');
    this.#accountSid = options.accountSid ?? SIMULATED_ACCOUNT_SID;
    this.#to = options.to ?? DEFAULT_TO;
  }

  async run(): Promise<CallResult> {
    this.#o.signal?.throwIfAborted();
    this.#startedAt = performance.now();
    const webhookUrl = `${this.#publicBase}/twilio/voice`;
    const answer = await this.#answerCall(webhookUrl);
    if (answer === undefined) return this.#result('webhook-failed');
    if (answer.connect === undefined) return this.#completed('no-stream');

    const timeoutMs = this.#o.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const { stream, action } = answer.connect;
    if ((this.#o.sayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, this.#o.sayMs));
    const outcome = await this.#runStream(
      webhookUrl,
      stream,
      this.#o.signal === undefined ? timeout : AbortSignal.any([timeout, this.#o.signal]),
    );
    this.#o.signal?.throwIfAborted();

    const endedBy =
      outcome.endedBy === 'failed'
        ? 'stream-failed'
        : outcome.endedBy === 'hang-up-signal'
          ? 'timeout'
          : outcome.endedBy;
    if (endedBy === 'timeout') this.#error(`the call did not end within ${timeoutMs} ms; the caller hung up`);
    // Twilio requests the action when <Connect> ends on the service's side (or the stream fails), not when the caller hangs up.
    if ((endedBy === 'service' || endedBy === 'stream-failed') && action !== undefined) {
      const delayMs = this.#o.connectActionDelayMs ?? 0;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await this.#requestConnectAction(absolute(action, webhookUrl));
    }
    return this.#completed(endedBy);
  }

  /** The voice webhook: the TwiML answer, or undefined (recorded as an error) if the service did not answer with TwiML. */
  async #answerCall(webhookUrl: string): Promise<TwimlAnswer | undefined> {
    let webhook: WebhookAnswer;
    try {
      webhook = await this.#post(webhookUrl, {
        ...this.#callParams(),
        CallStatus: 'ringing',
        Direction: 'inbound',
        ApiVersion: API_VERSION,
      });
    } catch (error) {
      this.#o.signal?.throwIfAborted();
      if (!(error instanceof DOMException && error.name === 'TimeoutError'))
        throw new ServiceUnreachableError(this.#serviceUrl.origin, error);
      this.#error(`the voice webhook did not answer within ${WEBHOOK_TIMEOUT_MS} ms (Twilio error 11200)`);
      return undefined;
    }
    this.#webhookStatus = webhook.status;
    this.#webhookServedBy = webhook.servedBy;
    const read = readAnswer(webhook);
    this.#say = read.answer?.say;
    const { answer } = read;
    if (answer?.connect === undefined && answer?.redirect !== undefined)
      this.#redirectedTo = { url: absolute(answer.redirect, webhookUrl), by: 'webhook' };
    this.#emit({
      type: 'webhook-answered',
      status: webhook.status,
      say: answer?.say,
      verbs: answer?.verbs ?? [],
      streamUrl: answer?.connect?.stream.url,
    });
    for (const problem of read.problems) {
      if (problem.kind === 'error') this.#error(problem.message);
      else this.#violation(problem.message);
    }
    return answer;
  }

  async #runStream(webhookUrl: string, stream: TwimlStream, hangUpSignal: AbortSignal): Promise<MediaStreamOutcome> {
    const publicUrl = new URL(stream.url, webhookUrl);
    // A plain-http PUBLIC_BASE_URL means a local-only run, where ws:// is the sensible choice; facing Twilio it must be wss://.
    if (publicUrl.protocol !== 'wss:' && this.#publicBase.startsWith('https:')) {
      this.#violation(`the Stream url is ${publicUrl.protocol}//…; Twilio connects only to wss:// URLs`);
    }
    if (publicUrl.search !== '')
      this.#violation('the Stream url has a query string; Twilio does not allow one (pass values with <Parameter>)');
    // Which form Twilio signs for the handshake is not documented; we sign the https:// (or http://) form, and the service accepts either.
    const signedUrl = stream.url.replace(/^wss:/i, 'https:').replace(/^ws:/i, 'http:');
    const streamSid = newSid('MZ');
    const streamStatus = (streamEvent: StreamStatusEvent, extra: Record<string, string> = {}): Promise<void> =>
      stream.statusCallback === undefined
        ? Promise.resolve()
        : this.#postStreamStatus(absolute(stream.statusCallback, webhookUrl), streamSid, streamEvent, extra);
    let started: Promise<void> | undefined;

    const outcome = await runMediaStream({
      url: this.#toService(
        publicUrl,
        'ws',
        this.#o.streamServiceUrl === undefined ? this.#serviceUrl : new URL(this.#o.streamServiceUrl),
      ),
      signature: twilio.getExpectedTwilioSignature(this.#o.authToken, signedUrl, {}),
      identity: { streamSid, callSid: this.#callSid, accountSid: this.#accountSid },
      customParameters: stream.parameters,
      script: this.#script,
      realTimeFactor: this.#factor,
      phoneNow: () => this.#phoneNow(),
      emit: (event) => {
        if (event.type === 'off-script')
          this.#offScript = { heardMs: event.heardMs, expectedLine: event.expectedLine, playing: event.playing };
        this.#emit(event);
      },
      hangUpSignal,
      ...(this.#o.offScriptLimitMs === undefined ? {} : { offScriptLimitMs: this.#o.offScriptLimitMs }),
      ...(this.#o.offScriptPlayedBy === undefined ? {} : { offScriptPlayedBy: this.#o.offScriptPlayedBy }),
      // Twilio sends the stream status callback alongside the audio, without holding the stream up.
      onOpen: () => {
        started = streamStatus('stream-started');
      },
    });
    this.#stream = { streamSid, outcome };
    await started;
    await (outcome.endedBy === 'failed'
      ? streamStatus('stream-error', { StreamError: outcome.errors.join('; ') || 'the WebSocket did not open' })
      : streamStatus('stream-stopped'));
    return outcome;
  }

  async #postStreamStatus(
    url: string,
    streamSid: string,
    streamEvent: StreamStatusEvent,
    extra: Record<string, string>,
  ): Promise<void> {
    try {
      const answer = await this.#post(url, {
        AccountSid: this.#accountSid,
        CallSid: this.#callSid,
        StreamSid: streamSid,
        StreamName: streamSid,
        StreamEvent: streamEvent,
        Timestamp: new Date().toISOString(),
        ...extra,
      });
      this.#streamStatusCallbacks.push({ streamEvent, status: answer.status });
      this.#emit({ type: 'stream-status-callback', streamEvent, status: answer.status });
      if (!isSuccess(answer.status))
        this.#error(`the stream status callback (${streamEvent}) answered HTTP ${answer.status}`);
    } catch (error) {
      this.#error(`the stream status callback (${streamEvent}) failed: ${describe(error)}`);
    }
  }

  async #requestConnectAction(actionUrl: string): Promise<void> {
    try {
      const answer = await this.#post(actionUrl, { ...this.#callParams(), CallStatus: 'in-progress' });
      const twiml = answer.body.trim();
      this.#connectAction = { status: answer.status, twiml, servedBy: answer.servedBy };
      const redirect = answer.status === 200 ? redirectOf(twiml) : undefined;
      if (redirect !== undefined) this.#redirectedTo = { url: absolute(redirect, actionUrl), by: 'connect-action' };
      this.#emit({ type: 'connect-action', status: answer.status, twiml });
      if (answer.status !== 200) this.#error(`the <Connect> action answered HTTP ${answer.status}`);
    } catch (error) {
      this.#error(`the <Connect> action request failed: ${describe(error)}`);
    }
  }

  /** The call is over: Twilio sends the status callback, then the result is final. */
  async #completed(endedBy: CallResult['endedBy']): Promise<CallResult> {
    this.#durationMs = this.#phoneNow();
    try {
      const answer = await this.#post(`${this.#publicBase}/twilio/voice/status`, {
        ...this.#callParams(),
        CallStatus: 'completed',
        CallDuration: String(Math.round(this.#durationMs / 1000)),
        Direction: 'inbound',
        ApiVersion: API_VERSION,
      });
      this.#statusCallbackStatus = answer.status;
      this.#emit({ type: 'status-callback', status: answer.status });
      if (!isSuccess(answer.status)) this.#error(`the status callback answered HTTP ${answer.status}`);
    } catch (error) {
      this.#o.signal?.throwIfAborted();
      this.#error(`the status callback request failed: ${describe(error)}`);
    }
    return this.#result(endedBy);
  }

  #result(endedBy: CallResult['endedBy']): CallResult {
    const outcome = this.#stream?.outcome;
    return {
      callSid: this.#callSid,
      streamSid: this.#stream?.streamSid,
      webhookStatus: this.#webhookStatus,
      endedBy,
      say: this.#say,
      ...(this.#redirectedTo === undefined ? {} : { redirectedTo: this.#redirectedTo }),
      ...(this.#offScript === undefined ? {} : { offScript: this.#offScript }),
      ...(this.#connectAction === undefined
        ? {}
        : { connectActionStatus: this.#connectAction.status, connectActionTwiml: this.#connectAction.twiml }),
      ...(this.#statusCallbackStatus === undefined ? {} : { statusCallbackStatus: this.#statusCallbackStatus }),
      streamStatusCallbacks: [...this.#streamStatusCallbacks],
      framesSent: outcome?.framesSent ?? 0,
      callerTurnsSpoken: this.#script.callerTurnsSpoken,
      agentAudioMsPlayed: outcome?.agentAudioMsPlayed ?? 0,
      agentAudioMsUnplayed: outcome?.agentAudioMsUnplayed ?? 0,
      marksEchoed: outcome?.marksEchoed ?? [],
      clears: outcome?.clears ?? [],
      protocolViolations: [...this.#violations, ...(outcome?.protocolViolations ?? [])],
      errors: [...(outcome?.errors ?? []), ...this.#errors],
      ...(outcome?.closeCode === undefined ? {} : { closeCode: outcome.closeCode, closeReason: outcome.closeReason }),
      durationMs: this.#durationMs ?? this.#phoneNow(),
      servedBy: {
        ...(this.#webhookServedBy === undefined ? {} : { webhook: this.#webhookServedBy }),
        ...(outcome?.servedBy === undefined ? {} : { stream: outcome.servedBy }),
        ...(this.#connectAction?.servedBy === undefined ? {} : { connectAction: this.#connectAction.servedBy }),
      },
    };
  }

  #callParams(): Record<string, string> {
    return { CallSid: this.#callSid, AccountSid: this.#accountSid, From: this.#o.scenario.callerNumber, To: this.#to };
  }

  /** POSTs a signed form to a URL given in its public form (that is what Twilio signs), delivered to the service. */
  #post(publicUrl: string, params: Record<string, string>): Promise<WebhookAnswer> {
    return postSignedWebhook({
      deliverTo: this.#toService(new URL(publicUrl), 'http'),
      publicUrl,
      params,
      authToken: this.#o.authToken,
      signal: this.#o.signal,
    });
  }

  /**
   * The service builds its URLs from PUBLIC_BASE_URL, which may be a tunnel
   * or a name that does not resolve locally: anything on that origin is sent
   * to serviceUrl instead. Other origins are used as given.
   */
  #toService(publicUrl: URL, kind: 'http' | 'ws', serviceUrl: URL = this.#serviceUrl): string {
    const onPublicOrigin = publicUrl.host === new URL(this.#publicBase).host;
    const target = new URL(onPublicOrigin ? `${publicUrl.pathname}${publicUrl.search}` : publicUrl.href, serviceUrl);
    if (kind === 'ws') target.protocol = target.protocol === 'https:' || target.protocol === 'wss:' ? 'wss:' : 'ws:';
    return target.href;
  }

  #phoneNow(): number {
    return (performance.now() - this.#startedAt) * this.#factor;
  }

  #emit(event: UntimedCallEvent): void {
    const timed: CallEvent = { ...event, atMs: this.#phoneNow() };
    try {
      this.#o.onEvent?.(timed);
    } catch (error) {
      // A listener's bug must not stop the call's clock; it shows up in the result instead.
      this.#errors.push(`onEvent threw on ${event.type}: ${describe(error)}`);
    }
  }

  #error(message: string): void {
    this.#errors.push(message);
    this.#emit({ type: 'error', message });
  }

  #violation(message: string): void {
    this.#violations.push(message);
    this.#emit({ type: 'protocol-violation', message });
  }
}
