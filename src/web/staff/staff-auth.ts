import express, { type RequestHandler, type Router } from 'express';
import { hashPassword, verifyPassword } from '../../staff/password.ts';
import { normaliseUsername } from '../../store/staff-repository.ts';
import { audit, pageContext, sourceAddress, type StaffRouteDeps } from './staff-deps.ts';
import { loginPage, messagePage } from './staff-views.ts';

/**
 * Staff sign-in: a random session token in an HttpOnly, SameSite=Strict
 * cookie (Secure and __Host- behind HTTPS), checked against the database on
 * every request with idle and absolute limits; failed sign-ins are throttled
 * per account and per address; errors never say whether an account exists.
 */

const LOGIN_PATH = '/staff/login';

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-permitline.staff' : 'permitline.staff';
}

/** Where to go after signing in: only our own staff pages, never an open redirect. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/staff\/[\w/?=&.%-]*$/.test(value) && !value.startsWith('//')
    ? value
    : '/staff/calls';
}

export function staffSessionCheck(deps: StaffRouteDeps): RequestHandler {
  const cookie = sessionCookieName(deps.secureCookies);
  return (req, res, next) => {
    const token = (req.cookies as Record<string, unknown> | undefined)?.[cookie];
    const toLogin = (query: string): void => {
      const nextPath = req.method === 'GET' ? `next=${encodeURIComponent(req.originalUrl)}` : '';
      res.redirect(303, `${LOGIN_PATH}?${[query, nextPath].filter((q) => q !== '').join('&')}`);
    };
    if (typeof token !== 'string' || token === '') {
      toLogin('');
      return;
    }
    deps.sessions.check(token, deps.sessionLimits).then((check) => {
      if (check.kind === 'active') {
        res.locals.staff = { user: check.user, sessionId: check.sessionId };
        next();
        return;
      }
      res.clearCookie(cookie, { path: '/' });
      toLogin(check.kind === 'expired' ? `signedOut=${check.reason}` : '');
    }, next);
  };
}

export function requireAdmin(deps: StaffRouteDeps): RequestHandler {
  return (req, res, next) => {
    const staff = (res.locals as { staff?: { user: { role: string } } }).staff;
    if (staff?.user.role === 'admin') {
      next();
      return;
    }
    res
      .status(403)
      .type('html')
      .send(messagePage('Not allowed', 'This page is for administrators.', pageContext(deps, req, res)));
  };
}

const SIGNED_OUT_NOTICES: Readonly<Record<string, string>> = {
  idle: 'You were signed out after a period without activity. Please sign in again.',
  absolute: 'Your session reached its time limit. Please sign in again.',
  yes: 'You are signed out.',
};

export function staffAuthRoutes(deps: StaffRouteDeps): Router {
  const router = express.Router();
  const cookie = sessionCookieName(deps.secureCookies);
  // Checked for unknown usernames too, so a wrong name costs the same time as a wrong password.
  let decoy: Promise<string> | undefined;

  router.get(LOGIN_PATH, deps.csrf.ensureBrowserId, (req, res) => {
    const notice = typeof req.query.signedOut === 'string' ? SIGNED_OUT_NOTICES[req.query.signedOut] : undefined;
    res.set('Cache-Control', 'no-store');
    res.type('html').send(
      loginPage(deps.csrf.tokenFor(req, res), {
        ...(notice === undefined ? {} : { notice }),
        next: safeNext(req.query.next),
      }),
    );
  });

  router.post(LOGIN_PATH, deps.csrf.protect, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    // Cut to the longest username there can be: the rest of a pasted essay is not an account name.
    const username = typeof body.username === 'string' ? normaliseUsername(body.username).slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const address = sourceAddress(req);
    const again = (status: number, error: string): void => {
      res
        .status(status)
        .type('html')
        .send(loginPage(deps.csrf.tokenFor(req, res), { error, username, next }));
    };
    // The attempt is counted before the password is tried, so sign-ins sent at once cannot outrun the limit.
    const verdict = await deps.throttle.attempt(username, address);
    if (!verdict.allowed) {
      await deps.audit.append({
        actor: username || 'unknown',
        action: 'staff.sign-in-locked',
        subject: `username:${username}`,
        sourceAddress: address,
      });
      const minutes = Math.max(1, Math.ceil(verdict.retryAfterMs / 60_000));
      res.set('Retry-After', String(Math.ceil(verdict.retryAfterMs / 1000)));
      again(
        429,
        `Too many failed sign-ins. Sign-in is locked for ${minutes} minute${minutes === 1 ? '' : 's'}; try again after that, or ask an administrator.`,
      );
      return;
    }
    const user = await deps.users.findByUsername(username);
    decoy ??= hashPassword('decoy password that matches nothing');
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoy));
    if (user === undefined || user.disabled || !matches) {
      await deps.throttle.recordFailure(username, address);
      await deps.audit.append({
        actor: username || 'unknown',
        action: 'staff.sign-in-failed',
        subject: `username:${username}`,
        sourceAddress: address,
      });
      again(401, 'The username or password is not right.');
      return;
    }
    await deps.throttle.recordSuccess(username, address);
    const session = await deps.sessions.create(user.id);
    // Sessions nobody came back to are swept here, where sign-ins are rare enough for it to cost nothing.
    await deps.sessions.deleteExpired(deps.sessionLimits);
    await deps.audit.append({
      actor: user.username,
      action: 'staff.sign-in',
      subject: `user:${user.id}`,
      sourceAddress: address,
      detail: { username: user.username },
    });
    res.cookie(cookie, session.token, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, path: '/' });
    res.redirect(303, next);
  });

  router.post('/staff/logout', deps.csrf.protect, staffSessionCheck(deps), async (req, res) => {
    const token = (req.cookies as Record<string, string>)[cookie] ?? '';
    await audit(deps, req, res, { action: 'staff.sign-out', subject: 'session' });
    await deps.sessions.revoke(token);
    res.clearCookie(cookie, { path: '/' });
    res.redirect(303, `${LOGIN_PATH}?signedOut=yes`);
  });

  return router;
}
