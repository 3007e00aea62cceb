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
  ...['HELP', 'INFO'].map((w) => [w, 'help'] as const),
  ['STATUS', 'status'],
]);

export function smsKeyword(body: string): SmsKeyword {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .trim()
    .toUpperCase();
  return KEYWORDS.get(word) ?? 'other';
}
