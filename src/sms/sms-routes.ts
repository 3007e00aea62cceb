import express, { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { ApplicationService, StoredApplication } from '../intake/application-service.ts';
import { fill } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { toGsm7 } from '../protocols/gsm7.ts';
import type { SmsConsentRepository } from '../store/sms-consent-repository.ts';
import { isDeliveryStatus, type SmsOutboxRepository } from '../store/sms-outbox-repository.ts';
import { requireTwilioSignature } from '../web/twilio-signature.ts';
import { keywordLanguage, smsKeyword } from './sms-keywords.ts';
import type { SmsMetrics } from './sms-metrics.ts';

/**
 * Twilio's messaging webhooks: delivery status of the summaries we sent, and
 * texts applicants send us (STOP, START, HELP, STATUS; AYUDA and ESTADO in Spanish), answered in the language
 * the applicant was last served in. Both are signed.
 * Both answer 200 for anything well-formed, even a message we do not know:
 * Twilio retries other answers, and a retry cannot make it known.
 */

const statusCallback = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i),
  MessageStatus: z.string().min(1),
  ErrorCode: z.coerce.number().int().optional(),
});

const inboundMessage = z.object({
  From: z.string().min(1),
  Body: z.string().default(''),
});

export interface SmsRoutesDeps {
  readonly authToken: string;
  readonly publicBaseUrl: URL;
  readonly outbox: SmsOutboxRepository;
  readonly consent: SmsConsentRepository;
  readonly applications: Pick<ApplicationService, 'latestByContactPhone'>;
  readonly metrics?: Pick<SmsMetrics, 'final'> | undefined;
}

/**
 * The replies to inbound texts, per language, made GSM-7 (a Spanish one loses the accents GSM-7 lacks). The
 * keywords named in them stay English in every language: they are the ones Twilio and the carriers act on.
 */
const REPLY_LINES = {
  en: {
    stop: 'You will get no more texts from the food permit line. Reply START to get them again.',
    start: 'You will get texts from the food permit line again. Reply STOP to stop them.',
    help: 'Food permit line: texts about your permit application. Reply STATUS for its status, STOP to stop texts.',
    noApplication: 'We have no permit application from this number. Reply HELP for help.',
    submitted: 'Your permit application {reference} is submitted and waiting for review.',
    notFinished: 'Your permit application is not finished yet. Call us again, or finish it at {applyAddress}',
  },
  es: {
    stop: 'Ya no recibirá mensajes de la línea de permisos de comida. Responda START para recibirlos de nuevo.',
    start: 'Volverá a recibir mensajes de la línea de permisos de comida. Responda STOP para dejar de recibirlos.',
    help: 'Línea de permisos de comida: mensajes sobre su solicitud de permiso. Responda ESTADO para saber su estado, STOP para no recibir mensajes.',
    noApplication: 'No tenemos ninguna solicitud de permiso de este número. Responda AYUDA para obtener ayuda.',
    submitted: 'Su solicitud de permiso {reference} se envió y espera revisión.',
    notFinished: 'Su solicitud de permiso aún no está terminada. Llámenos de nuevo o termínela en {applyAddress}',
  },
} as const satisfies Record<Language, Record<string, string>>;

type ReplyLines = Record<keyof (typeof REPLY_LINES)['en'], string>;

function gsm7Lines(language: Language): ReplyLines {
  return Object.fromEntries(
    Object.entries(REPLY_LINES[language]).map(([key, line]) => [key, toGsm7(line)]),
  ) as ReplyLines;
}

export const SMS_REPLIES: Readonly<Record<Language, ReplyLines>> = { en: gsm7Lines('en'), es: gsm7Lines('es') };

export function smsRoutes(deps: SmsRoutesDeps): Router {
  const router = Router();
  const signed = requireTwilioSignature(deps.authToken, deps.publicBaseUrl);
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  router.post('/twilio/sms/status', form, signed, async (req, res) => {
    const parsed = statusCallback.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).type('text/plain').send('Missing or invalid MessageSid or MessageStatus.');
      return;
    }
    const { MessageSid: messageSid, MessageStatus: status, ErrorCode: errorCode } = parsed.data;
    if (!isDeliveryStatus(status)) {
      req.log.warn({ messageSid, status }, 'SMS status callback with a status we do not know: ignored');
      res.status(200).end();
      return;
    }
    const outcome = await deps.outbox.recordDeliveryStatus(messageSid, status, errorCode);
    if (outcome === 'unknown-message')
      req.log.warn({ messageSid, status }, 'SMS status callback for a message we did not send: ignored');
    else req.log.info({ messageSid, status, errorCode, outcome }, 'SMS delivery status');
    // Counted once per text: a retried or out-of-order callback does not change the stored status.
    if (outcome === 'recorded' && (status === 'delivered' || status === 'undelivered' || status === 'failed'))
      deps.metrics?.final(status, errorCode);
    res.status(200).end();
  });

  router.post('/twilio/sms', form, signed, async (req, res) => {
    const parsed = inboundMessage.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).type('text/plain').send('Missing From.');
      return;
    }
    const { From: from, Body: body } = parsed.data;
    const keyword = smsKeyword(body);
    // The applicant's own application says which language they were served in; a Spanish keyword says it outright.
    const application = await deps.applications.latestByContactPhone(from);
    const language = keywordLanguage(body) ?? application?.language ?? DEFAULT_LANGUAGE;
    const lines = SMS_REPLIES[language];
    let reply: string;
    switch (keyword) {
      case 'stop':
        await deps.consent.optOut(from, body.trim().toUpperCase().slice(0, 20));
        reply = lines.stop;
        break;
      case 'start':
        await deps.consent.optIn(from, body.trim().toUpperCase().slice(0, 20));
        reply = lines.start;
        break;
      case 'status':
        reply = statusReply(lines, application, deps.publicBaseUrl);
        break;
      case 'help':
      case 'other':
        reply = lines.help;
    }
    req.log.info({ keyword, language }, 'inbound SMS');
    const response = new twilio.twiml.MessagingResponse();
    response.message(reply);
    res.type('text/xml').send(response.toString());
  });

  return router;
}

/** Reference and state only: whoever holds the phone learns no more than that. */
function statusReply(lines: ReplyLines, application: StoredApplication | undefined, publicBaseUrl: URL): string {
  if (application === undefined) return lines.noApplication;
  if (application.status === 'submitted' && application.reference !== undefined)
    return fill(lines.submitted, { reference: application.reference });
  return fill(lines.notFinished, { applyAddress: new URL('/apply', publicBaseUrl).href });
}
