import { Router } from 'express';
import { catalogueFor, permitTypeLabel } from '../permits/catalogue.ts';
import { formatDateForPeople, todayIn } from '../permits/field-inputs.ts';
import { isPermitType } from '../permits/permit-types.ts';
import type { ReviewLinks } from '../sms/review-link.ts';
import type { ApplicationService } from '../intake/application-service.ts';
import { errorPage, reviewPage } from './apply-views.ts';
import type { Department } from './html.ts';
import { pageLanguage } from './page-language.ts';
import { linkNotValid } from './resume-views.ts';

/**
 * The page the SMS summary links to: where the application stands, by its
 * signed link. It shows what the text already said (reference, permit type,
 * when it was received), nothing personal: a forwarded text must not expose
 * more than it carried. It is in the applicant's language, the one their application was made in.
 */

export interface ReviewRoutesDeps {
  readonly links: ReviewLinks;
  readonly applications: Pick<ApplicationService, 'findByReference'>;
  readonly timeZone: string;
  /** Whose page it is: the header names the department. */
  readonly department?: Department | undefined;
}

export function reviewRoutes(deps: ReviewRoutesDeps): Router {
  const router = Router();
  router.get('/s/:token', async (req, res) => {
    const reference = deps.links.referenceOf(req.params.token);
    const application = reference === undefined ? undefined : await deps.applications.findByReference(reference);
    if (reference === undefined || application?.submittedAt === undefined) {
      const language = pageLanguage(req);
      res
        .status(404)
        .type('html')
        .send(errorPage(404, linkNotValid(language), language, deps.department));
      return;
    }
    const { language } = application;
    const permitType = application.fields.permitType;
    res.type('html').send(
      reviewPage(
        {
          reference,
          permitType: isPermitType(permitType)
            ? permitTypeLabel(permitType, language)
            : catalogueFor(language).web.foodPermit,
          // The day it was received where the department is, written as every other date on the pages.
          received: formatDateForPeople(todayIn(deps.timeZone, new Date(application.submittedAt)), language),
        },
        language,
        deps.department,
      ),
    );
  });
  return router;
}
