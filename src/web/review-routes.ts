import { Router } from 'express';
import { isPermitType, PERMIT_TYPE_LABELS } from '../permits/permit-types.ts';
import type { ReviewLinks } from '../sms/review-link.ts';
import type { ApplicationService } from '../intake/application-service.ts';
import { errorPage, reviewPage } from './apply-views.ts';

/**
 * The page the SMS summary links to: where the application stands, by its
 * signed link. It shows what the text already said (reference, permit type,
 * when it was received), nothing personal: a forwarded text must not expose
 * more than it carried.
 */

export interface ReviewRoutesDeps {
  readonly links: ReviewLinks;
  readonly applications: Pick<ApplicationService, 'findByReference'>;
  readonly timeZone: string;
}

export function reviewRoutes(deps: ReviewRoutesDeps): Router {
  const router = Router();
  router.get('/s/:token', async (req, res) => {
    const reference = deps.links.referenceOf(req.params.token);
    const application = reference === undefined ? undefined : await deps.applications.findByReference(reference);
    if (reference === undefined || application?.submittedAt === undefined) {
      res
        .status(404)
        .type('html')
        .send(errorPage(404, 'This link is not valid. Check that the whole link from the text message was opened.'));
      return;
    }
    const permitType = application.fields.permitType;
    res.type('html').send(
      reviewPage({
        reference,
        permitType: isPermitType(permitType) ? PERMIT_TYPE_LABELS[permitType] : 'Food permit',
        received: new Date(application.submittedAt).toLocaleDateString('en-US', {
          timeZone: deps.timeZone,
          dateStyle: 'long',
        }),
      }),
    );
  });
  return router;
}
