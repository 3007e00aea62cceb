import type { RequestHandler } from 'express';
import twilio from 'twilio';
import type { SignedWebhook } from '../ops/service-metrics.ts';
import { redactedUrl } from './request-log.ts';
import { noteRefusedWebhook } from './request-metrics.ts';

/**
 * Rejects any webhook not signed by Twilio with our auth token (403). The
 * URL checked is the configured public one plus the path and query: behind
 * a proxy the Host header is not what Twilio signed.
 */
export function requireTwilioSignature(authToken: string, publicBaseUrl: URL): RequestHandler {
  return (req, res, next) => {
    const signature = req.header('x-twilio-signature');
    const url = new URL(req.originalUrl, publicBaseUrl).href;
    const params = (req.body ?? {}) as Record<string, unknown>;
    if (signature === undefined || !twilio.validateRequest(authToken, signature, url, params)) {
      // Twilio signs the exact URL it called. Most refusals are that URL not being the one checked here
      // (PUBLIC_BASE_URL another host, scheme or port than the number's webhook), not a forgery: the line names
      // the URL checked, its personal query values replaced; never the token or the signature.
      req.log.warn(
        { security: true, path: req.path, signed: signature !== undefined, checkedUrl: redactedUrl(url) },
        'webhook refused: bad or missing Twilio signature. The signature was checked over checkedUrl; ' +
          'the usual cause is PUBLIC_BASE_URL not matching the address Twilio calls (the number’s webhook URL)',
      );
      noteRefusedWebhook(res, signedWebhookOf(req.path));
      res.status(403).type('text/plain').send('Forbidden: the request is not signed by Twilio.');
      return;
    }
    next();
  };
}

/** Which of Twilio's webhooks a path is, as the metrics name them (the stream's status callback counts with the call's). */
export function signedWebhookOf(path: string): SignedWebhook {
  if (path.startsWith('/twilio/ivr')) return 'ivr';
  switch (path) {
    case '/twilio/voice':
      return 'voice';
    case '/twilio/voice/after-stream':
      return 'connect-action';
    case '/twilio/sms':
      return 'sms';
    case '/twilio/sms/status':
      return 'sms-status';
    default:
      return 'call-status';
  }
}
