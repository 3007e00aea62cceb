/**
 * What an inbound text asks for. The opt-out and opt-in words are the ones
 * Twilio and US carriers honour by default; a message counts as a keyword
 * only when it is that word alone (any case, surrounding spaces and a final
 * full stop or exclamation mark ignored), as carriers match them.
 */

export type SmsKeyword = 'stop' | 'start' | 'help' | 'status' | 'other';

const KEYWORDS: ReadonlyMap<string, SmsKeyword> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'].map((w) => [w, 'stop'] as const),
  ...['START', 'YES', 'UNSTOP', 'OPTIN'].map((w) => [w, 'start'] as const),
  ...['HELP', 'INFO', 'AYUDA'].map((w) => [w, 'help'] as const),
  ...['STATUS', 'ESTADO'].map((w) => [w, 'status'] as const),
]);

/**
 * The Spanish words for help and status. The opt-out and opt-in words stay English only: they are the ones Twilio
 * and the carriers act on, and a Spanish "stop" we honoured alone would leave the carrier's record saying otherwise.
 */
const SPANISH_WORDS: ReadonlySet<string> = new Set(['AYUDA', 'ESTADO']);

function wordOf(body: string): string {
  return body
    .trim()
    .replace(/[.!]+$/, '')
    .trim()
    .toUpperCase();
}

export function smsKeyword(body: string): SmsKeyword {
  return KEYWORDS.get(wordOf(body)) ?? 'other';
}

/** 'es' when the text is a Spanish keyword (AYUDA, ESTADO): the reply is then Spanish whatever else is known. */
export function keywordLanguage(body: string): 'es' | undefined {
  return SPANISH_WORDS.has(wordOf(body)) ? 'es' : undefined;
}
