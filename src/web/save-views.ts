import { catalogueFor, fill } from '../permits/catalogue.ts';
import type { Language } from '../permits/language.ts';
import type { FieldProblem } from '../permits/permit-rules.ts';
import { LANGUAGE_PARAM } from './page-language.ts';
import { html, page, type Department } from './html.ts';

/** "Save and finish later": the page with the draft's resume link, and what became of a request to text it. */

/** Where the saved page's "text me the link" form posts, and its fields. */
export const TEXT_LINK_PATH = '/apply/saved/text';
export const TEXT_LINK_TOKEN_FIELD = 'resume';
export const TEXT_LINK_PHONE_FIELD = 'phone';

export interface SavedPageModel {
  /** The signed resume link; the page is its only copy besides a text the applicant asks for. */
  readonly link: string;
  /** The part of the link the text form sends back. */
  readonly token: string;
  readonly validDays: number;
  /** Answers given but not kept, each with why (the form shows them again when the applicant comes back). */
  readonly notSaved: readonly FieldProblem[];
  /** Undefined where no texts can be sent: then the form is not offered. */
  readonly texting?:
    { readonly csrfToken: string; readonly phone: string; readonly problem?: string | undefined } | undefined;
  readonly language: Language;
  readonly department?: Department | undefined;
}

export function savedPage(model: SavedPageModel): string {
  const t = catalogueFor(model.language).web;
  const { texting } = model;
  const phoneId = 'text-link-phone';
  return page(
    texting?.problem === undefined ? t.savedTitle : fill(t.pleaseCorrect, { title: t.savedTitle }),
    html`<h1>${t.savedTitle}</h1>
<p>${fill(t.savedLinkBefore, { days: model.validDays })}</p>
<p><a class="resume-link" id="resume-link" href="${model.link}">${model.link}</a></p>
<p>${t.savedKeepPrivate}</p>
${
  model.notSaved.length === 0
    ? undefined
    : html`<div class="error-summary" id="not-saved"><h2>${t.savedNotKept}</h2>
<ul>${model.notSaved.map((p) => html`<li>${p.message}</li>`)}</ul></div>`
}
${
  texting === undefined
    ? undefined
    : html`<h2>${t.textLinkHeading}</h2>
<form method="post" action="${TEXT_LINK_PATH}" novalidate>
<input type="hidden" name="_csrf" value="${texting.csrfToken}">
<input type="hidden" name="${TEXT_LINK_TOKEN_FIELD}" value="${model.token}">
<input type="hidden" name="${LANGUAGE_PARAM}" value="${model.language}">
<div class="${texting.problem === undefined ? 'field' : 'field field-invalid'}"><label for="${phoneId}">${t.textLinkLabel}</label>
<p class="hint" id="${phoneId}-hint">${t.textLinkHint}</p>${
        texting.problem === undefined
          ? undefined
          : html`<p class="field-error" id="${phoneId}-error">${texting.problem}</p>`
      }
<input type="tel" id="${phoneId}" name="${TEXT_LINK_PHONE_FIELD}" value="${texting.phone}" autocomplete="tel" aria-describedby="${phoneId}-hint${texting.problem === undefined ? '' : ` ${phoneId}-error`}"${texting.problem === undefined ? undefined : html` aria-invalid="true"`}></div>
<button type="submit">${t.textLinkButton}</button>
</form>`
}
<p><a href="${model.link}">${t.savedCarryOn}</a></p>`,
    { language: model.language, department: model.department },
  );
}

/** What happened to a request to text the link: queued, already texted once, or the number's daily cap. */
export type LinkTextOutcome = 'queued' | 'already-queued' | 'limit-reached';

export function linkTextedPage(
  outcome: LinkTextOutcome,
  view: {
    readonly link: string;
    readonly phone: string;
    readonly language: Language;
    readonly department?: Department | undefined;
  },
): string {
  const t = catalogueFor(view.language).web;
  const message =
    outcome === 'queued'
      ? fill(t.textLinkQueued, { phone: view.phone })
      : outcome === 'already-queued'
        ? t.textLinkAlready
        : fill(t.textLinkLimit, { phone: view.phone });
  const title = outcome === 'queued' ? t.textLinkQueuedTitle : t.savedTitle;
  return page(
    title,
    html`<h1>${title}</h1>
<p id="text-link-outcome">${message}</p>
<p><a class="resume-link" id="resume-link" href="${view.link}">${view.link}</a></p>
<p>${t.savedKeepPrivate}</p>`,
    { language: view.language, department: view.department },
  );
}
