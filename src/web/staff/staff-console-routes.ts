import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response, type Router } from 'express';
import {
  CALL_OUTCOMES,
  parseCallSearch,
  type CallListQuery,
  type CallOutcome,
} from '../../store/staff-call-directory.ts';
import { RecordingPlays } from './recording-plays.ts';
import { audit, pageContext, signedIn, type StaffRouteDeps } from './staff-deps.ts';
import { todayIn } from '../../permits/field-inputs.ts';
import { nextDay, startOfDayIn, startOfHourIn } from './staff-time.ts';
import { applicationPage, callDetailPage, callListPage, messagePage } from './staff-views.ts';
import { livePage, type HourCount } from './live-views.ts';

/**
 * What every signed-in staff member may read: the calls list, a call with its
 * transcript and recording, and an application. Each view of personal data is
 * in the audit log before the page goes out.
 */

const PAGE_SIZE = 25;
const CALL_SID = /^CA[0-9a-f]{32}$/;
const APPLICATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// The replay page alone runs a script (our own) and plays media (our own).
const REPLAY_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// Often enough to follow a call from greeting to read-back; seldom enough that an open page costs nothing.
const LIVE_REFRESH_SECONDS = 15;
const HOUR_MS = 3_600_000;

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, 100) : '';
}

export function staffConsoleRoutes(deps: StaffRouteDeps): Router {
  const router = express.Router();
  const plays = new RecordingPlays();
  // The live page reloads itself every few seconds: one audit entry per sign-in session per play-session window
  // (as a recording's fetches), not one per reload.
  const liveViews = new RecordingPlays();

  // A malformed id and an unknown one get the same answer: guessing reveals nothing.
  const notFound = (req: Request, res: Response): void => {
    res
      .status(404)
      .type('html')
      .send(messagePage('Not found', 'There is nothing at this address.', pageContext(deps, req, res)));
  };

  router.get('/staff', (_req, res) => {
    res.redirect(303, '/staff/calls');
  });

  router.get('/staff/calls', async (req, res) => {
    const filters = {
      from: text(req.query.from),
      to: text(req.query.to),
      outcome: text(req.query.outcome),
      q: text(req.query.q),
    };
    const page = Math.max(1, Math.min(10_000, Number.parseInt(text(req.query.page), 10) || 1));
    const problems: string[] = [];
    const startedFrom = filters.from === '' ? undefined : startOfDayIn(filters.from, deps.timeZone);
    const startedBefore = filters.to === '' ? undefined : startOfDayIn(nextDay(filters.to), deps.timeZone);
    if (filters.from !== '' && startedFrom === undefined)
      problems.push('The "from" date is not a date; use the date picker or YYYY-MM-DD.');
    if (filters.to !== '' && startedBefore === undefined)
      problems.push('The "to" date is not a date; use the date picker or YYYY-MM-DD.');
    const outcome = (CALL_OUTCOMES as readonly string[]).includes(filters.outcome)
      ? (filters.outcome as CallOutcome)
      : undefined;
    const search = filters.q === '' ? undefined : parseCallSearch(filters.q);
    if (filters.q !== '' && search === undefined)
      problems.push('Search by a reference such as FP-2026-ABC234 or by a phone number such as 312-555-0142.');
    const query: CallListQuery = { startedFrom, startedBefore, outcome, search, page, pageSize: PAGE_SIZE };
    const result = problems.length > 0 ? { entries: [], hasMore: false } : await deps.directory.list(query);
    // The list shows masked numbers only; a search by phone is itself a use of personal data.
    await audit(deps, req, res, {
      action: 'calls.list',
      subject:
        search === undefined ? 'all calls' : 'reference' in search ? `reference:${search.reference}` : 'phone search',
      detail: { page, results: result.entries.length },
    });
    res.set('Cache-Control', 'no-store');
    res
      .type('html')
      .send(
        callListPage(
          { entries: result.entries, filters, page, hasMore: result.hasMore, problem: problems.join(' ') || undefined },
          pageContext(deps, req, res),
        ),
      );
  });

  router.get('/staff/live', async (req, res) => {
    const now = new Date();
    const day = todayIn(deps.timeZone, now);
    const dayStart = startOfDayIn(day, deps.timeZone) ?? now;
    const firstHour = new Date(startOfHourIn(now, deps.timeZone).getTime() - 23 * HOUR_MS);
    const [live, today, perHour] = await Promise.all([
      deps.operations.liveCalls(now),
      deps.operations.dayFigures(dayStart),
      deps.operations.callsPerHour(firstHour, 24),
    ]);
    // Like the calls list: masked numbers only, but a view of who is calling all the same.
    await liveViews.audited(signedIn(res).sessionId, 'live', () =>
      audit(deps, req, res, { action: 'calls.live', subject: 'live calls', detail: { live: live.length } }),
    );
    const hours: HourCount[] = perHour.map((calls, index) => ({
      start: new Date(firstHour.getTime() + index * HOUR_MS),
      calls,
    }));
    res.set('Cache-Control', 'no-store');
    res
      .type('html')
      .send(
        livePage(
          { now, day, live, today, hours, refreshSeconds: LIVE_REFRESH_SECONDS, reloading: req.query.refresh === 'on' },
          pageContext(deps, req, res),
        ),
      );
  });

  router.get('/staff/calls/:callSid', async (req, res) => {
    const { callSid } = req.params;
    const call = CALL_SID.test(callSid) ? await deps.directory.find(callSid) : undefined;
    if (call === undefined) {
      notFound(req, res);
      return;
    }
    await audit(deps, req, res, { action: 'call.view', subject: `call:${callSid}` });
    const transcript = call.erased ? [] : await deps.calls.transcript(callSid);
    res.set('Cache-Control', 'no-store');
    res.set('Content-Security-Policy', REPLAY_CSP);
    res.type('html').send(callDetailPage({ call, transcript }, pageContext(deps, req, res)));
  });

  router.get('/staff/calls/:callSid/recording', async (req, res) => {
    const { callSid } = req.params;
    const call = CALL_SID.test(callSid) ? await deps.directory.find(callSid) : undefined;
    const wav =
      call === undefined || call.erased || call.recordingMs === undefined
        ? undefined
        : await deps.recordings.open(callSid);
    if (wav === undefined) {
      notFound(req, res);
      return;
    }
    const range = parseRange(req.headers.range, wav.byteLength);
    // A player fetches in many ranges: every fetch that serves audio is covered by its play session's entry.
    if (range !== 'unsatisfiable')
      await plays.audited(signedIn(res).sessionId, callSid, () =>
        audit(deps, req, res, { action: 'recording.play', subject: `call:${callSid}` }),
      );
    res.set({ 'Cache-Control': 'no-store', 'Accept-Ranges': 'bytes', 'Content-Type': 'audio/wav' });
    if (range === 'unsatisfiable') {
      res.status(416).set('Content-Range', `bytes */${wav.byteLength}`).end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: wav.byteLength - 1 };
    if (range !== undefined) res.status(206).set('Content-Range', `bytes ${start}-${end}/${wav.byteLength}`);
    res.set('Content-Length', String(end - start + 1));
    await sendAuthenticated(res, wav.read(start, end));
  });

  router.get('/staff/applications/:id', async (req, res) => {
    const { id } = req.params;
    const application = APPLICATION_ID.test(id) ? await deps.applications.find(id) : undefined;
    if (application === undefined) {
      notFound(req, res);
      return;
    }
    await audit(deps, req, res, { action: 'application.view', subject: `application:${id}` });
    const [calls, texts, erasedAt] = await Promise.all([
      deps.directory.callsOfApplication(id),
      deps.applications.outboxFor(id),
      deps.directory.applicationErasedAt(id),
    ]);
    res.set('Cache-Control', 'no-store');
    res.type('html').send(applicationPage({ application, calls, texts, erasedAt }, pageContext(deps, req, res)));
  });

  return router;
}

/**
 * Sends a recording's chunks as they are decrypted and authenticated, never the whole file at once. The first
 * chunk is read before anything is sent, so a recording that fails at once gets the error page; one that fails
 * later (a chunk altered on disk) ends the response short, which the player reports as an error.
 */
async function sendAuthenticated(res: Response, chunks: AsyncIterable<Buffer>): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  const rest = async function* (): AsyncGenerator<Buffer> {
    try {
      if (first.done !== true) yield first.value;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  };
  try {
    await pipeline(Readable.from(rest()), res);
  } catch (error) {
    // A player drops a response whenever it seeks: that is not a failure.
    if (error instanceof Error && 'code' in error && error.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    // The status line went out with the first chunk: all that is left is to cut the response and say why.
    res.destroy();
    res.req.log.error({ err: error }, 'recording playback stopped: a chunk could not be read');
  }
}

/** One `bytes=` range (what audio elements ask for); several ranges are answered whole, as RFC 9110 allows. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return end < start ? 'unsatisfiable' : { start, end };
}
