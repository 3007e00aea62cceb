import express, { Router } from 'express';
import type { StaffLine } from '../permits/office-hours.ts';
import { spokenWebAddress } from '../permits/spoken-web-address.ts';
import twilio from 'twilio';
import { z } from 'zod';
import type { ApplicationService } from '../intake/application-service.ts';
import { resumeWindowInWords } from '../intake/resumable-drafts.ts';
import { afterStream } from './call-ending.ts';
import type { CallRepository } from '../store/call-repository.ts';
import { mediaStreamUrl } from './media-socket-server.ts';
import type { StreamTokens } from './stream-tokens.ts';
import { requireTwilioSignature } from '../web/twilio-signature.ts';
import type { CallAnswer, CallOrchestrator } from './call-orchestrator.ts';
import type { CallAdmission, CallRefusal } from './call-admission.ts';
import type { CallMetrics } from './call-metrics.ts';

/**
 * Twilio's voice webhooks. Every one is signed, and idempotent on the
 * CallSid: Twilio retries a webhook that times out, and the retry must get
 * the same answer without a second call or draft.
 */

const voiceWebhook = z.object({
  CallSid: z.string().regex(/^CA[0-9a-f]{32}$/i),
  From: z.string().min(1),
  CallStatus: z.string().default('ringing'),
});

const statusCallback = z.object({
  CallSid: z.string().min(1),
  CallStatus: z.string().min(1),
  CallDuration: z.coerce.number().int().min(0).optional(),
});

const afterStreamWebhook = z.object({ CallSid: z.string().min(1) });

const NOTICE =
  'Thank you for calling the food permit line. An automated assistant will take your application, and this call is transcribed. We use your answers only for your permit application, and the privacy notice on our website says what we keep and for how long.';
// Said, before the caller is connected, only when the call really is recorded (RECORD_CALLS).
export const RECORDING_NOTICE = 'This call is recorded for quality and to check your application.';

function ivrUrl(publicBaseUrl: URL): string {
  return new URL('/twilio/ivr', publicBaseUrl).href;
}

function applyAddress(publicBaseUrl: URL): string {
  return spokenWebAddress(new URL('/apply', publicBaseUrl));
}

const TROUBLE = 'Sorry, something went wrong on our side.';

function savedAnswers(publicBaseUrl: URL): string {
  return `Your answers so far are saved. You can call back within ${resumeWindowInWords()} to finish, or apply online at ${applyAddress(publicBaseUrl)}. Goodbye.`;
}

/** A call a limit turned away hears one sentence: the web address and goodbye, or, when this instance is full, the IVR. */
function refusalTwiml(refusal: CallRefusal, publicBaseUrl: URL): string {
  const response = new twilio.twiml.VoiceResponse();
  switch (refusal) {
    case 'caller-calls-per-hour':
      response.say(
        `This phone number has called us many times in the last hour, so we cannot take another call from it just now: please call again later, or apply online at ${applyAddress(publicBaseUrl)}. Goodbye.`,
      );
      response.hangup();
      break;
    case 'caller-on-another-call':
      response.say(
        `This phone number is already on a call with us, and we take one call at a time from each number: please finish that call, or apply online at ${applyAddress(publicBaseUrl)}. Goodbye.`,
      );
      response.hangup();
      break;
    case 'instance-full':
      response.say('All our assistant lines are busy just now, so our keypad service will take your application.');
      response.redirect({ method: 'POST' }, ivrUrl(publicBaseUrl));
      break;
  }
  return response.toString();
}

/**
 * The answer to a voice webhook that must not start a stream: one for a call Twilio said is over, or one whose
 * stream was already claimed (or that went to the IVR). Twilio retries only a webhook whose answer it did not get, so
 * it never acts on these for a call it connected: they reach a replayer. Should one ever reach Twilio for a live
 * call, the IVR carries on with the same draft, where a hang-up would cut the caller off.
 */
function noNewStream(answer: Exclude<CallAnswer, 'connect'>, publicBaseUrl: URL): string {
  const response = new twilio.twiml.VoiceResponse();
  if (answer === 'call-ended') response.hangup();
  else response.redirect({ method: 'POST' }, ivrUrl(publicBaseUrl));
  return response.toString();
}

export interface VoiceWebhooksDeps {
  readonly authToken: string;
  readonly publicBaseUrl: URL;
  readonly tokens: StreamTokens;
  readonly callOrchestrator: CallOrchestrator;
  readonly calls: CallRepository;
  readonly applications: ApplicationService;
  /** The per-caller limits and the bulkhead; without it every call is taken. */
  readonly admission?: CallAdmission | undefined;
  readonly metrics?: Pick<CallMetrics, 'arrived' | 'sentToIvr'> | undefined;
  /** The staff line a caller is put through to; undefined: nobody is. */
  readonly staffLine?: StaffLine | undefined;
  /**
   * The operator's voice-ai switch (src/store/service-switches.ts), read for every new call: off sends the call to
   * the keypad IVR. Calls already streaming are not asked again, so turning it off cuts nobody off. Without it: on.
   */
  readonly voiceAiOn?: (() => Promise<boolean>) | undefined;
}

// How long the staff line rings before the caller is told nobody could answer.
const STAFF_DIAL_TIMEOUT_SECONDS = 25;

export function voiceWebhooks(deps: VoiceWebhooksDeps): Router {
  const router = Router();
  const signed = requireTwilioSignature(deps.authToken, deps.publicBaseUrl);
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  router.post('/twilio/voice', form, signed, async (req, res) => {
    const parsed = voiceWebhook.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).type('text/plain').send('Missing or invalid CallSid or From.');
      return;
    }
    const { CallSid: callSid, From: from, CallStatus: status } = parsed.data;
    // Read once here for the admission and the orchestrator, which would each read it again.
    const seen = { call: await deps.calls.find(callSid) };
    // Twilio retries a webhook it got no answer to: only the first one for a call is an arrival.
    if (seen.call === undefined) deps.metrics?.arrived();
    const refused = await deps.admission?.admit(callSid, from, status, res, seen);
    if (refused !== undefined) {
      if (refused === 'instance-full') deps.metrics?.sentToIvr();
      req.log.warn({ callSid, refused }, 'call turned away by a limit');
      res.type('text/xml').send(refusalTwiml(refused, deps.publicBaseUrl));
      return;
    }
    const voiceAiOn = (await deps.voiceAiOn?.()) ?? true;
    const withModel = voiceAiOn && deps.callOrchestrator.modelAvailable;
    const answer = await deps.callOrchestrator.answer(callSid, from, status, seen, { withModel });
    if (answer !== 'connect') {
      req.log.warn(
        { security: true, callSid, answer },
        'voice webhook for a call already connected or over: no new stream',
      );
      res.type('text/xml').send(noNewStream(answer, deps.publicBaseUrl));
      return;
    }

    const response = new twilio.twiml.VoiceResponse();
    if (!withModel) {
      // The IVR's welcome says the assistant is not available and asks with the keypad instead.
      response.redirect({ method: 'POST' }, ivrUrl(deps.publicBaseUrl));
      deps.metrics?.sentToIvr();
      if (voiceAiOn) req.log.warn({ callSid }, 'call sent to the IVR: the model circuit is open');
      else
        req.log.warn(
          { callSid, switch: 'voice-ai' },
          'call sent to the IVR: an operator turned the voice-ai switch off',
        );
      res.type('text/xml').send(response.toString());
      return;
    }
    response.say(NOTICE);
    if (deps.callOrchestrator.recordsCalls) response.say(RECORDING_NOTICE);
    const connect = response.connect({ action: new URL('/twilio/voice/after-stream', deps.publicBaseUrl).href });
    const stream = connect.stream({
      url: mediaStreamUrl(deps.publicBaseUrl),
      statusCallback: new URL('/twilio/voice/stream-status', deps.publicBaseUrl).href,
    });
    stream.parameter({ name: 'token', value: deps.tokens.issue(callSid) });
    res.type('text/xml').send(response.toString());
  });

  router.post('/twilio/voice/status', form, signed, async (req, res) => {
    const parsed = statusCallback.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).type('text/plain').send('Missing CallSid or CallStatus.');
      return;
    }
    const updated = await deps.calls.recordStatus(
      parsed.data.CallSid,
      parsed.data.CallStatus,
      parsed.data.CallDuration,
    );
    // Unknown calls and out-of-order callbacks are answered 204 too: a retry could not change anything.
    if (!updated)
      req.log.info(
        { callSid: parsed.data.CallSid, status: parsed.data.CallStatus },
        'call status not applied (unknown call or older status)',
      );
    res.status(204).end();
  });

  router.post('/twilio/voice/stream-status', form, signed, (req, res) => {
    const body = req.body as Record<string, unknown>;
    req.log.info(
      { callSid: body.CallSid, streamEvent: body.StreamEvent, streamError: body.StreamError },
      'media stream status',
    );
    res.status(204).end();
  });

  /** Twilio asks here once our side closed the media stream. */
  router.post('/twilio/voice/after-stream', form, signed, async (req, res) => {
    const parsed = afterStreamWebhook.safeParse(req.body);
    const response = new twilio.twiml.VoiceResponse();
    const call = parsed.success ? await deps.calls.find(parsed.data.CallSid) : undefined;
    const application =
      call?.applicationId === undefined ? undefined : await deps.applications.find(call.applicationId);
    const ending = parsed.success ? await deps.callOrchestrator.endingOf(parsed.data.CallSid) : undefined;
    const next = afterStream(ending, application?.status === 'submitted');
    switch (next) {
      case 'hang-up':
        response.hangup();
        break;
      case 'trouble-goodbye':
        response.say(`${TROUBLE} ${savedAnswers(deps.publicBaseUrl)}`);
        response.hangup();
        break;
      case 'goodbye':
        response.say(savedAnswers(deps.publicBaseUrl));
        response.hangup();
        break;
      case 'ivr':
        response.redirect({ method: 'POST' }, ivrUrl(deps.publicBaseUrl));
        break;
      case 'transfer': {
        // Asked again now: the office may have closed between the key press and this request.
        const number = deps.staffLine?.answerableNumber();
        if (number === undefined) {
          response.say(`Sorry, no one can take your call just now. ${savedAnswers(deps.publicBaseUrl)}`);
        } else {
          response.say('I am putting you through to a member of staff now. Your answers so far are kept.');
          response.dial({ timeout: STAFF_DIAL_TIMEOUT_SECONDS }, number);
          // Reached only when nobody answered or the line was busy: Twilio goes on to the next verb.
          response.say(`Sorry, no one could answer just now. ${savedAnswers(deps.publicBaseUrl)}`);
        }
        response.hangup();
        break;
      }
    }
    if (ending !== undefined) req.log.info({ callSid: parsed.data?.CallSid, ending, next }, 'after the media stream');
    res.type('text/xml').send(response.toString());
  });

  return router;
}
