import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { AppError } from '../errors.ts';
import { catalogueFor } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import type { ApplicationService } from '../intake/application-service.ts';
import { healthRoutes, type HealthState, type ReadinessCheck } from '../ops/health.ts';
import type { PermitRules } from '../permits/permit-rules.ts';
import { limitByAddress, type AddressLimits } from './address-limits.ts';
import { applyRoutes } from './apply-routes.ts';
import { errorPage } from './apply-views.ts';
import { createCsrfGuard } from './csrf.ts';
import type { Department } from './html.ts';
import { redactedRequest, redactedResponse } from './request-log.ts';
import { countRequests, type RequestMetricsSource } from './request-metrics.ts';
import { requestSpans } from './request-spans.ts';
import { pageLanguage, rememberLanguageChoice } from './page-language.ts';
import { privacyRoutes, type PrivacyNoticeFacts } from './privacy-notice.ts';
import { resumeRoutes, type ResumeRoutesDeps } from './resume-routes.ts';
import { reviewRoutes, type ReviewRoutesDeps } from './review-routes.ts';
import { saveRoutes } from './save-routes.ts';
import type { StaffConsoleDeps } from './staff/staff-deps.ts';
import { staffRoutes } from './staff/staff-routes.ts';

export interface AppDeps {
  readonly logger: Logger;
  readonly applications: ApplicationService;
  readonly rules: PermitRules;
  readonly csrfSecrets: readonly string[];
  readonly publicBaseUrl: URL;
  readonly health: HealthState;
  readonly databaseReady: ReadinessCheck;
  readonly trustProxy?: string | undefined;
  /**
   * Twilio's webhooks: the call path, the keypad IVR, messaging. Each is a signed form post with its own small
   * body parser, so they are mounted before the form's cookies and body parser. Without them only the web is served.
   */
  readonly twilioWebhooks?: Router | undefined;
  /** The page the SMS summary links to. */
  readonly review?: ReviewRoutesDeps | undefined;
  /** "Resume anywhere": the signed link that opens a draft from any channel in the web form. */
  readonly resume?: ResumeRoutesDeps | undefined;
  /** The staff console (/staff): sign-in, calls and transcripts, applications, audit log, erasure. */
  readonly staff?: StaffConsoleDeps | undefined;
  /** Per client address limits on every public page (not health, static files or Twilio's webhooks); none without. */
  readonly addressLimits?: AddressLimits | undefined;
  /** What the privacy notice (/privacy, linked from the form) says of retention and recording. */
  readonly privacy?: PrivacyNoticeFacts | undefined;
  /** HTTP request counts and durations by route pattern (Prometheus); none without. */
  readonly requestMetrics?: RequestMetricsSource | undefined;
  /** DEPARTMENT_NAME and DEPARTMENT_PHONE: the applicant pages' header, and the number the form offers. */
  readonly department?: Department | undefined;
}

// A complete application is a few kilobytes; anything far larger is not a form post.
const MAX_FORM_BYTES = '32kb';
const REQUEST_ID = /^[\w.-]{1,64}$/;
/**
 * Every powerful feature a page could ask for, denied: the pages are forms and text. Only autoplay is allowed, to
 * our own pages, for the staff replay page's recording (its buttons start the audio from script).
 */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'ambient-light-sensor=()',
  'autoplay=(self)',
  'bluetooth=()',
  'browsing-topics=()',
  'camera=()',
  'display-capture=()',
  'encrypted-media=()',
  'fullscreen=()',
  'gamepad=()',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'identity-credentials-get=()',
  'idle-detection=()',
  'local-fonts=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'otp-credentials=()',
  'payment=()',
  'picture-in-picture=()',
  'publickey-credentials-create=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'speaker-selection=()',
  'storage-access=()',
  'usb=()',
  'web-share=()',
  'window-management=()',
  'xr-spatial-tracking=()',
].join(', ');

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  if (deps.requestMetrics !== undefined) app.use(countRequests(deps.requestMetrics));

  // First, so every handler (and pino-http's request line) runs inside the request's span.
  app.use(requestSpans());
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Reuse the load balancer's id when it sends a sane one, so a request can be followed across hops.
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      autoLogging: { ignore: (req) => req.url.startsWith('/health/') },
      // Link tokens and personal query values stay out of every request line (request-log.ts).
      serializers: { req: redactedRequest, res: redactedResponse },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: true,
      // HSTS only where the public origin is https: over plain http a browser ignores it, and it says nothing true.
      strictTransportSecurity: deps.publicBaseUrl.protocol === 'https:',
    }),
  );
  app.use((_req, res, next) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    next();
  });
  app.use('/static', express.static(join(import.meta.dirname, 'static'), { index: false, maxAge: '1h' }));
  app.use(healthRoutes(deps.health, deps.databaseReady));
  if (deps.twilioWebhooks !== undefined) app.use(deps.twilioWebhooks);
  const { department } = deps;
  if (deps.addressLimits !== undefined) app.use(limitByAddress(deps.addressLimits, department));
  if (deps.review !== undefined) app.use(reviewRoutes({ ...deps.review, department }));
  app.use(cookieParser());
  app.use(express.urlencoded({ extended: false, limit: MAX_FORM_BYTES, parameterLimit: 200 }));
  app.use(rememberLanguageChoice({ secureCookies: deps.publicBaseUrl.protocol === 'https:' }));

  const csrf = createCsrfGuard({ secrets: deps.csrfSecrets, secureCookies: deps.publicBaseUrl.protocol === 'https:' });
  app.get('/', (_req, res) => {
    res.redirect(302, '/apply');
  });
  const review = deps.review;
  const statusLinkFor = review === undefined ? undefined : (reference: string) => review.links.linkFor(reference);
  app.use(
    applyRoutes({
      applications: deps.applications,
      rules: deps.rules,
      csrf,
      statusLinkFor,
      offerSave: deps.resume !== undefined,
      department,
    }),
  );
  if (deps.privacy !== undefined) app.use(privacyRoutes(deps.privacy, department));
  if (deps.resume !== undefined)
    app.use(
      resumeRoutes({
        links: deps.resume.links,
        applications: deps.applications,
        rules: deps.rules,
        csrf,
        statusLinkFor,
        department,
      }),
    );
  if (deps.resume !== undefined)
    app.use(
      saveRoutes({
        links: deps.resume.links,
        textLink: deps.resume.textLink,
        applications: deps.applications,
        rules: deps.rules,
        csrf,
        department,
      }),
    );
  if (deps.staff !== undefined)
    app.use(staffRoutes({ ...deps.staff, csrf, secureCookies: deps.publicBaseUrl.protocol === 'https:' }));

  app.use((req, res) => {
    const language = pageLanguageOutsideStaff(req);
    res
      .status(404)
      .type('html')
      .send(errorPage(404, catalogueFor(language).web.noPageHere, language, department));
  });
  const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
    handleError(error, req, res, next, department);
  };
  app.use(errorHandler);
  return app;
}

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  code?: unknown;
}

const PUBLIC_MESSAGES: Readonly<Record<number, 'badRequest' | 'formExpired' | 'formTooLarge'>> = {
  400: 'badRequest',
  403: 'formExpired',
  413: 'formTooLarge',
};

/**
 * The one error handler: known client errors get a plain page with a warning logged; anything else is logged with its
 * stack and answered 5xx. A non-operational AppError is a bug whatever status it names.
 */
function handleError(
  error: unknown,
  req: Request,
  res: Response,
  next: NextFunction,
  department: Department | undefined,
): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as HttpishError;
  const status = answerStatus(error, e);
  if (status >= 500) req.log.error({ err: error }, 'request failed');
  else req.log.warn({ status, code: e.code ?? e.type }, 'request rejected');
  // An operational AppError below 500 (UserInputError, UnknownApplicationError) wrote its message for the person.
  const ownMessage = error instanceof AppError && status < 500 ? error.message : undefined;
  const language = pageLanguageOutsideStaff(req);
  const lines = catalogueFor(language).web;
  const publicMessage = PUBLIC_MESSAGES[status];
  const message = ownMessage ?? (publicMessage === undefined ? lines.serverError : lines[publicMessage]);
  res
    .status(status)
    .type('html')
    .send(errorPage(status, message, language, department));
}

/** The staff console is in English; an applicant's error page is in their language. */
function pageLanguageOutsideStaff(req: Request): Language {
  return req.path.startsWith('/staff') ? DEFAULT_LANGUAGE : pageLanguage(req);
}

/** An AppError's own status (500 when it is a bug), else the one a library set (body-parser, csrf), else 500. */
function answerStatus(error: unknown, e: HttpishError): number {
  if (error instanceof AppError) return error.operational ? error.status : 500;
  if (typeof e.status === 'number') return e.status;
  return typeof e.statusCode === 'number' ? e.statusCode : 500;
}
