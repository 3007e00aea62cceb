import { catalogueFor } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { html, page, type Department } from './html.ts';

/** The pages a resume link can lead to besides the form itself; none of them shows an answer. */

/** "This link is not valid …": the message of a resume or status link that opens nothing. */
export function linkNotValid(language: Language = DEFAULT_LANGUAGE): string {
  return catalogueFor(language).web.linkNotValid;
}

export const RESUME_LINK_NOT_VALID = linkNotValid();

export function resumeLinkExpiredPage(language: Language = DEFAULT_LANGUAGE, department?: Department): string {
  const t = catalogueFor(language).web;
  return page(
    t.linkExpiredTitle,
    html`<h1>${t.linkExpiredTitle}</h1>
<p>${t.linkExpiredText}</p>
<p>${t.linkExpiredBefore} <a href="/apply">${t.linkExpiredStartNew}</a>${t.linkExpiredAfter}</p>`,
    { language, department },
  );
}

export function alreadySubmittedPage(
  reference: string,
  language: Language = DEFAULT_LANGUAGE,
  department?: Department,
): string {
  const t = catalogueFor(language).web;
  return page(
    t.alreadySentTitle,
    html`<h1>${t.alreadySentHeading}</h1>
<p>${t.yourReferenceIs}</p>
<p class="reference" id="reference">${reference}</p>
<p>${t.alreadySentText}</p>`,
    { language, department },
  );
}
