import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { DataKey } from '../keys/data-keys.ts';
import { deriveSubkey } from '../keys/subkeys.ts';

/**
 * CSRF protection for the form: signed double-submit tokens (csrf-csrf),
 * bound to a random per-browser id cookie so a token lifted from one browser
 * is useless in another. The signing secrets are derived from the data keys
 * (one per key, so rotating keys does not break forms already on screen).
 */
const CSRF_SECRET_INFO = 'permitline csrf v1';

export function csrfSecretsFrom(keys: readonly DataKey[]): string[] {
  return keys.map((k) => deriveSubkey(k.key, CSRF_SECRET_INFO).toString('base64'));
}

export interface CsrfGuard {
  /** Gives the browser its id cookie; use on pages that render a form. */
  readonly ensureBrowserId: RequestHandler;
  readonly tokenFor: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string;
  /** Rejects a state-changing request without a valid token (403). */
  readonly protect: RequestHandler;
}

export function createCsrfGuard(options: { secrets: readonly string[]; secureCookies: boolean }): CsrfGuard {
  // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and path=/; plain http (local) cannot use it.
  const prefix = options.secureCookies ? '__Host-' : '';
  const browserIdCookie = `${prefix}permitline.bid`;
  const cookieOptions = { sameSite: 'strict', secure: options.secureCookies, path: '/', httpOnly: true } as const;
  const browserId = (req: Parameters<RequestHandler>[0]): string => {
    const cookies = req.cookies as Record<string, unknown> | undefined;
    const id = cookies?.[browserIdCookie];
    return typeof id === 'string' ? id : '';
  };

  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => [...options.secrets],
    getSessionIdentifier: browserId,
    cookieName: `${prefix}permitline.csrf`,
    cookieOptions,
    getCsrfTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
    errorConfig: {
      statusCode: 403,
      message: 'This form has expired or was not sent from our site. Please reload the form and try again.',
      code: 'EBADCSRFTOKEN',
    },
  });

  return {
    ensureBrowserId: (req, res, next) => {
      if (browserId(req) === '') {
        const id = randomUUID();
        (req.cookies as Record<string, string>)[browserIdCookie] = id;
        res.cookie(browserIdCookie, id, cookieOptions);
      }
      next();
    },
    tokenFor: (req, res) => generateCsrfToken(req, res),
    protect: doubleCsrfProtection,
  };
}
