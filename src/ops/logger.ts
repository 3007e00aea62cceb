import { pino, type DestinationStream, type Logger } from 'pino';
import { PERSONAL_FIELDS } from '../permits/permit-fields.ts';
import { traceIdsFor } from './spans.ts';

/**
 * Keys whose values are personal data wherever they appear in a log object:
 * the permit's personal fields plus the words Twilio, HTTP and our own code
 * use for phones, names, addresses, message bodies and free text.
 */
const PERSONAL_KEYS = [
  ...PERSONAL_FIELDS,
  'phone',
  'to',
  'from',
  'From',
  'To',
  'Caller',
  'Called',
  'CallerName',
  'email',
  'name',
  'address',
  'body',
  'Body',
  'text',
  'transcript',
  'SpeechResult',
  'cookie',
  'authorization',
  'set-cookie',
  'x-twilio-signature',
];

// pino's redaction wants explicit paths; three levels cover our log shapes
// (field, object.field, req.headers.field) without slowing every line down.
export const REDACT_PATHS = PERSONAL_KEYS.flatMap((key) => {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  return [segment.replace(/^\./, ''), `*${segment}`, `*.*${segment}`];
});

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'permitline' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Request bodies are never logged: a form post is nothing but personal data.
      serializers: { err: pino.stdSerializers.err },
      // A line written inside a traced operation names its trace and span (docs/adr/0007-tracing.md); pino merges
      // into what this returns, so it is a fresh object each time.
      mixin: (_line, _level, logger) => traceIdsFor(logger) ?? {},
    },
    destination,
  );
}
