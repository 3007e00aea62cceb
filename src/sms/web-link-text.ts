import type { Language } from '../permits/language.ts';
import { isBasicGsm7, toGsm7 } from '../protocols/gsm7.ts';

/**
 * The text an applicant asks for (on the phone, or from the web form's "save and finish later") when the rest of
 * the application is quicker on the web: the signed resume link and how to stop texts. Only basic GSM-7
 * characters, so it costs two segments at most; a Spanish line loses the accents GSM-7 lacks (toGsm7). STOP stays
 * English in every language: it is the keyword Twilio and the carriers act on.
 */
const WEB_LINK_LINES = {
  en: 'Food permit line: finish your application online at {link} The link works for {days} days. Reply STOP to opt out.',
  es: 'Línea de permisos de comida: termine su solicitud en línea en {link} El enlace funciona durante {days} días. Responda STOP para no recibir mensajes.',
} as const satisfies Record<Language, string>;

export function buildWebLinkText(link: string, validDays: number, language: Language = 'en'): string {
  const text = toGsm7(WEB_LINK_LINES[language]).replace('{link}', link).replace('{days}', String(validDays));
  if (!isBasicGsm7(text)) throw new Error('the web link text must use only basic GSM-7 characters');
  return text;
}
