import { Router, type Request, type Response } from 'express';
import type { ApplicationService, StoredApplication } from '../intake/application-service.ts';
import { textablePhone } from '../permits/field-inputs.ts';
import type { Language } from '../permits/language.ts';
import type { FieldProblem, PermitRules } from '../permits/permit-rules.ts';
import { isPermitType } from '../permits/permit-types.ts';
import { writtenPhone } from '../permits/read-back.ts';
import { RESUME_TOKEN_FIELD, SAVE_POST_PATH } from './apply-views.ts';
import type { CsrfGuard } from './csrf.ts';
import type { Department } from './html.ts';
import { readPostedFields, type FormBody } from './form-values.ts';
import { pageLanguage } from './page-language.ts';
import type { ResumeLinks } from './resume-link.ts';
import { draftByLink, languageOfDraft } from './resume-routes.ts';
import { alreadySubmittedPage } from './resume-views.ts';
import {
  linkTextedPage,
  savedPage,
  TEXT_LINK_PATH,
  TEXT_LINK_PHONE_FIELD,
  TEXT_LINK_TOKEN_FIELD,
  type LinkTextOutcome,
} from './save-views.ts';

/**
 * "Save and finish later" on the web form. The form's second button posts
 * what has been typed so far to POST /apply/save: every valid answer is kept
 * as a draft (a new one, keyed by the form's id, or the one a resume link
 * opened), and the page that follows shows the draft's signed resume link,
 * lists the answers that could not be kept and why, and offers to text the
 * link. POST /apply/saved/text queues that text, once per draft, within the
 * number's daily cap, as when a caller asks for it on the phone.
 *
 * Which draft a post may touch is decided as on the resume form: a resume
 * link's token, verified, or a form id that names no draft but a new web one.
 */

export interface SaveRoutesDeps {
  readonly links: ResumeLinks;
  readonly applications: ApplicationService;
  readonly rules: PermitRules;
  readonly csrf: CsrfGuard;
  /** Texts the draft's resume link (SmsDelivery.queueWebLink); without it the page only shows the link. */
  readonly textLink?:
    ((applicationId: string, toPhone: string, language: Language) => Promise<LinkTextOutcome>) | undefined;
  /** Whose pages these are: the header names the department. */
  readonly department?: Department | undefined;
}

const FORM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function saveRoutes(deps: SaveRoutesDeps): Router {
  const { links, applications, rules, csrf, textLink } = deps;
  const router = Router();

  function sendSaved(
    req: Request,
    res: Response,
    status: number,
    view: { draft: StoredApplication; notSaved: readonly FieldProblem[]; phoneProblem?: string; phone?: string },
    language: Language,
  ): void {
    const token = links.tokenFor(view.draft.id);
    const stored = view.draft.fields.contactPhone;
    const phone = view.phone ?? (typeof stored === 'string' ? writtenPhone(stored, language) : '');
    res
      .status(status)
      .type('html')
      .send(
        savedPage({
          link: links.linkWith(token),
          token,
          validDays: links.validDays,
          notSaved: view.notSaved,
          texting:
            textLink === undefined
              ? undefined
              : { csrfToken: csrf.tokenFor(req, res), phone, problem: view.phoneProblem },
          language,
          department: deps.department,
        }),
      );
  }

  router.post(SAVE_POST_PATH, csrf.protect, async (req, res) => {
    // The page that follows holds the link that opens the answers: no cache may keep it.
    res.setHeader('cache-control', 'no-store');
    const body = (req.body ?? {}) as FormBody;
    const resumeToken = body[RESUME_TOKEN_FIELD];
    const draft =
      resumeToken === undefined
        ? await newWebDraft(body.formId, pageLanguage(req), req, res)
        : await draftByLink(deps, resumeToken, req, res);
    if (draft === undefined) return;
    const language = languageOfDraft(req, draft);
    const type = body.permitType;
    const fields = isPermitType(type) ? rules.fieldsOf(type).filter((name) => name !== 'permitType') : [];
    const { values } = readPostedFields(body, fields);
    const update = await applications.updateDraft(
      draft.id,
      isPermitType(type) ? { ...values, permitType: type } : values,
      'web',
      language,
    );
    req.log.info(
      { applicationId: draft.id, kept: update.accepted.length, notKept: update.problems.length },
      'web draft saved for later',
    );
    sendSaved(req, res, 200, { draft: { ...draft, fields: update.fields }, notSaved: update.problems }, language);
  });

  router.post(TEXT_LINK_PATH, csrf.protect, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const body = (req.body ?? {}) as FormBody;
    const draft = await draftByLink(deps, body[TEXT_LINK_TOKEN_FIELD], req, res);
    if (draft === undefined) return;
    const language = languageOfDraft(req, draft);
    const typed = typeof body[TEXT_LINK_PHONE_FIELD] === 'string' ? body[TEXT_LINK_PHONE_FIELD].trim() : '';
    // The number is read as the form's phone field is, so it is refused in the same words.
    const reading = rules.updateDraft({}, { contactPhone: typed }, language);
    const stored = reading.fields.contactPhone;
    if (textLink === undefined || typeof stored !== 'string' || !reading.accepted.includes('contactPhone')) {
      const problem = reading.problems[0]?.message ?? reading.problems.map((p) => p.message).join(' ');
      sendSaved(req, res, 400, { draft, notSaved: [], phoneProblem: problem, phone: typed }, language);
      return;
    }
    const outcome = await textLink(draft.id, textablePhone(stored), language);
    req.log.info({ applicationId: draft.id, outcome }, 'web draft link text requested');
    res.type('html').send(
      linkTextedPage(outcome, {
        link: links.linkFor(draft.id),
        phone: writtenPhone(stored, language),
        language,
        department: deps.department,
      }),
    );
  });

  /**
   * The draft a first save from a new form makes: keyed by the form's id, so a second press of the button (or the
   * back button and a save again) keeps to the same draft. An id that names an application begun elsewhere, or no
   * id at all, starts a new draft instead: the id is not a credential.
   */
  async function newWebDraft(
    formId: unknown,
    language: Language,
    req: Request,
    res: Response,
  ): Promise<StoredApplication | undefined> {
    const known = typeof formId === 'string' && FORM_ID.test(formId) ? await applications.find(formId) : undefined;
    if (known?.status === 'submitted' && known.reference !== undefined) {
      res.type('html').send(alreadySubmittedPage(known.reference, language, deps.department));
      return undefined;
    }
    const id =
      typeof formId === 'string' && FORM_ID.test(formId) && (known === undefined || known.channel === 'web')
        ? formId
        : undefined;
    const created = await applications.startDraft('web', id, language);
    const draft = await applications.find(created);
    if (draft === undefined) req.log.error({ applicationId: created }, 'a draft just started cannot be found');
    return draft;
  }

  return router;
}
