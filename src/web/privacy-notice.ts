import { Router } from 'express';
import { catalogueFor, fill } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../permits/language.ts';
import { pageLanguage } from './page-language.ts';
import { html, page, type Department, type Html } from './html.ts';

/**
 * GET /privacy: what the department keeps about applicants, why, who handles
 * it, and for how long. Server-rendered like the form, no script. The form
 * links to it and callers hear one sentence pointing to it (the voice
 * webhook's notice and the IVR's welcome). The facts that vary by deployment
 * (how long, whether calls are recorded) come from the configuration, so the
 * page says what this service actually does.
 */

export const PRIVACY_PATH = '/privacy';

export interface PrivacyNoticeFacts {
  /** RETENTION_DAYS: drafts and calls are erased this long after their last activity. */
  readonly retentionDays: number;
  /** RECORD_CALLS: new calls are recorded. */
  readonly recordsCalls: boolean;
}

export function privacyRoutes(facts: PrivacyNoticeFacts, department?: Department): Router {
  const router = Router();
  const pages = new Map(LANGUAGES.map((language) => [language, privacyNoticePage(facts, language, department)]));
  router.get(PRIVACY_PATH, (req, res) => {
    res.type('html').send(pages.get(pageLanguage(req)) ?? privacyNoticePage(facts, DEFAULT_LANGUAGE, department));
  });
  return router;
}

/** The link the form pages carry. */
export function privacyLink(language: Language = DEFAULT_LANGUAGE): Html {
  const t = catalogueFor(language).web;
  return html`<p class="privacy-link">${t.privacyLinkBefore} <a href="${PRIVACY_PATH}">${t.privacyLinkText}</a>.</p>`;
}

export function privacyNoticePage(
  facts: PrivacyNoticeFacts,
  language: Language = DEFAULT_LANGUAGE,
  department?: Department,
): string {
  const t = catalogueFor(language).privacy;
  const recorded = facts.recordsCalls;
  return page(
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<h2>${t.collectHeading}</h2>
<ul>
<li>${t.collectAnswers}</li>
<li>${t.collectCalls} ${recorded ? t.callsRecorded : t.callsNotRecorded}</li>
<li>${t.collectTexts}</li>
</ul>
<h2>${t.whyHeading}</h2>
<p>${t.whyText}</p>
<h2>${t.whoHeading}</h2>
<p>${recorded ? t.whoStaffRecorded : t.whoStaff} ${t.whoProcessors}</p>
<h2>${t.textsHeading}</h2>
<p>${t.textsText}</p>
<h2>${t.keepHeading}</h2>
<ul>
<li>${fill(recorded ? t.keepDraftsRecorded : t.keepDrafts, { days: facts.retentionDays })}</li>
<li>${t.keepSubmitted}</li>
</ul>
<h2>${t.protectHeading}</h2>
<p>${t.protectText}</p>
<h2>${t.choicesHeading}</h2>
<p>${t.choicesText}</p>
<p><a href="/apply">${catalogueFor(language).web.startApplication}</a></p>`,
    { language, switchFrom: PRIVACY_PATH, department },
  );
}
