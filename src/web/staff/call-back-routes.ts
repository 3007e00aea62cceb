import express, { type Request, type Response, type Router } from 'express';
import { audit, pageContext, signedIn, type StaffRouteDeps } from './staff-deps.ts';
import { callBacksPage, type CallBacksView } from './call-back-views.ts';

/**
 * Call-back requests, for every signed-in staff member: the open list (the
 * numbers in full, so the view is in the audit log before the page goes out)
 * and "done", a CSRF-protected form post, audited like every other action.
 */

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function callBackRoutes(deps: StaffRouteDeps): Router {
  const router = express.Router();

  const show = async (req: Request, res: Response, status: number, message?: CallBacksView['message']) => {
    const open = await deps.callBacks.listOpen();
    await audit(deps, req, res, {
      action: 'call-backs.list',
      subject: 'open call backs',
      detail: { open: open.length },
    });
    res.set('Cache-Control', 'no-store');
    res
      .status(status)
      .type('html')
      .send(callBacksPage({ open, message }, pageContext(deps, req, res)));
  };

  router.get('/staff/call-backs', async (req, res) => {
    await show(req, res, 200);
  });

  router.post('/staff/call-backs/:id/done', deps.csrf.protect, async (req: Request<{ id: string }>, res) => {
    const { id } = req.params;
    const request = REQUEST_ID.test(id) ? await deps.callBacks.find(id) : undefined;
    if (request === undefined) {
      await show(req, res, 404, { kind: 'error', text: 'There is no such call-back request.' });
      return;
    }
    const marked = await deps.callBacks.markDone(id, signedIn(res).user.username);
    if (marked)
      await audit(deps, req, res, {
        action: 'call-back.done',
        subject: `call-back:${id}`,
        detail: { call: request.callSid },
      });
    // Two people may press Done at once: the second is told, and nothing changes.
    const text = marked ? 'Marked as called back.' : `Already marked done by ${request.doneBy ?? 'someone else'}.`;
    await show(req, res, 200, { kind: 'notice', text });
  });

  return router;
}
