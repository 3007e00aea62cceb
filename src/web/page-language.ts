import type { Request, RequestHandler } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language } from '../permits/language.ts';

/**
 * Which language an applicant's page is in: the one they chose with the switch on the page (`?lang=`, then kept
 * in a cookie), or the one the form they post was shown in, else the browser's Accept-Language (any "es-…" is
 * Spanish), else English.
 */

export const LANGUAGE_PARAM = 'lang';
const LANGUAGE_COOKIE = 'permitline.lang';
// A choice made once is kept for a season of applying, not for ever.
const LANGUAGE_COOKIE_MAX_AGE_MS = 180 * 24 * 60 * 60 * 1000;

export function pageLanguage(req: Request): Language {
  const chosen = chosenLanguage(req);
  if (chosen !== undefined) return chosen;
  if (req.headers['accept-language'] === undefined) return DEFAULT_LANGUAGE;
  // Negotiation by quality, where "es-MX" matches "es"; the first listed (English) wins a tie or "*".
  const accepted = req.acceptsLanguages([...LANGUAGES]);
  return isLanguage(accepted) ? accepted : DEFAULT_LANGUAGE;
}

/** The language the applicant chose (the switch, its cookie, or the form they post), if they did. */
export function chosenLanguage(req: Request): Language | undefined {
  const chosen = req.query[LANGUAGE_PARAM];
  if (isLanguage(chosen)) return chosen;
  const body = req.body as Record<string, unknown> | undefined;
  if (isLanguage(body?.[LANGUAGE_PARAM])) return body[LANGUAGE_PARAM];
  // Pages served before the cookie parser (the status page) have no cookies to read.
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const kept = cookies?.[LANGUAGE_COOKIE] ?? cookies?.[`__Host-${LANGUAGE_COOKIE}`];
  return isLanguage(kept) ? kept : undefined;
}

/** Keeps the language chosen with the switch, so the pages that follow are in it too. */
export function rememberLanguageChoice(options: { secureCookies: boolean }): RequestHandler {
  // The __Host- prefix, as for the form's own cookies (csrf.ts), where the site is served over https.
  const name = options.secureCookies ? `__Host-${LANGUAGE_COOKIE}` : LANGUAGE_COOKIE;
  return (req, res, next) => {
    const chosen = req.query[LANGUAGE_PARAM];
    if (isLanguage(chosen)) {
      res.cookie(name, chosen, {
        sameSite: 'lax',
        secure: options.secureCookies,
        path: '/',
        httpOnly: true,
        maxAge: LANGUAGE_COOKIE_MAX_AGE_MS,
      });
    }
    next();
  };
}

/** The address of `here` (a path with its query) shown in `language`. */
export function inLanguage(here: string, language: Language): string {
  const url = new URL(here, 'http://page.invalid');
  url.searchParams.set(LANGUAGE_PARAM, language);
  return `${url.pathname}${url.search}`;
}
