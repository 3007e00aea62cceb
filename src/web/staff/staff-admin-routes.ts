import express, { type Request, type Response, type Router } from 'express';
import { hashPassword, passwordProblem } from '../../staff/password.ts';
import { parseCallSearch } from '../../store/staff-call-directory.ts';
import { normaliseUsername, usernameProblem, type StaffRole } from '../../store/staff-repository.ts';
import { audit, pageContext, signedIn, type StaffRouteDeps } from './staff-deps.ts';
import { requireAdmin } from './staff-auth.ts';
import { auditPage, erasePage, usersPage } from './staff-views.ts';

/**
 * Administrators only: staff accounts, the audit log and erasure. Every
 * change is in the audit log; the log itself is verified each time it is read.
 */

const AUDIT_PAGE_SIZE = 100;

export function staffAdminRoutes(deps: StaffRouteDeps): Router {
  const router = express.Router();
  const admin = requireAdmin(deps);

  const showUsers = async (
    req: Request,
    res: Response,
    status: number,
    message?: { kind: 'notice' | 'error'; text: string },
  ): Promise<void> => {
    res.set('Cache-Control', 'no-store');
    res
      .status(status)
      .type('html')
      .send(usersPage(await deps.users.list(), pageContext(deps, req, res), message));
  };

  router.get('/staff/users', admin, async (req, res) => {
    await showUsers(req, res, 200);
  });

  router.post('/staff/users', admin, deps.csrf.protect, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const username = typeof body.username === 'string' ? normaliseUsername(body.username) : '';
    const role: StaffRole = body.role === 'admin' ? 'admin' : 'staff';
    const password = typeof body.password === 'string' ? body.password : '';
    const problem = usernameProblem(username) ?? passwordProblem(password);
    if (problem !== undefined) {
      await showUsers(req, res, 400, { kind: 'error', text: problem });
      return;
    }
    const added = await deps.users.add(username, role, await hashPassword(password));
    if (added === undefined) {
      await showUsers(req, res, 409, {
        kind: 'error',
        text: `There is already a staff user named ${username}; reset their password instead.`,
      });
      return;
    }
    await audit(deps, req, res, {
      action: 'staff.add',
      subject: `user:${added.id}`,
      detail: { username: added.username, role },
    });
    await showUsers(req, res, 201, { kind: 'notice', text: `Added ${added.username} (${role}).` });
  });

  router.post(
    '/staff/users/:username/:change',
    admin,
    deps.csrf.protect,
    async (req: Request<{ username: string; change: string }>, res) => {
      // Named as the repository names it: "Avery.Admin" in the address is avery.admin's own account.
      const username = normaliseUsername(req.params.username);
      const { change } = req.params;
      const me = signedIn(res).user;
      if (change === 'disable' || change === 'enable') {
        if (username === me.username) {
          await showUsers(req, res, 400, {
            kind: 'error',
            text: 'You cannot disable your own account; ask another administrator.',
          });
          return;
        }
        const user = await deps.users.setDisabled(username, change === 'disable');
        if (user === undefined) {
          await showUsers(req, res, 404, { kind: 'error', text: `There is no staff user named ${username}.` });
          return;
        }
        const sessionsEnded = change === 'disable' ? await deps.sessions.revokeAllOf(user.id) : 0;
        // The same actions and details as npm run staff, so the log reads the same whichever was used.
        await audit(deps, req, res, {
          action: `staff.${change}`,
          subject: `user:${user.id}`,
          detail: { username: user.username, ...(change === 'disable' ? { sessionsEnded } : {}) },
        });
        await showUsers(req, res, 200, { kind: 'notice', text: `${user.username} is ${change}d.` });
        return;
      }
      if (change === 'reset-password') {
        const password =
          typeof (req.body as Record<string, unknown>).password === 'string'
            ? String((req.body as Record<string, unknown>).password)
            : '';
        const problem = passwordProblem(password);
        if (problem !== undefined) {
          await showUsers(req, res, 400, { kind: 'error', text: problem });
          return;
        }
        const user = await deps.users.setPassword(username, await hashPassword(password));
        if (user === undefined) {
          await showUsers(req, res, 404, { kind: 'error', text: `There is no staff user named ${username}.` });
          return;
        }
        const sessionsEnded = await deps.sessions.revokeAllOf(user.id);
        await audit(deps, req, res, {
          action: 'staff.reset-password',
          subject: `user:${user.id}`,
          detail: { username: user.username, sessionsEnded },
        });
        await showUsers(req, res, 200, {
          kind: 'notice',
          text: `${user.username}'s password is reset; they are signed out everywhere.`,
        });
        return;
      }
      await showUsers(req, res, 404, { kind: 'error', text: 'There is no such change.' });
    },
  );

  router.get('/staff/audit', admin, async (req, res) => {
    const before = typeof req.query.before === 'string' ? Number.parseInt(req.query.before, 10) : Number.NaN;
    const records = await deps.audit.page({ ...(Number.isFinite(before) ? { before } : {}), limit: AUDIT_PAGE_SIZE });
    const verification = await deps.audit.verify();
    await audit(deps, req, res, { action: 'audit.view', subject: 'audit log' });
    const last = records.at(-1);
    res.set('Cache-Control', 'no-store');
    res
      .type('html')
      .send(
        auditPage(
          records,
          verification,
          records.length === AUDIT_PAGE_SIZE && last !== undefined ? last.seq : undefined,
          pageContext(deps, req, res),
        ),
      );
  });

  router.get('/staff/erase', admin, (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.type('html').send(erasePage(pageContext(deps, req, res)));
  });

  router.post('/staff/erase', admin, deps.csrf.protect, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const targetText = typeof body.target === 'string' ? body.target.trim().slice(0, 64) : '';
    const target = parseCallSearch(targetText);
    const context = pageContext(deps, req, res);
    if (target === undefined) {
      res
        .status(400)
        .type('html')
        .send(
          erasePage(
            context,
            { kind: 'error', text: 'Give a reference such as FP-2026-ABC234 or a phone number such as 312-555-0142.' },
            targetText,
          ),
        );
      return;
    }
    if (body.confirm !== 'yes') {
      res
        .status(400)
        .type('html')
        .send(
          erasePage(
            context,
            { kind: 'error', text: 'Tick the box to confirm that the erasure cannot be undone.' },
            targetText,
          ),
        );
      return;
    }
    const result = await deps.erasure.find(target);
    let recordings = 0;
    // Recordings first, as the retention job does: should their store fail (a bucket down), the rows are still
    // there, so the same erasure asked again finds the calls and their recordings.
    for (const callSid of result.callSids) if (await deps.recordings.erase(callSid)) recordings += 1;
    await deps.erasure.eraseRecords(result);
    // The subject names a reference, never the phone number being erased.
    await audit(deps, req, res, {
      action: 'applicant.erased',
      subject: 'reference' in target ? `reference:${target.reference}` : 'by phone number',
      detail: { applications: result.applicationIds.length, calls: result.callSids.length, recordings },
    });
    const found = result.applicationIds.length + result.callSids.length > 0;
    res
      .status(found ? 200 : 404)
      .type('html')
      .send(
        erasePage(
          context,
          found
            ? {
                kind: 'notice',
                text: `Erased: ${result.applicationIds.length} application(s), ${result.callSids.length} call(s), ${recordings} recording(s).`,
              }
            : { kind: 'error', text: 'Nothing matches that reference or number; nothing was erased.' },
        ),
      );
  });

  return router;
}
