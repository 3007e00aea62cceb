import type { Request, Response } from 'express';
import type { PermitRulesContext } from '../../permits/permit-fields.ts';
import type { LoginThrottle } from '../../staff/login-throttle.ts';
import type { ApplicantErasure } from '../../store/applicant-erasure.ts';
import type { ApplicationRepository } from '../../store/application-repository.ts';
import type { AuditEntry, AuditLog } from '../../store/audit-log.ts';
import type { CallBackRequests } from '../../store/call-back-requests.ts';
import type { CallOperations } from '../../store/call-operations.ts';
import type { CallRepository } from '../../store/call-repository.ts';
import type { ServiceSwitches } from '../../store/service-switches.ts';
import type { StaffCallDirectory } from '../../store/staff-call-directory.ts';
import type { StaffRepository, StaffUser } from '../../store/staff-repository.ts';
import type { SessionLimits, StaffSessionRepository } from '../../store/staff-session-repository.ts';
import type { CsrfGuard } from '../csrf.ts';
import type { StaffPageContext } from './staff-views.ts';

/** A recording's WAV: its length, and its bytes `start` to `end` inclusive, each chunk authenticated before it comes. */
export interface PlayableRecording {
  readonly byteLength: number;
  read(start: number, end: number): AsyncIterable<Buffer>;
}

/** What the staff console is given by the composition root. */
export interface StaffConsoleDeps {
  readonly users: StaffRepository;
  readonly sessions: StaffSessionRepository;
  readonly throttle: LoginThrottle;
  readonly audit: AuditLog;
  /** The operator's kill switches (voice-ai, sms-sending): admins see and set them on the Switches page. */
  readonly switches: Pick<ServiceSwitches, 'list' | 'set'>;
  readonly calls: CallRepository;
  readonly directory: StaffCallDirectory;
  /** The live page's figures: calls in progress, the day so far, calls per hour. */
  readonly operations: CallOperations;
  readonly applications: ApplicationRepository;
  readonly erasure: ApplicantErasure;
  /** Callers waiting for staff to call them back (keypad 0 out of hours). */
  readonly callBacks: Pick<CallBackRequests, 'listOpen' | 'find' | 'markDone'>;
  /** Recordings, opened to be read by ranges (CallRecordings: decrypted a chunk at a time); erase deletes one. */
  readonly recordings: {
    open(callSid: string): Promise<PlayableRecording | undefined>;
    erase(callSid: string): Promise<boolean>;
  };
  readonly sessionLimits: SessionLimits;
  readonly timeZone: string;
  readonly permits: PermitRulesContext;
}

export interface StaffRouteDeps extends StaffConsoleDeps {
  readonly csrf: CsrfGuard;
  readonly secureCookies: boolean;
}

/** Set by the session check on every staff page. */
export interface SignedIn {
  readonly user: StaffUser;
  readonly sessionId: string;
}

export function signedIn(res: Response): SignedIn {
  const staff = (res.locals as { staff?: SignedIn }).staff;
  if (staff === undefined) throw new Error('staff route reached without the session check');
  return staff;
}

export function pageContext(deps: StaffRouteDeps, req: Request, res: Response): StaffPageContext {
  return {
    user: signedIn(res).user,
    csrfToken: deps.csrf.tokenFor(req, res),
    timeZone: deps.timeZone,
    permits: deps.permits,
  };
}

/** Every view of personal data and every admin action, written before the page is sent: no record, no page. */
export function audit(
  deps: StaffRouteDeps,
  req: Request,
  res: Response,
  entry: Omit<AuditEntry, 'actor' | 'sourceAddress'>,
): Promise<unknown> {
  return deps.audit.append({ ...entry, actor: signedIn(res).user.username, sourceAddress: sourceAddress(req) });
}

export function sourceAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
