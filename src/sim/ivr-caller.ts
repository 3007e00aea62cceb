import { newSid } from './twilio-stream-frames.ts';
import { childElements, parseXml, textOf, TwimlError, type XmlElement } from './twiml-reader.ts';
import { postSignedWebhook, type WebhookAnswer } from './twilio-webhook-post.ts';

/**
 * Plays Twilio and a scripted caller through the keypad IVR: posts the IVR's
 * entry webhook, then runs the TwiML as Twilio does — <Say> is heard,
 * <Gather> takes the caller's next scripted input (keys, or speech with a
 * confidence) and posts it to its action, silence lets the call carry on to
 * the next verb, <Redirect> is followed, <Dial> is noted and not answered
 * (so Twilio goes on to the next verb), <Hangup> (or the end of the
 * document) ends the call — every request signed like Twilio's. When the
 * script runs out at a <Gather>, the caller hangs up. Afterwards, the call
 * status callback is sent, as Twilio would.
 */

export type IvrCallerInput =
  { readonly press: string } | { readonly say: string; readonly confidence?: number } | { readonly silence: true };

export type IvrTranscriptEntry =
  | { readonly from: 'service'; readonly say: string }
  | { readonly from: 'caller'; readonly pressed: string }
  | { readonly from: 'caller'; readonly said: string; readonly confidence: number }
  | { readonly from: 'caller'; readonly silent: true }
  | { readonly from: 'caller'; readonly hungUp: true };

export interface IvrCallOptions {
  /** Where requests go, e.g. http://127.0.0.1:3000. */
  readonly serviceUrl: string;
  /** The origin the service believes Twilio uses (its PUBLIC_BASE_URL): signatures are computed over it. Defaults to serviceUrl. */
  readonly publicBaseUrl?: string;
  readonly authToken: string;
  /** The caller's number (fictional: +1 312 555 01xx). */
  readonly from: string;
  readonly inputs: readonly IvrCallerInput[];
  readonly callSid?: string;
  readonly accountSid?: string;
  readonly to?: string;
  /** Where the call enters the IVR; default /twilio/ivr. */
  readonly entryPath?: string;
  /** The call status callback Twilio sends when the call ends; null sends none. Default /twilio/voice/status. */
  readonly statusCallbackPath?: string | null;
  /** A guard against a service that loops: at most this many webhook requests per call (default 100). */
  readonly maxRequests?: number;
  readonly signal?: AbortSignal;
}

export interface IvrRequestRecord {
  /** The public URL, as Twilio requested and signed it. */
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  readonly body: string;
}

export interface IvrCallResult {
  readonly callSid: string;
  /** What the caller heard and did, in order. */
  readonly transcript: readonly IvrTranscriptEntry[];
  /** Every <Say> text heard, in order. */
  readonly heard: readonly string[];
  /** Every number a <Dial> rang, in order (nobody answers in the simulation). */
  readonly dialled: readonly string[];
  readonly requests: readonly IvrRequestRecord[];
  /** hangup: the service hung up; end-of-twiml: the TwiML ran out (Twilio hangs up); caller: the script ran out; error: see errors. */
  readonly endedBy: 'hangup' | 'end-of-twiml' | 'caller' | 'error';
  readonly inputsUsed: number;
  readonly errors: readonly string[];
  readonly statusCallbackStatus?: number;
}

/** Twilio waits 15 s for a webhook before giving up (error 11200). */
const DEFAULT_MAX_REQUESTS = 100;
const DEFAULT_TO = '+13125550100';
const SIMULATED_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const API_VERSION = '2010-04-01';
/** Twilio's default <Gather finishOnKey>. */
const DEFAULT_FINISH_ON_KEY = '#';

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

type Outcome =
  | { readonly next: { url: string; method: string; params: Record<string, string> } }
  | { readonly ended: IvrCallResult['endedBy'] };

export async function runIvrCall(options: IvrCallOptions): Promise<IvrCallResult> {
  return new IvrCaller(options).run();
}

class IvrCaller {
  readonly #o: IvrCallOptions;
  readonly #serviceUrl: URL;
  readonly #publicBase: string;
  readonly #callSid: string;
  readonly #startedAt = Date.now();
  readonly #transcript: IvrTranscriptEntry[] = [];
  readonly #requests: IvrRequestRecord[] = [];
  readonly #errors: string[] = [];
  readonly #dialled: string[] = [];
  #inputsUsed = 0;

  constructor(options: IvrCallOptions) {
    this.#serviceUrl = new URL(options.serviceUrl);
    if (this.#serviceUrl.protocol !== 'http:' && this.#serviceUrl.protocol !== 'https:')
      throw new RangeError(`serviceUrl must be http(s), not ${options.serviceUrl}`);
    this.#o = options;
    this.#publicBase = trimSlash(options.publicBaseUrl ?? options.serviceUrl);
    this.#callSid = options.callSid ?? newSid('CA');
  }

  async run(): Promise<IvrCallResult> {
    const maxRequests = this.#o.maxRequests ?? DEFAULT_MAX_REQUESTS;
    let request: { url: string; method: string; params: Record<string, string> } = {
      url: `${this.#publicBase}${this.#o.entryPath ?? '/twilio/ivr'}`,
      method: 'POST',
      params: { ...this.#callParams(), Direction: 'inbound', ApiVersion: API_VERSION },
    };
    let endedBy: IvrCallResult['endedBy'];
    for (;;) {
      if (this.#requests.length >= maxRequests) {
        this.#errors.push(`more than ${maxRequests} webhook requests in one call: the IVR seems to loop`);
        endedBy = 'error';
        break;
      }
      const document = await this.#fetchTwiml(request.url, request.method, request.params);
      if (document === undefined) {
        endedBy = 'error';
        break;
      }
      const outcome = this.#execute(document, request.url);
      if ('ended' in outcome) {
        endedBy = outcome.ended;
        break;
      }
      request = outcome.next;
    }
    const statusCallbackStatus = await this.#statusCallback();
    return {
      callSid: this.#callSid,
      transcript: [...this.#transcript],
      heard: this.#transcript.flatMap((entry) => ('say' in entry ? [entry.say] : [])),
      dialled: [...this.#dialled],
      requests: [...this.#requests],
      endedBy,
      inputsUsed: this.#inputsUsed,
      errors: [...this.#errors],
      ...(statusCallbackStatus === undefined ? {} : { statusCallbackStatus }),
    };
  }

  /** Runs one TwiML document's verbs in order, until one of them leaves the document. */
  #execute(root: XmlElement, documentUrl: string): Outcome {
    for (const verb of childElements(root)) {
      switch (verb.name) {
        case 'Say':
          this.#heard(verb);
          break;
        case 'Pause':
        case 'Play':
          break;
        case 'Dial':
          this.#dialled.push(textOf(verb).trim());
          break;
        case 'Gather': {
          const outcome = this.#gather(verb, documentUrl);
          if (outcome !== 'carry-on') return outcome;
          break;
        }
        case 'Redirect': {
          const target = textOf(verb).trim();
          if (target === '') return this.#fail('<Redirect> has no URL');
          return {
            next: {
              url: absolute(target, documentUrl),
              method: verb.attributes.get('method') ?? 'POST',
              params: { ...this.#callParams() },
            },
          };
        }
        case 'Hangup':
        case 'Reject':
          return { ended: 'hangup' };
        default:
          return this.#fail(`the IVR caller does not follow <${verb.name}>`);
      }
    }
    return { ended: 'end-of-twiml' };
  }

  #gather(gather: XmlElement, documentUrl: string): Outcome | 'carry-on' {
    for (const child of childElements(gather, 'Say')) this.#heard(child);
    const input = this.#o.inputs[this.#inputsUsed];
    if (input === undefined) {
      this.#transcript.push({ from: 'caller', hungUp: true });
      return { ended: 'caller' };
    }
    this.#inputsUsed += 1;
    const accepts = (gather.attributes.get('input') ?? 'dtmf').split(/\s+/);
    const action = absolute(gather.attributes.get('action') ?? documentUrl, documentUrl);
    const method = gather.attributes.get('method') ?? 'POST';
    if ('press' in input && accepts.includes('dtmf')) {
      const finishOnKey = gather.attributes.get('finishOnKey') ?? DEFAULT_FINISH_ON_KEY;
      const numDigits = Number(gather.attributes.get('numDigits') ?? Number.POSITIVE_INFINITY);
      // Twilio stops at numDigits keys or at the finish key, which is not part of Digits.
      const end = finishOnKey === '' ? -1 : input.press.indexOf(finishOnKey);
      const digits = (end >= 0 ? input.press.slice(0, end) : input.press).slice(0, numDigits);
      this.#transcript.push({ from: 'caller', pressed: input.press });
      return {
        next: {
          url: action,
          method,
          params: { ...this.#callParams(), Digits: digits, ...(end >= 0 ? { FinishedOnKey: finishOnKey } : {}) },
        },
      };
    }
    if ('say' in input && accepts.includes('speech')) {
      const confidence = input.confidence ?? 0.9;
      this.#transcript.push({ from: 'caller', said: input.say, confidence });
      return {
        next: {
          url: action,
          method,
          params: { ...this.#callParams(), SpeechResult: input.say, Confidence: String(confidence) },
        },
      };
    }
    // Silence, or an input this Gather does not listen for: Twilio carries on with the next verb.
    this.#transcript.push({ from: 'caller', silent: true });
    return 'carry-on';
  }

  #heard(say: XmlElement): void {
    const text = textOf(say).replace(/\s+/g, ' ').trim();
    if (text !== '') this.#transcript.push({ from: 'service', say: text });
  }

  #fail(message: string): Outcome {
    this.#errors.push(message);
    return { ended: 'error' };
  }

  /** Requests a TwiML document; undefined (with the error recorded) if the answer is not 200 with TwiML. */
  async #fetchTwiml(url: string, method: string, params: Record<string, string>): Promise<XmlElement | undefined> {
    if (method.toUpperCase() !== 'POST') {
      this.#errors.push(`the IVR caller only POSTs, but ${url} asks for ${method}`);
      return undefined;
    }
    let answer: { status: number; contentType: string; body: string };
    try {
      answer = await this.#post(url, params);
    } catch (error) {
      this.#errors.push(`the request to ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    this.#requests.push({ url, params, status: answer.status, body: answer.body });
    if (answer.status !== 200) {
      this.#errors.push(`${url} answered HTTP ${answer.status}`);
      return undefined;
    }
    if (!/^(?:text|application)\/xml\b/i.test(answer.contentType))
      this.#errors.push(`${url} answered Content-Type "${answer.contentType}"; Twilio expects text/xml (error 12300)`);
    try {
      const root = parseXml(answer.body);
      if (root.name !== 'Response') throw new TwimlError(`the root element is <${root.name}>, not <Response>`);
      return root;
    } catch (error) {
      if (!(error instanceof TwimlError)) throw error;
      this.#errors.push(`${url} answered invalid TwiML: ${error.message} (Twilio error 12100)`);
      return undefined;
    }
  }

  async #statusCallback(): Promise<number | undefined> {
    if (this.#o.statusCallbackPath === null) return undefined;
    const url = `${this.#publicBase}${this.#o.statusCallbackPath ?? '/twilio/voice/status'}`;
    try {
      const answer = await this.#post(url, {
        ...this.#callParams(),
        CallStatus: 'completed',
        CallDuration: String(Math.round((Date.now() - this.#startedAt) / 1000)),
        Direction: 'inbound',
        ApiVersion: API_VERSION,
      });
      return answer.status;
    } catch (error) {
      this.#errors.push(`the status callback failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  #callParams(): Record<string, string> {
    return {
      CallSid: this.#callSid,
      AccountSid: this.#o.accountSid ?? SIMULATED_ACCOUNT_SID,
      From: this.#o.from,
      To: this.#o.to ?? DEFAULT_TO,
      CallStatus: 'in-progress',
    };
  }

  /** POSTs a signed form to a URL given in its public form (what Twilio signs), delivered to the service. */
  #post(publicUrl: string, params: Record<string, string>): Promise<WebhookAnswer> {
    return postSignedWebhook({
      deliverTo: this.#toService(new URL(publicUrl)),
      publicUrl,
      params,
      authToken: this.#o.authToken,
      signal: this.#o.signal,
    });
  }

  /** URLs on the public origin go to serviceUrl (PUBLIC_BASE_URL may be a name that does not resolve here); others as given. */
  #toService(publicUrl: URL): string {
    const onPublicOrigin = publicUrl.host === new URL(this.#publicBase).host;
    return new URL(onPublicOrigin ? `${publicUrl.pathname}${publicUrl.search}` : publicUrl.href, this.#serviceUrl).href;
  }
}

/** Twilio resolves a relative URL against the document's own URL. */
function absolute(url: string, base: string): string {
  return new URL(url, base).href;
}
