import express, { type Request, type Response, type Router } from 'express';
import { isSwitchName } from '../../store/service-switches.ts';
import { requireAdmin } from './staff-auth.ts';
import { pageContext, signedIn, sourceAddress, type StaffRouteDeps } from './staff-deps.ts';
import { SWITCH_LABELS, switchesPage, type SwitchesView } from './switch-views.ts';

/**
 * The kill switches, for administrators: the page, and a CSRF-protected post
 * that turns one on or off. The switches' repository writes the audit entry
 * (the same one `npm run voice` / `npm run sms` write, with the staff
 * username as the actor).
 */

export function switchRoutes(deps: StaffRouteDeps): Router {
  const router = express.Router();
  const admin = requireAdmin(deps);

  const show = async (req: Request, res: Response, status: number, message?: SwitchesView['message']) => {
    res.set('Cache-Control', 'no-store');
    res
      .status(status)
      .type('html')
      .send(switchesPage({ switches: await deps.switches.list(), message }, pageContext(deps, req, res)));
  };

  router.get('/staff/switches', admin, async (req, res) => {
    await show(req, res, 200);
  });

  router.post('/staff/switches/:name', admin, deps.csrf.protect, async (req: Request<{ name: string }>, res) => {
    const { name } = req.params;
    if (!isSwitchName(name)) {
      await show(req, res, 404, { kind: 'error', text: 'There is no such switch.' });
      return;
    }
    const body = req.body as Record<string, unknown>;
    const state = body.state;
    if (state !== 'on' && state !== 'off') {
      await show(req, res, 400, { kind: 'error', text: 'Choose on or off; nothing was changed.' });
      return;
    }
    const { changed, status } = await deps.switches.set(name, state, {
      actor: signedIn(res).user.username,
      sourceAddress: sourceAddress(req),
      reason: typeof body.reason === 'string' ? body.reason : undefined,
    });
    const title = SWITCH_LABELS[name].title;
    // Two admins may press at once, or the command line got there first: the second is told, and nothing changes.
    const text = changed
      ? `${title} is ${state}.`
      : `${title} was already ${state}${status.changedBy === undefined ? '' : ` (last changed by ${status.changedBy})`}; nothing was changed.`;
    await show(req, res, 200, { kind: 'notice', text });
  });

  return router;
}
