import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { ApplicationService } from '../intake/application-service.ts';
import type { PermitRules } from '../permits/permit-rules.ts';
import { isPermitType } from '../permits/permit-types.ts';
import { applicationFormPage, choosePermitTypePage, confirmationOf, confirmationPage } from './apply-views.ts';
import type { CsrfGuard } from './csrf.ts';
import type { Department } from './html.ts';
import { readPostedFields, type FormBody } from './form-values.ts';
import { pageLanguage } from './page-language.ts';

const FORM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** GET /apply: choose a type, then the form for that type. POST /apply: validate all, then submit. */
export function applyRoutes(deps: {
  applications: ApplicationService;
  rules: PermitRules;
  csrf: CsrfGuard;
  /** The signed status link of a reference, shown on the confirmation; absent where no status page is served. */
  statusLinkFor?: ((reference: string) => string) | undefined;
  /** Whether the form offers "save and finish later" (where resume links are served). */
  offerSave?: boolean | undefined;
  /** Whose form it is: the header's name, the number to apply by phone. */
  department?: Department | undefined;
}): Router {
  const { applications, rules, csrf } = deps;
  const router = Router();

  router.get('/apply', csrf.ensureBrowserId, (req, res) => {
    const language = pageLanguage(req);
    const type = req.query.type;
    if (!isPermitType(type)) {
      res.type('html').send(choosePermitTypePage(undefined, language, deps.department));
      return;
    }
    res.type('html').send(
      applicationFormPage(rules, {
        type,
        binding: { kind: 'new', formId: randomUUID() },
        csrfToken: csrf.tokenFor(req, res),
        entered: {},
        problems: [],
        language,
        offerSave: deps.offerSave,
        department: deps.department,
      }),
    );
  });

  router.post('/apply', csrf.protect, async (req, res) => {
    const body = (req.body ?? {}) as FormBody;
    const language = pageLanguage(req);
    const type = body.permitType;
    if (!isPermitType(type)) {
      res
        .status(400)
        .type('html')
        .send(choosePermitTypePage(undefined, language, deps.department));
      return;
    }
    // A missing or forged form id just starts a new application; it is only an idempotency key.
    const formId = typeof body.formId === 'string' && FORM_ID.test(body.formId) ? body.formId : randomUUID();
    const { values, entered } = readPostedFields(
      body,
      rules.fieldsOf(type).filter((name) => name !== 'permitType'),
    );
    const result = await applications.submitComplete('web', formId, { ...values, permitType: type }, language);
    if (!result.ok) {
      res
        .status(400)
        .type('html')
        .send(
          applicationFormPage(rules, {
            type,
            binding: { kind: 'new', formId },
            csrfToken: csrf.tokenFor(req, res),
            entered,
            problems: result.problems,
            language,
            offerSave: deps.offerSave,
            department: deps.department,
          }),
        );
      return;
    }
    req.log.info({ applicationId: formId, alreadySubmitted: result.alreadySubmitted }, 'web application submitted');
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
