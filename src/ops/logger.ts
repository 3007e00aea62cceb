import { pino, type DestinationStream, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
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

/** json: one object a line, for a collector; pretty: pino-pretty's coloured lines, for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * LOG_FORMAT when set; otherwise pretty only when standard output is a terminal, so a container, a pipe or a file
 * (whatever a collector reads) always gets JSON.
 */
export function logFormatFor(setting: LogFormat | undefined, stdoutIsTTY: boolean | undefined): LogFormat {
  return setting ?? (stdoutIsTTY === true ? 'pretty' : 'json');
}

/** The logger of a process (npm start, the worker, the tools): to standard output, in the format logFormatFor picks. */
export function createProcessLogger(config: { readonly logLevel: string; readonly logFormat?: LogFormat }): Logger {
  return createLogger(config.logLevel, undefined, logFormatFor(config.logFormat, process.stdout.isTTY));
}

export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  // pino redacts while it serializes, before a line reaches pino-pretty: the pretty lines hide the same values.
  const output =
    format === 'pretty'
      ? prettyStream({
          destination: destination ?? 1,
          // Written at once, so the last lines before process.exit() are not lost.
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service',
        })
      : destination;
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
    output,
  );
}
