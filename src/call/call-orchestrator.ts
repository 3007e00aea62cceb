import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { TokenPrices } from '../config/config.ts';
import type { ApplicationService } from '../intake/application-service.ts';
import type { ResumableDrafts } from '../intake/resumable-drafts.ts';
import {
  permitToolDefinitions,
  PermitToolbox,
  toolResultOf,
  type StaffDesk,
  type ToolDefinition,
} from '../intake/permit-tools.ts';
import { todayIn } from '../permits/field-inputs.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import type { DraftFields, PermitRules } from '../permits/permit-rules.ts';
import { PERMIT_TYPE_LABELS, PERMIT_TYPES, isPermitType } from '../permits/permit-types.ts';
import { readBack, spokenPhone } from '../permits/read-back.ts';
import { renderAgentInstructions, type RenderedInstructions } from '../realtime/agent-instructions.ts';
import type { CallRecordings } from '../recording/call-recordings.ts';
import { StereoRecording } from '../recording/stereo-recording.ts';
import type { RealtimeSession, RealtimeSessionConfig } from '../realtime/realtime-session.ts';
import { UsageMeter } from '../realtime/usage-meter.ts';
import { callIsOver, type CallRepository, type StreamClaim } from '../store/call-repository.ts';
import { CallBridge, type KeypadAnswer, type ReadySession } from './call-bridge.ts';
import type { CallMetrics } from './call-metrics.ts';
import { decodeEnding, describeEnding, encodeEnding, type CallEnding } from './call-ending.ts';
import { CallPhases } from './call-phases.ts';
import type { MediaPaceLimits } from './media-pace.ts';
import type { TwilioStartMessage } from '../protocols/media-stream-messages.ts';
import { TranscriptRecorder } from './transcript-recorder.ts';
import type { SeenCall } from './call-admission.ts';
import { CallTrace } from './call-trace.ts';
import { activeTraceparent, inSpan, SPAN_ATTRIBUTES } from '../ops/spans.ts';
import { TwilioMediaStream } from './twilio-media-stream.ts';

/**
 * The life of a phone call on this instance: prepared when the voice
 * webhook answers (the caller's draft found or started, the model session
 * opened early so the greeting is ready), connected when Twilio's media
 * stream starts, and accounted for when it ends.
 */

export interface CallSettings {
  readonly model: string;
  readonly voice: string;
  readonly vad: RealtimeSessionConfig['vad'];
  readonly transcriptionModel: string;
  readonly prices: TokenPrices;
  readonly timeZone: string;
  /** How long an opened-early model session waits for its media stream before it is closed. */
  readonly prewarmTtlMs: number;
  /** Long calls move to a fresh model session this long before the model's session limit. */
  readonly renewBeforeExpiryMs: number;
  /** How fast caller audio may arrive before the call is closed as a flood. */
  readonly mediaPace: MediaPaceLimits;
  /** A recording stops at this length (the call goes on). */
  readonly recordingMaxMs: number;
  /** The caller's silence on their turn before they are asked if still there (then a goodbye); 0: off. */
  readonly callerSilenceMs: number;
  /** From the stream's start, when the agent wraps the call up; 0: no limit. */
  readonly maxCallMs: number;
}

export interface CallOrchestratorDeps {
  readonly applications: ApplicationService;
  /** Which earlier draft a caller carries on with (the same rule as the IVR's). */
  readonly resumableDrafts: Pick<ResumableDrafts, 'findFor'>;
  readonly calls: CallRepository;
  readonly rules: PermitRules;
  /** `log`: the call's logger (its lines carry the CallSid). */
  readonly openSession: (log: Logger) => Promise<RealtimeSession>;
  /** False while the model is known to be failing (its circuit is open): calls are then answered without it. */
  readonly modelAvailable: () => boolean;
  readonly settings: CallSettings;
  readonly logger: Logger;
  /** Where new calls' recordings go; undefined when calls are not recorded (RECORD_CALLS off). */
  readonly recordings?: Pick<CallRecordings, 'save'>;
  /** Prometheus counters of the call path; none in tests that do not read them. */
  readonly metrics?: CallMetrics | undefined;
  /** The staff line a caller can ask for (keypad 0, or in words); without it they are told nobody can take the call. */
  readonly staffDesk?: StaffDesk;
}

const TRANSFER_KEY = '0';
// The greeting says "para español, oprima dos" (prompts/): the key works at any moment of the call after it.
const SPANISH_KEY = '2';

/**
 * Keypad 0 asks for a person, as saying so does; 2 switches the call to Spanish, as speaking it does; other keys
 * mean nothing during the conversation. `switchLanguage` applies a language change to the call.
 */
function keypadAnswer(
  digit: string,
  toolbox: PermitToolbox,
  switchLanguage: (language: Language) => void,
): KeypadAnswer | undefined {
  if (digit === SPANISH_KEY) {
    const outcome = toolbox.setLanguage('es');
    switchLanguage('es');
    return { kind: 'say', instructions: `The caller pressed 2 for Spanish. ${sayOf(outcome.output)}` };
  }
  if (digit !== TRANSFER_KEY) return undefined;
  const outcome = toolbox.transferToPerson();
  if (outcome.transferToStaff === true) return { kind: 'transfer' };
  return { kind: 'say', instructions: `The caller pressed 0 to reach a person. ${sayOf(outcome.output)}` };
}

function sayOf(output: string): string {
  return (JSON.parse(output) as { say: string }).say;
}

interface PreparedCall {
  readonly applicationId: string;
  readonly instructions: RenderedInstructions;
  readonly language: Language;
  /** The caller's number (a call back goes to it). */
  readonly from: string;
  readonly session: Promise<ReadySession>;
  readonly expiry: NodeJS.Timeout;
  /** A media socket here is claiming the call's stream: the sweep must leave this session for it. */
  claimingHere: boolean;
}

/**
 * What the voice webhook may answer for a call. `connect`: the usual answer (a stream, or the IVR while the model
 * is down), also for a retry that arrives before the stream started. `call-ended`: Twilio already said the call is
 * over. `already-connected`: the call's one stream was claimed, or it went to the IVR: a webhook now is a replay,
 * and gets no new stream.
 */
export type CallAnswer = 'connect' | 'call-ended' | 'already-connected';

// Twilio requests the <Connect action> within a second or two of the stream closing.
const ENDING_MEMORY_MS = 60_000;
// The <Connect action> can reach this instance while the one that held the stream is still writing its ending.
const ENDING_WAIT_MS = 2_000;
const ENDING_POLL_MS = 100;
// How often sessions opened early are checked against the database: one whose stream started on another instance
// (the load balancer sent it there) is closed, instead of waiting out its TTL and counting as a call arriving here.
const PREPARED_SWEEP_MS = 1_000;

export class CallOrchestrator {
  readonly #deps: CallOrchestratorDeps;
  readonly #tools: readonly ToolDefinition[];
  readonly #prepared = new Map<string, PreparedCall>();
  readonly #live = new Map<string, CallBridge>();
  // Why recent calls left the model, for the <Connect action> that Twilio requests right after (usually here).
  readonly #endings = new Map<string, CallEnding>();
  #lastEndedAt: number | undefined;
  readonly #answering = new Map<string, Promise<CallAnswer>>();
  // What ended calls still have to write (usage, transcript, recording); stop waits for it before the database closes.
  readonly #finishing = new Set<Promise<void>>();
  #sweep: NodeJS.Timeout | undefined;

  constructor(deps: CallOrchestratorDeps) {
    this.#deps = deps;
    this.#tools = permitToolDefinitions(deps.rules);
  }

  get liveCalls(): number {
    return this.#live.size;
  }

  /** Milliseconds since a call last left the AI path here (Infinity if none did): its <Connect action> may be on its way. */
  get msSinceLastEnding(): number {
    return this.#lastEndedAt === undefined ? Number.POSITIVE_INFINITY : performance.now() - this.#lastEndedAt;
  }

  /** Whether a new call should be connected to the model at all. */
  get modelAvailable(): boolean {
    return this.#deps.modelAvailable();
  }

  /** Whether calls are recorded: the voice webhook then tells the caller so before connecting them. */
  get recordsCalls(): boolean {
    return this.#deps.recordings !== undefined;
  }

  /** Calls answered whose media stream has not arrived yet: they will be live in a moment. */
  get arrivingCalls(): number {
    return this.#prepared.size;
  }

  /**
   * At the voice webhook: record the call, find or start its draft, and open the model session early; for a call
   * already connected or over, nothing is prepared and no model session is opened. `withModel: false`: the webhook
   * sends the call to the IVR (the operator's voice-ai switch is off), so nothing is prepared either.
   */
  answer(
    callSid: string,
    from: string,
    status: string,
    seen?: SeenCall,
    options: { readonly withModel?: boolean } = {},
  ): Promise<CallAnswer> {
    // A retried webhook (even one arriving while the first is still being answered) joins the first answer.
    const pending = this.#answering.get(callSid);
    if (pending !== undefined) return pending;
    const answering = this.#answer(callSid, from, status, seen, options.withModel ?? true).finally(() =>
      this.#answering.delete(callSid),
    );
    this.#answering.set(callSid, answering);
    return answering;
  }

  async #answer(
    callSid: string,
    from: string,
    status: string,
    seen: SeenCall | undefined,
    withModel: boolean,
  ): Promise<CallAnswer> {
    const { created } = await this.#deps.calls.recordIncoming(callSid, from, status);
    // The webhook's span, for the call's spans to join when its stream starts (here or elsewhere).
    const traceparent = activeTraceparent();
    if (traceparent !== undefined) await this.#deps.calls.recordTraceContext(callSid, traceparent);
    // Not recorded when the webhook came in (the admission may have recorded it since): a new call, nothing to
    // read back. A call seen before (a retried webhook) is read again, as another instance may have moved it on.
    const newCall = created || (seen !== undefined && seen.call === undefined);
    if (!newCall) {
      const admission = await this.#admissionOf(callSid);
      if (admission !== 'connect') return admission;
    }
    if (this.#prepared.has(callSid)) return 'connect'; // a retried webhook, before its stream started
    if (!withModel || !this.#deps.modelAvailable()) return 'connect'; // answered without the model: nothing to prepare
    // A call recorded by this very webhook has no application yet.
    const { applicationId, instructions, language } = await this.#prepare(
      callSid,
      from,
      newCall ? { applicationId: undefined, language: DEFAULT_LANGUAGE } : undefined,
    );
    const session = this.#openConfigured(instructions, 'early', callSid, language);
    // Never an unhandled rejection: a failed early open is retried when the stream starts.
    session.catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, callSid }, 'early model session failed; will retry at stream start');
    });
    const expiry = setTimeout(() => {
      this.#discardPrepared(callSid);
    }, this.#deps.settings.prewarmTtlMs);
    this.#prepared.set(callSid, { applicationId, instructions, language, from, session, expiry, claimingHere: false });
    this.#sweepWhilePrepared();
    return 'connect';
  }

  /**
   * The media socket's claim on the call's one stream (one conditional update, see CallRepository.claimStream),
   * made through here so that a session this instance opened early is kept for its own socket.
   */
  async claimStream(callSid: string): Promise<StreamClaim> {
    const prepared = this.#prepared.get(callSid);
    if (prepared !== undefined) prepared.claimingHere = true;
    try {
      const claim = await this.#deps.calls.claimStream(callSid);
      if (claim !== 'claimed' && prepared !== undefined) prepared.claimingHere = false;
      return claim;
    } catch (error) {
      if (prepared !== undefined) prepared.claimingHere = false;
      throw error;
    }
  }

  #sweepWhilePrepared(): void {
    if (this.#sweep !== undefined) return;
    this.#sweep = setInterval(() => {
      void this.#sweepPrepared();
    }, PREPARED_SWEEP_MS);
    this.#sweep.unref();
  }

  async #sweepPrepared(): Promise<void> {
    if (this.#prepared.size === 0) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
      return;
    }
    const waiting = [...this.#prepared].filter(([, prepared]) => !prepared.claimingHere).map(([callSid]) => callSid);
    try {
      for (const callSid of await this.#deps.calls.settledOf(waiting)) {
        if (this.#prepared.get(callSid)?.claimingHere === false) {
          this.#deps.logger.info({ callSid }, 'stream started elsewhere (or the call is over): early session closed');
          this.#discardPrepared(callSid);
        }
      }
    } catch (error) {
      // The TTL still closes them; the next sweep tries again.
      this.#deps.logger.warn({ err: error }, 'could not check sessions opened early against the database');
    }
  }

  async #admissionOf(callSid: string): Promise<CallAnswer> {
    const call = await this.#deps.calls.find(callSid);
    if (call === undefined) return 'connect';
    if (callIsOver(call)) return 'call-ended';
    if (call.streamStartedAt !== undefined || call.ivrAt !== undefined || this.#live.has(callSid))
      return 'already-connected';
    return 'connect';
  }

  /**
   * At the media stream's `start` (token checked, the call's one stream claimed): bridge the caller to the model.
   * `earlier`: frames that came after `start` while the stream was being claimed.
   */
  async streamStarted(socket: WebSocket, start: TwilioStartMessage, earlier: readonly string[] = []): Promise<void> {
    const callSid = start.start.callSid;
    const log = this.#deps.logger.child({ callSid, streamSid: start.streamSid });
    const telephony = new TwilioMediaStream(socket, { callSid, streamSid: start.streamSid }, log, {
      earlier,
      pace: this.#deps.settings.mediaPace,
    });
    const callTrace = await CallTrace.start(callSid, this.#deps.calls, log);
    const phases = new CallPhases(this.#deps.calls, callSid, log);
    phases.enter('greeting');
    try {
      const started = await callTrace.within(() => this.#sessionFor(callSid));
      const { applicationId, ready } = started;
      // The language the call is in: the caller may switch it (keypad 2, or set_language when they speak Spanish).
      let language = started.language;
      const metrics = this.#deps.metrics;
      const connectedAt = performance.now();
      // Whether submit_application succeeded on this call: the call's outcome.
      let submitted = false;
      const meter = new UsageMeter(this.#deps.settings.prices);
      const transcript = new TranscriptRecorder(this.#deps.calls, callSid, log);
      const toolbox = new PermitToolbox(this.#deps.applications, this.#deps.rules, applicationId, {
        staff: this.#deps.staffDesk,
        language,
        call: { callSid, callerNumber: started.from },
      });
      const recording =
        this.#deps.recordings === undefined
          ? undefined
          : new StereoRecording({ maxMs: this.#deps.settings.recordingMaxMs });
      if (recording !== undefined) this.#finish(this.#noteRecordingNotice(callSid, log));
      const bridge = new CallBridge({
        telephony,
        session: ready,
        logger: log,
        recorder: recording,
        renewBeforeExpiryMs: this.#deps.settings.renewBeforeExpiryMs,
        callerSilenceMs: this.#deps.settings.callerSilenceMs,
        maxCallMs: this.#deps.settings.maxCallMs,
        hooks: {
          runTool: (call) =>
            callTrace.tool(call.name, async () => {
              try {
                const outcome = await toolbox.run(call.name, call.arguments);
                if (outcome.language !== undefined) switchLanguage(outcome.language);
                const { result } = toolResultOf(outcome);
                if (call.name === 'submit_application' && result === 'ok') submitted = true;
                if (outcome.stage !== undefined) phases.enter(outcome.stage);
                metrics?.toolRan(call.name, result);
                return outcome;
              } catch (error) {
                metrics?.toolRan(call.name, 'failed');
                throw error;
              }
            }),
          keypad: (digit) => keypadAnswer(digit, toolbox, switchLanguage),
          itemAdded: (itemId, previous, role, offsetMs) => {
            transcript.itemAdded(itemId, previous, role, offsetMs);
          },
          callerStarted: (itemId, offsetMs) => {
            transcript.startedAt(itemId, offsetMs);
            phases.callerSpoke();
          },
          said: (itemId, role, text, offsetMs) => {
            transcript.text(itemId, role, text, offsetMs);
          },
          toolRan: (itemId, summary, offsetMs) => {
            transcript.text(itemId, 'tool', summary, offsetMs);
          },
          usage: (usage) => {
            meter.add(usage);
          },
          transcriptionUsage: (usage) => {
            meter.addTranscription(usage);
          },
          agentResponded: (latencyMs) => {
            metrics?.agentResponded(latencyMs);
          },
          bargedIn: () => {
            metrics?.bargeIn();
          },
          reconnect: (why) =>
            callTrace.reopen(why, async () => {
              const reopened = await this.#reopen(callSid, applicationId, why, language);
              metrics?.modelReopened(why);
              return reopened;
            }),
          ended: (ending, agentLatenciesMs) => {
            callTrace.end(ending, submitted);
            this.#live.delete(callSid);
            this.#remember(callSid, ending, log);
            log.info({ ending, costUsd: meter.costUsd }, 'call ended');
            metrics?.ended(ending, submitted, (performance.now() - connectedAt) / 1000);
            metrics?.usage(meter.totals, meter.costUsd, meter.transcriptionCostUsd);
            this.#finish(this.#account(callSid, meter, transcript, agentLatenciesMs, log));
            this.#finish(phases.settled());
            if (recording !== undefined) this.#finish(this.#saveRecording(callSid, recording, log));
          },
        },
      });
      // The session follows the caller's language from their next word: its instructions and its transcriber.
      const switchLanguage = (chosen: Language): void => {
        if (chosen === language) return;
        language = chosen;
        log.info({ language }, 'call language changed');
        this.#finish(
          this.#changeLanguage(callSid, applicationId, language, bridge).catch((error: unknown) => {
            log.error({ err: error }, 'could not change the language of the call');
          }),
        );
      };
      metrics?.answered('model');
      if (bridge.isEnded) return; // the caller hung up while the model session was opening
      this.#live.set(callSid, bridge);
      log.info('call connected to the model');
    } catch (error) {
      log.error({ err: error }, 'could not connect the call to the model');
      this.#deps.metrics?.notConnected();
      this.#finish(phases.settled());
      const ending: CallEnding = { kind: 'model-lost', detail: 'could not connect to the model' };
      this.#remember(callSid, ending, log);
      callTrace.end(ending, false);
      telephony.close(describeEnding(ending));
    }
  }

  /**
   * How the call left the AI path, for its <Connect action>: remembered here when this instance held the stream,
   * read from the database when another one did (waiting a moment for it to be written). Undefined when no
   * ending is known: no stream started, or the instance that held it died with it (the IVR then carries on).
   */
  async endingOf(callSid: string): Promise<CallEnding | undefined> {
    const deadline = performance.now() + ENDING_WAIT_MS;
    for (;;) {
      const here = this.#endings.get(callSid);
      if (here !== undefined) return here;
      const call = await this.#deps.calls.find(callSid);
      const stored = decodeEnding(call?.aiEnding);
      if (stored !== undefined || call?.streamStartedAt === undefined || performance.now() >= deadline) return stored;
      await new Promise((resolve) => setTimeout(resolve, ENDING_POLL_MS));
    }
  }

  #remember(callSid: string, ending: CallEnding, log: Logger): void {
    this.#lastEndedAt = performance.now();
    this.#endings.set(callSid, ending);
    setTimeout(() => this.#endings.delete(callSid), ENDING_MEMORY_MS).unref();
    this.#finish(
      this.#deps.calls.recordAiEnding(callSid, encodeEnding(ending)).catch((error: unknown) => {
        // Only another instance answering the <Connect action> misses it: it then offers the IVR.
        log.error({ err: error }, 'could not record how the call left the AI path');
      }),
    );
  }

  /** Ends every live call (shutdown). */
  endAll(): void {
    for (const bridge of this.#live.values()) bridge.end({ kind: 'service-stopping' });
    for (const callSid of this.#prepared.keys()) this.#discardPrepared(callSid);
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  async #sessionFor(
    callSid: string,
  ): Promise<{ applicationId: string; ready: ReadySession; language: Language; from: string }> {
    const prepared = this.#prepared.get(callSid);
    if (prepared !== undefined) {
      this.#prepared.delete(callSid);
      clearTimeout(prepared.expiry);
      const { applicationId, language, from } = prepared;
      const early = await prepared.session.catch(() => undefined);
      if (early?.session.isOpen === true) return { applicationId, ready: early, language, from };
      early?.session.close();
      return {
        applicationId,
        ready: await this.#openConfigured(prepared.instructions, 'at-stream', callSid, language),
        language,
        from,
      };
    }
    // The webhook was answered by another instance: prepare again from the database.
    const call = await this.#deps.calls.find(callSid);
    if (call === undefined) throw new Error(`no call ${callSid} was recorded by the voice webhook`);
    const { applicationId, instructions, language } = await this.#prepare(callSid, call.fromPhone, call);
    return {
      applicationId,
      ready: await this.#openConfigured(instructions, 'at-stream', callSid, language),
      language,
      from: call.fromPhone,
    };
  }

  /** A new session for a call whose model was lost: the same draft, instructions that say to carry on. */
  async #reopen(
    callSid: string,
    applicationId: string,
    why: 'lost' | 'renewal',
    language: Language,
  ): Promise<ReadySession> {
    const call = await this.#deps.calls.find(callSid);
    const draft = await this.#deps.applications.find(applicationId);
    const instructions = this.#instructionsFor(
      call?.fromPhone ?? '',
      draft?.fields ?? {},
      why === 'lost' ? 'reconnected' : 'renewed',
      language,
    );
    return this.#openConfigured(instructions, why, callSid, language);
  }

  /**
   * The call goes on in `language`: recorded for staff and for a reconnect on another instance, and the live
   * session re-instructed in it (the conversation so far stays in the session, the instructions say what is saved).
   */
  async #changeLanguage(callSid: string, applicationId: string, language: Language, bridge: CallBridge): Promise<void> {
    await this.#deps.calls.recordLanguage(callSid, language);
    // The application's language too: its text message and status page are written in it.
    await this.#deps.applications.updateDraft(applicationId, {}, 'voice', language);
    const call = await this.#deps.calls.find(callSid);
    const draft = await this.#deps.applications.find(applicationId);
    const instructions = this.#instructionsFor(call?.fromPhone ?? '', draft?.fields ?? {}, 'renewed', language);
    bridge.reconfigure(this.#sessionConfig(instructions, language));
  }

  #instructionsFor(
    from: string,
    fields: DraftFields,
    continuing: 'reconnected' | 'renewed' | undefined,
    language: Language,
  ): RenderedInstructions {
    const { rules, settings } = this.#deps;
    const type = fields.permitType;
    const answered = readBack(fields, isPermitType(type) ? rules.fieldsOf(type) : [], rules.context);
    return renderAgentInstructions({
      today: todayIn(settings.timeZone, new Date()),
      permitTypes: PERMIT_TYPES.map((t) => PERMIT_TYPE_LABELS[t]),
      districts: rules.context.healthDistricts,
      callerNumber: spokenPhone(from),
      resumedDraft: answered.length > 0 ? answered.join('; ') : undefined,
      continuing,
      language,
    });
  }

  async #prepare(
    callSid: string,
    from: string,
    /** The call's application as the caller has just read it; undefined: read it here. */
    known: { readonly applicationId: string | undefined; readonly language: Language } | undefined,
  ): Promise<{ applicationId: string; instructions: RenderedInstructions; language: Language }> {
    const { applications, resumableDrafts, calls, settings } = this.#deps;
    const call = known ?? (await calls.find(callSid));
    const existing = call?.applicationId;
    const resumed = existing ?? (await resumableDrafts.findFor(from));
    const applicationId = resumed ?? (await applications.startDraft('voice'));
    const draft = resumed === undefined ? undefined : await applications.find(applicationId);
    // A call back on a draft begun in Spanish goes on in Spanish; a call switched already keeps its language.
    const language = call?.language === 'es' ? call.language : (draft?.language ?? DEFAULT_LANGUAGE);
    const instructions = this.#instructionsFor(from, draft?.fields ?? {}, undefined, language);
    await calls.attachApplication(callSid, applicationId, instructions.version, settings.model);
    return { applicationId, instructions, language };
  }

  /** `open`: why a session is opened (a span attribute): at the webhook, at stream start, or again mid-call. */
  async #openConfigured(
    instructions: RenderedInstructions,
    open: 'early' | 'at-stream' | 'lost' | 'renewal',
    callSid: string,
    language: Language,
  ): Promise<ReadySession> {
    const session = await inSpan('model connect', { [SPAN_ATTRIBUTES.modelOpen]: open }, () =>
      this.#deps.openSession(this.#deps.logger.child({ callSid })),
    );
    const ready = new Promise<void>((resolve) => {
      session.once('ready', () => {
        resolve();
      });
    });
    session.configure(this.#sessionConfig(instructions, language));
    return { session, ready };
  }

  #sessionConfig(instructions: RenderedInstructions, language: Language): RealtimeSessionConfig {
    const { settings, rules } = this.#deps;
    return {
      instructions: instructions.text,
      tools: this.#tools,
      voice: settings.voice,
      vad: settings.vad,
      transcription: {
        model: settings.transcriptionModel,
        // The transcriber told the caller's language hears it far better than one left to guess on an 8 kHz line.
        language,
        // Domain words the transcriber would otherwise mishear on an 8 kHz line.
        prompt: `Food permit application. ${PERMIT_TYPES.map((t) => PERMIT_TYPE_LABELS[t]).join(', ')}. Commissary, TCS foods, certified food handler, LLC. Districts: ${rules.context.healthDistricts.join(', ')}.`,
      },
    };
  }

  #discardPrepared(callSid: string): void {
    const prepared = this.#prepared.get(callSid);
    if (prepared === undefined) return;
    this.#prepared.delete(callSid);
    clearTimeout(prepared.expiry);
    void prepared.session.then(
      (s) => {
        s.session.close();
      },
      () => undefined,
    );
  }

  /** Resolves when every ended call has written what it had to (the database may then close). */
  async finished(): Promise<void> {
    while (this.#finishing.size > 0) await Promise.all([...this.#finishing]);
  }

  #finish(work: Promise<void>): void {
    const tracked = work.finally(() => this.#finishing.delete(tracked));
    this.#finishing.add(tracked);
  }

  /** Twilio says the recording notice before it opens the stream (voice-webhooks.ts): keep when the caller had heard it. */
  async #noteRecordingNotice(callSid: string, log: Logger): Promise<void> {
    try {
      await this.#deps.calls.recordRecordingNotice(callSid, 'voice');
    } catch (error) {
      log.error({ err: error }, 'could not record that the caller was told the call is recorded');
    }
  }

  /** Kept only once the whole call is in: a call cut off by a crash has no recording (its answers are saved as it goes). */
  async #saveRecording(callSid: string, recording: StereoRecording, log: Logger): Promise<void> {
    const recordings = this.#deps.recordings;
    if (recording.durationMs === 0 || recordings === undefined) return;
    try {
      // Read out in slices: the WAV (twice the mu-law held during the call) is never built whole.
      await recordings.save(callSid, recording.wav());
      await this.#deps.calls.recordRecording(callSid, recording.durationMs, recording.capped);
      log.info(
        { recordingMs: Math.round(recording.durationMs), capped: recording.capped },
        recording.capped ? 'call recording saved, stopped at its maximum length' : 'call recording saved',
      );
    } catch (error) {
      log.error({ err: error }, 'could not save the call recording');
    }
  }

  async #account(
    callSid: string,
    meter: UsageMeter,
    transcript: TranscriptRecorder,
    agentLatenciesMs: readonly number[],
    log: Logger,
  ): Promise<void> {
    try {
      await transcript.flush();
      await this.#deps.calls.recordUsage(callSid, {
        inputTokens: meter.inputTokens,
        outputTokens: meter.outputTokens,
        detail: { ...meter.totals },
        costUsd: meter.costUsd,
      });
      await this.#deps.calls.recordAgentLatencies(callSid, agentLatenciesMs);
    } catch (error) {
      log.error({ err: error }, 'could not record the end of the call');
    }
  }
}
