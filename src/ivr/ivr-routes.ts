import express, { Router, type Request, type Response } from 'express';
import { spokenWebAddress } from '../permits/spoken-web-address.ts';
import { z } from 'zod';
import type { ApplicationService } from '../intake/application-service.ts';
import type { ResumableDrafts } from '../intake/resumable-drafts.ts';
import type { StaffLine } from '../permits/office-hours.ts';
import type { PermitRules } from '../permits/permit-rules.ts';
import type { CallBackRequests } from '../store/call-back-requests.ts';
import type { CallRepository } from '../store/call-repository.ts';
import { requireTwilioSignature } from '../web/twilio-signature.ts';
import { classifyGather } from './ivr-answers.ts';
import { IVR_POLICY, IvrFlow, type IvrFlowDeps } from './ivr-flow.ts';
import { loadIvrCatalogue, type IvrCatalogue } from './ivr-lines.ts';
import { IVR_ENTRY_PATH, IVR_STEP_PATH, parseVisit } from './ivr-steps.ts';
import { renderIvrReply, type IvrReply } from './ivr-twiml.ts';

/**
 * The IVR's webhooks. `POST /twilio/ivr` is the entry: a <Redirect> there
 * (from the voice webhook while the model's circuit is open, or from the
 * <Connect action> after the model was lost) starts or resumes the call's
 * draft. Each <Gather> then posts to `POST /twilio/ivr/step/{step}`. All are
 * signed, all answer 200 with TwiML — when something fails on our side the
 * caller hears an apology, not Twilio's "application error" — and all are
 * idempotent on the CallSid and the step URL.
 */

export interface IvrRoutesDeps {
  readonly authToken: string;
  readonly publicBaseUrl: URL;
  readonly calls: CallRepository;
  readonly applications: ApplicationService;
  readonly rules: PermitRules;
  /** Texts the caller a link to finish the draft online (SmsDelivery.queueWebLink). */
  readonly sendWebLink: IvrFlowDeps['sendWebLink'];
  /** The spoken lines of each language; the shipped prompts/ catalogues unless a test gives others. */
  readonly catalogue?: IvrCatalogue;
  /** The staff line keypad 0 puts a caller through to, inside its office hours. */
  readonly staffLine: StaffLine;
  /** Where a call-back request is kept when nobody can answer the staff line. */
  readonly callBacks: Pick<CallBackRequests, 'recordCallBack'>;
  /** Which earlier draft a caller carries on with. */
  readonly resumableDrafts: Pick<ResumableDrafts, 'findFor'>;
}

const callSid = z.string().regex(/^CA[0-9a-f]{32}$/i);

const entryWebhook = z.object({
  CallSid: callSid,
  From: z.string().min(1),
  CallStatus: z.string().min(1).default('in-progress'),
});

const stepWebhook = z.object({
  CallSid: callSid,
  Digits: z.string().max(64).optional(),
  SpeechResult: z.string().max(2_000).optional(),
  Confidence: z.string().max(32).optional(),
});

const TWIML = 'text/xml';

/** The address of the web form as a caller hears it: host and path, no scheme. */
export function spokenApplyAddress(publicBaseUrl: URL): string {
  return spokenWebAddress(new URL('/apply', publicBaseUrl));
}

export function ivrRoutes(deps: IvrRoutesDeps): Router {
  const router = Router();
  const signed = requireTwilioSignature(deps.authToken, deps.publicBaseUrl);
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const flow = new IvrFlow({
    applications: deps.applications,
    calls: deps.calls,
    resumableDrafts: deps.resumableDrafts,
    rules: deps.rules,
    catalogue: deps.catalogue ?? loadIvrCatalogue(),
    staffLine: deps.staffLine,
    callBacks: deps.callBacks,
    sendWebLink: deps.sendWebLink,
    applyAddress: spokenApplyAddress(deps.publicBaseUrl),
  });
  // A retry that arrives while the first delivery is still being answered joins it: one write, one text, one answer.
  const inFlight = new Map<string, Promise<string>>();

  const answerOnce = (key: string, req: Request, res: Response, produce: () => Promise<IvrReply>): Promise<void> => {
    let twiml = inFlight.get(key);
    if (twiml === undefined) {
      twiml = produce()
        .then(
          (reply) => renderIvrReply(reply, deps.publicBaseUrl),
          (error: unknown) => {
            req.log.error({ err: error, path: req.path }, 'IVR step failed; the caller hears an apology');
            return renderIvrReply(flow.trouble(), deps.publicBaseUrl);
          },
        )
        .finally(() => inFlight.delete(key));
      inFlight.set(key, twiml);
    }
    return twiml.then((body) => {
      res.type(TWIML).send(body);
    });
  };

  router.post(IVR_ENTRY_PATH, form, signed, async (req, res) => {
    const parsed = entryWebhook.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).type('text/plain').send('Missing or invalid CallSid or From.');
      return;
    }
    const { CallSid: sid, From: from, CallStatus: status } = parsed.data;
    const log = req.log.child({ callSid: sid, ivrStep: 'entry' });
    await answerOnce(`${sid} entry`, req, res, () => flow.enter(sid, from, status, log));
  });

  router.post(`${IVR_STEP_PATH}/:step`, form, signed, async (req, res) => {
    const v = parseVisit(String(req.params.step), req.query);
    const parsed = stepWebhook.safeParse(req.body);
    if (v === undefined) {
      res.status(404).type('text/plain').send('There is no such IVR step.');
      return;
    }
    if (!parsed.success) {
      res.status(400).type('text/plain').send('Missing or invalid CallSid.');
      return;
    }
    const { CallSid: sid, Digits, SpeechResult, Confidence } = parsed.data;
    const heard = classifyGather({ Digits, SpeechResult, Confidence }, IVR_POLICY.minSpeechConfidence);
    // What was heard is the caller's words: only its kind is logged.
    const log = req.log.child({ callSid: sid, ivrStep: v.step, round: v.round, attempt: v.attempt, heard: heard.kind });
    const key = JSON.stringify([sid, req.originalUrl, Digits ?? '', SpeechResult ?? '', Confidence ?? '']);
    await answerOnce(key, req, res, async () => {
      const reply = await flow.answer(sid, v, heard, log);
      if (reply !== undefined) {
        log.info({ next: reply.kind === 'ask' ? reply.visit.step : 'hang-up' }, 'IVR step answered');
        return reply;
      }
      log.warn('IVR step for a call the IVR never started');
      return flow.trouble();
    });
  });

  return router;
}
