import { isBasicGsm7 } from '../protocols/gsm7.ts';

/**
 * The text a caller asks for on the phone when the rest of the application
 * is quicker on the web: the signed resume link and how to stop texts. Only
 * basic GSM-7 characters, so it costs two segments at most.
 */
export function buildWebLinkText(link: string, validDays: number): string {
  const text = `Food permit line: finish your application online at ${link} The link works for ${validDays} days. Reply STOP to opt out.`;
  if (!isBasicGsm7(text)) throw new Error('the web link text must use only basic GSM-7 characters');
  return text;
}
