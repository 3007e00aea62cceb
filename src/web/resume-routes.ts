import { Router, type Request, type Response } from 'express';
import type { ApplicationService } from '../intake/application-service.ts';
import type { FieldProblem, PermitRules } from '../permits/permit-rules.ts';
import { isPermitType, type PermitType } from '../permits/permit-types.ts';
import type { StoredApplication } from '../intake/application-service.ts';
import {
  applicationFormPage,
  CHOOSE_AGAIN,
  choosePermitTypePage,
  confirmationOf,
  confirmationPage,
  errorPage,
  RESUME_POST_PATH,
  RESUME_TOKEN_FIELD,
} from './apply-views.ts';
import type { CsrfGuard } from './csrf.ts';
import type { Department } from './html.ts';
import { enteredFromStored, readPostedFields, type EnteredValues, type FormBody } from './form-values.ts';
import { RESUME_PATH_PREFIX, type ResumeLinks } from './resume-link.ts';
import { alreadySubmittedPage, linkNotValid, resumeLinkExpiredPage } from './resume-views.ts';
import { chosenLanguage, pageLanguage } from './page-language.ts';
import type { Language } from '../permits/language.ts';
import type { SaveRoutesDeps } from './save-routes.ts';

/**
 * "Resume anywhere": GET /apply/resume/{token} opens the web form on the
 * draft the link was made for, filled in with every answer given so far;
 * POST /apply/resume completes that draft, whatever channel it began on.
 *
 * The draft is bound by the link's token, which the form carries back in a
 * hidden field and which is verified again on the post: the id of the draft
 * to complete is read from the verified token and from nothing else, so a
 * post can complete only a draft whose link its sender holds. CSRF still
 * guards the post, as on /apply.
 */

export interface ResumeRoutesDeps {
  readonly links: ResumeLinks;
  /** Texts a draft's resume link to the applicant who saved it for later (SmsDelivery.queueWebLink); none without. */
  readonly textLink?: SaveRoutesDeps['textLink'];
}

export function resumeRoutes(
  deps: ResumeRoutesDeps & {
    applications: ApplicationService;
    rules: PermitRules;
    csrf: CsrfGuard;
    statusLinkFor?: ((reference: string) => string) | undefined;
    department?: Department | undefined;
  },
): Router {
  const { applications, rules, csrf } = deps;
  const router = Router();
  const formFields = (type: PermitType) => rules.fieldsOf(type).filter((name) => name !== 'permitType');

  function sendForm(
    req: Request,
    res: Response,
    status: number,
    form: {
      type: PermitType;
      token: string;
      entered: EnteredValues;
      problems: readonly FieldProblem[];
      language: Language;
    },
  ): void {
    res
      .status(status)
      .type('html')
      .send(
        applicationFormPage(rules, {
          type: form.type,
          binding: { kind: 'resume', token: form.token },
          csrfToken: csrf.tokenFor(req, res),
          entered: form.entered,
          problems: form.problems,
          language: form.language,
          offerSave: true,
          department: deps.department,
        }),
      );
  }

  router.get(`${RESUME_PATH_PREFIX}:token`, csrf.ensureBrowserId, async (req, res) => {
    // The page holds the applicant's answers: no cache, shared or private, may keep it.
    res.setHeader('cache-control', 'no-store');
    const { token } = req.params;
    const draft = await draftByLink(deps, token, req, res);
    if (draft === undefined || typeof token !== 'string') return;
    const language = languageOfDraft(req, draft);
    const chosen = req.query.type;
    const storedType = draft.fields.permitType;
    const type = isPermitType(chosen)
      ? chosen
      : req.query[CHOOSE_AGAIN] === undefined && isPermitType(storedType)
        ? storedType
        : undefined;
    if (type === undefined) {
      res.type('html').send(choosePermitTypePage(token, language, deps.department));
      return;
    }
    const entered = enteredFromStored(draft.fields, formFields(type), language);
    sendForm(req, res, 200, { type, token, entered, problems: [], language });
  });

  router.post(RESUME_POST_PATH, csrf.protect, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const body = (req.body ?? {}) as FormBody;
    const token = body[RESUME_TOKEN_FIELD];
    const draft = await draftByLink(deps, token, req, res);
    if (draft === undefined || typeof token !== 'string') return;
    const language = languageOfDraft(req, draft);
    const type = body.permitType;
    if (!isPermitType(type)) {
      res
        .status(400)
        .type('html')
        .send(choosePermitTypePage(token, language, deps.department));
      return;
    }
    const { values, entered } = readPostedFields(body, formFields(type));
    const result = await applications.completeDraft(draft.id, { ...values, permitType: type }, language);
    if (!result.ok) {
      sendForm(req, res, 400, { type, token, entered, problems: result.problems, language });
      return;
    }
    // There is no column for the channel an application was finished on; the channel it began on stays in applications.channel.
    req.log.info(
      {
        applicationId: draft.id,
        startedOn: draft.channel,
        finishedOn: 'web',
        alreadySubmitted: result.alreadySubmitted,
      },
      'resumed application submitted',
    );
    res
      .type('html')
      .send(
        confirmationPage(
          result.reference,
          result,
          confirmationOf(rules, result.submitted, deps.statusLinkFor?.(result.reference), language),
          language,
          deps.department,
        ),
      );
  });

  return router;
}

/**
 * The draft a resume link's token opens, or undefined once the answer has been sent instead: 404 for a link that
 * opens nothing, 410 for an expired one, the "already sent" page once the application is submitted.
 */
export async function draftByLink(
  deps: {
    readonly links: ResumeLinks;
    readonly applications: ApplicationService;
    readonly department?: Department | undefined;
  },
  token: unknown,
  req: Request,
  res: Response,
): Promise<StoredApplication | undefined> {
  const check = typeof token === 'string' ? deps.links.verify(token) : ({ ok: false, reason: 'malformed' } as const);
  const language = pageLanguage(req);
  if (!check.ok) {
    req.log.info({ reason: check.reason }, 'resume link refused');
    if (check.reason === 'expired') res.status(410).type('html').send(resumeLinkExpiredPage(language, deps.department));
    else
      res
        .status(404)
        .type('html')
        .send(errorPage(404, linkNotValid(language), language, deps.department));
    return undefined;
  }
  const application = await deps.applications.find(check.applicationId);
  if (application === undefined) {
    req.log.warn({ applicationId: check.applicationId }, 'resume link names no application');
    res
      .status(404)
      .type('html')
      .send(errorPage(404, linkNotValid(language), language, deps.department));
    return undefined;
  }
  if (application.status === 'submitted' && application.reference !== undefined) {
    res.type('html').send(alreadySubmittedPage(application.reference, language, deps.department));
    return undefined;
  }
  return application;
}

/**
 * A resumed draft opens in the language it was begun in (a call in Spanish gives a form in Spanish), unless the
 * applicant chose one with the switch or the form they post was shown in another.
 */
export function languageOfDraft(req: Request, draft: StoredApplication): Language {
  return chosenLanguage(req) ?? draft.language;
}
