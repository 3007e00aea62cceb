import {
  FIELD_GROUPS,
  FIELD_SPECS,
  fieldOptions,
  type FieldGroup,
  type FieldName,
  type FieldSpec,
} from '../permits/permit-fields.ts';
import { catalogueFor, fieldTexts, fill, permitTypeLabel, type Catalogue } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { writtenPhone, writtenSummary } from '../permits/read-back.ts';
import type { DraftFields, FieldProblem, PermitRules } from '../permits/permit-rules.ts';
import { isPermitType, PERMIT_TYPES, type PermitType } from '../permits/permit-types.ts';
import type { EnteredValues } from './form-values.ts';
import { fillHtml, html, page, type Department, type Html } from './html.ts';
import { LANGUAGE_PARAM } from './page-language.ts';
import { privacyLink } from './privacy-notice.ts';
import { RESUME_PATH_PREFIX } from './resume-link.ts';

/** Where a resumed draft's form posts, and the hidden field that carries its link's token. */
export const RESUME_POST_PATH = '/apply/resume';
export const RESUME_TOKEN_FIELD = 'resume';
/** Where the form's "save and finish later" button posts, new form or resumed draft alike (save-routes.ts). */
export const SAVE_POST_PATH = '/apply/save';
/** The query that asks a resume link for the permit-type choice again. */
export const CHOOSE_AGAIN = 'choose';

/** Server-rendered pages of the web form: no scripts, labelled inputs, errors beside their fields. */

type WebLines = Catalogue['web'];

const GROUP_HEADINGS: Readonly<Record<Exclude<FieldGroup, 'operation'>, keyof WebLines>> = {
  applicant: 'groupApplicant',
  food: 'groupFood',
  declarations: 'groupDeclarations',
};

const OPERATION_HEADINGS: Readonly<Record<PermitType, keyof WebLines>> = {
  temporary_food_event: 'operationTemporaryFoodEvent',
  mobile_food_unit: 'operationMobileFoodUnit',
  cottage_food_operation: 'operationCottageFoodOperation',
  food_establishment: 'operationFoodEstablishment',
};

const AUTOCOMPLETE: Partial<Record<FieldName, string>> = {
  applicantName: 'name',
  businessName: 'organization',
  contactPhone: 'tel',
  email: 'email',
};

const INPUT_TYPES: Partial<Record<FieldSpec['kind'], string>> = { phone: 'tel', email: 'email', count: 'number' };

function kindHint(kind: FieldSpec['kind'], language: Language): string | undefined {
  const hints: Readonly<Record<string, string>> = catalogueFor(language).kindHints;
  return hints[kind];
}

/** The first step. With `resumeToken`, the step of a resumed draft that has no permit type yet: the choice goes back to its link. */
export function choosePermitTypePage(
  resumeToken?: string,
  language: Language = DEFAULT_LANGUAGE,
  department: Department = {},
): string {
  const t = catalogueFor(language).web;
  const action = resumeToken === undefined ? '/apply' : `${RESUME_PATH_PREFIX}${resumeToken}`;
  return page(
    t.applyTitle,
    html`<h1>${t.applyTitle}</h1>
<p>${resumeToken === undefined ? html`${byPhone(department, language)} ${t.applyIntro}` : t.resumeIntro}</p>
<form method="get" action="${action}">
<input type="hidden" name="${LANGUAGE_PARAM}" value="${language}">
<fieldset>
<legend>${t.whichPermit}</legend>
${PERMIT_TYPES.map(
  (type) =>
    html`<div class="choice"><input type="radio" id="type-${type}" name="type" value="${type}" required><label for="type-${type}">${permitTypeLabel(type, language)}</label></div>`,
)}
</fieldset>
<button type="submit">${t.continue}</button>
</form>
${privacyLink(language)}`,
    { language, switchFrom: resumeToken === undefined ? '/apply' : `${action}?${CHOOSE_AGAIN}`, department },
  );
}

/** "You can also apply by phone", with the department's number to call when there is one. */
function byPhone(department: Department, language: Language): Html | string {
  const t = catalogueFor(language).web;
  const { phone } = department;
  return phone === undefined
    ? t.applyByPhone
    : fillHtml(t.applyByPhoneAt, { phone: html`<a href="tel:${phone}">${writtenPhone(phone, language)}</a>` });
}

/**
 * What the form's post completes: a new application (its form id is only an
 * idempotency key), or the draft a resume link opened (its token, checked
 * again when the form comes back).
 */
export type FormBinding =
  { readonly kind: 'new'; readonly formId: string } | { readonly kind: 'resume'; readonly token: string };

export interface ApplicationFormModel {
  readonly type: PermitType;
  readonly binding: FormBinding;
  readonly csrfToken: string;
  readonly entered: EnteredValues;
  readonly problems: readonly FieldProblem[];
  /** The language the form is shown in, its problems already are, and its post is read in. */
  readonly language?: Language | undefined;
  /** Whether the "save and finish later" button is shown: only where resume links are served. */
  readonly offerSave?: boolean | undefined;
  readonly department?: Department | undefined;
}

export function applicationFormPage(rules: PermitRules, model: ApplicationFormModel): string {
  const language = model.language ?? DEFAULT_LANGUAGE;
  const t = catalogueFor(language).web;
  const fields = rules.fieldsOf(model.type).filter((name) => name !== 'permitType');
  const problemFor = (name: FieldName) => model.problems.find((p) => p.field === name)?.message;
  const title = fill(t.formTitle, { permitType: permitTypeLabel(model.type, language) });
  const here =
    model.binding.kind === 'new'
      ? `/apply?type=${model.type}`
      : `${RESUME_PATH_PREFIX}${model.binding.token}?type=${model.type}`;
  return page(
    model.problems.length > 0 ? fill(t.pleaseCorrect, { title }) : title,
    html`<h1>${title}</h1>
${
  model.binding.kind === 'new'
    ? html`<p><a href="/apply">${t.chooseDifferentType}</a></p>`
    : html`<p>${t.resumeFormIntro}</p>
<p><a href="${RESUME_PATH_PREFIX}${model.binding.token}?${CHOOSE_AGAIN}">${t.chooseDifferentType}</a></p>`
}
${errorSummary(model.problems, language)}
<form method="post" action="${model.binding.kind === 'new' ? '/apply' : RESUME_POST_PATH}" novalidate>
<input type="hidden" name="_csrf" value="${model.csrfToken}">
${
  model.binding.kind === 'new'
    ? html`<input type="hidden" name="formId" value="${model.binding.formId}">`
    : html`<input type="hidden" name="${RESUME_TOKEN_FIELD}" value="${model.binding.token}">`
}
<input type="hidden" name="permitType" value="${model.type}">
<input type="hidden" name="${LANGUAGE_PARAM}" value="${language}">
${FIELD_GROUPS.map((group) => {
  const inGroup = fields.filter((name) => FIELD_SPECS[name].group === group);
  return html`<section class="form-section" aria-labelledby="section-${group}"><h2 id="section-${group}">${t[group === 'operation' ? OPERATION_HEADINGS[model.type] : GROUP_HEADINGS[group]]}</h2>
${inGroup.map((name) => fieldControl(rules, { type: model.type, name, language }, model.entered[name], problemFor(name)))}
</section>`;
})}
${privacyLink(language)}
<div class="form-actions">
<button type="submit">${t.submit}</button>
${model.offerSave === true ? html`<button type="submit" class="secondary" id="save-for-later" formaction="${SAVE_POST_PATH}">${t.saveForLater}</button>` : undefined}
</div>
</form>`,
    { language, switchFrom: here, department: model.department },
  );
}

function errorSummary(problems: readonly FieldProblem[], language: Language): Html | undefined {
  if (problems.length === 0) return undefined;
  const t = catalogueFor(language).web;
  const heading = problems.length === 1 ? t.oneProblem : fill(t.manyProblems, { count: problems.length });
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${heading}</h2>
<ul>${problems.map((p) => html`<li><a href="#field-${p.field}">${p.message}</a></li>`)}</ul>
</div>`;
}

function fieldControl(
  rules: PermitRules,
  field: { readonly type: PermitType; readonly name: FieldName; readonly language: Language },
  entered: string | undefined,
  problem: string | undefined,
): Html {
  const { type, name, language } = field;
  const spec: FieldSpec = FIELD_SPECS[name];
  const texts = fieldTexts(name, language);
  const t = catalogueFor(language).web;
  const id = `field-${name}`;
  const required = rules.isRequired(type, name);
  const hint = texts.requiredWhen ?? texts.hint ?? kindHint(spec.kind, language);
  const label = !required && texts.requiredWhen === undefined ? fill(t.optional, { label: texts.label }) : texts.label;
  const describedBy = [hint === undefined ? '' : `${id}-hint`, problem === undefined ? '' : `${id}-error`]
    .filter(Boolean)
    .join(' ');
  const common = { id, name, required, describedBy, invalid: problem !== undefined };
  const hintHtml = hint === undefined ? undefined : html`<p class="hint" id="${id}-hint">${hint}</p>`;
  const errorHtml = problem === undefined ? undefined : html`<p class="field-error" id="${id}-error">${problem}</p>`;
  const wrapperClass = problem === undefined ? 'field' : 'field field-invalid';

  switch (spec.kind) {
    case 'yes-no':
      return html`<fieldset class="${wrapperClass}" id="${id}"${attrs({ 'aria-describedby': describedBy })}>
<legend>${label}</legend>${errorHtml}
${radio(name, 'yes', t.yes, entered)}${radio(name, 'no', t.no, entered)}
</fieldset>`;
    case 'consent':
      return html`<div class="${wrapperClass}">${errorHtml}
<div class="choice"><input type="checkbox" value="yes"${controlAttrs(common)}${entered === 'yes' ? html` checked` : undefined}><label for="${id}">${label}</label></div>
</div>`;
    case 'choice':
      return html`<div class="${wrapperClass}"><label for="${id}">${label}</label>${errorHtml}
<select${controlAttrs(common)}><option value="">${t.chooseOption}</option>${fieldOptions(
        name,
        rules.context,
        language,
      ).map(
        (o) => html`<option value="${o.value}"${o.value === entered ? html` selected` : undefined}>${o.label}</option>`,
      )}</select></div>`;
    case 'list':
      return html`<div class="${wrapperClass}"><label for="${id}">${label}</label>${errorHtml}
<textarea rows="4"${controlAttrs(common)}>${entered ?? ''}</textarea></div>`;
    default:
      return html`<div class="${wrapperClass}"><label for="${id}">${label}</label>${hintHtml}${errorHtml}
<input type="${INPUT_TYPES[spec.kind] ?? 'text'}" value="${entered ?? ''}"${spec.kind === 'count' ? html` min="1" step="1"` : undefined}${attrs({ autocomplete: AUTOCOMPLETE[name] ?? '' })}${controlAttrs(common)}></div>`;
  }
}

function radio(name: FieldName, value: string, label: string, entered: string | undefined): Html {
  const id = `field-${name}-${value}`;
  return html`<div class="choice"><input type="radio" id="${id}" name="${name}" value="${value}"${entered === value ? html` checked` : undefined}><label for="${id}">${label}</label></div>`;
}

function controlAttrs(c: { id: string; name: string; required: boolean; describedBy: string; invalid: boolean }): Html {
  return html` id="${c.id}" name="${c.name}"${c.required ? html` required` : undefined}${attrs({ 'aria-describedby': c.describedBy, 'aria-invalid': c.invalid ? 'true' : '' })}`;
}

/** Attributes with empty values are left out. */
function attrs(values: Readonly<Record<string, string>>): Html {
  return html`${Object.entries(values)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => html` ${k}="${v}"`)}`;
}

/** What happened to the text with the reference: sent, not asked for, or not sent (the number's daily cap). */
export interface TextOutcome {
  readonly textMessageQueued: boolean;
  readonly textLimitReached: boolean;
}

/** What the confirmation shows besides the reference: the answers as sent, and the link to the status page. */
export interface Confirmation {
  readonly summary: readonly { readonly label: string; readonly value: string }[];
  /** The signed status link (the same one the text message carries); absent where no status page is served. */
  readonly statusLink?: string | undefined;
}

/** The confirmation of `result`: its answers in the form's order, and the status link when there is one. */
export function confirmationOf(
  rules: PermitRules,
  submitted: DraftFields,
  statusLink: string | undefined,
  language: Language = DEFAULT_LANGUAGE,
): Confirmation {
  const type = submitted.permitType;
  return {
    summary: isPermitType(type) ? writtenSummary(submitted, rules.fieldsOf(type), rules.context, language) : [],
    statusLink,
  };
}

export function confirmationPage(
  reference: string,
  text: TextOutcome,
  confirmation?: Confirmation,
  language: Language = DEFAULT_LANGUAGE,
  department?: Department,
): string {
  const t = catalogueFor(language).web;
  const aboutText = text.textMessageQueued ? ` ${t.textWillFollow}` : text.textLimitReached ? ` ${t.noTextToday}` : '';
  return page(
    t.receivedTitle,
    html`<h1>${t.receivedTitle}</h1>
<p>${t.yourReferenceIs}</p>
<p class="reference" id="reference">${reference}</p>
<p>${t.keepReference}${aboutText}</p>
${
  confirmation?.statusLink === undefined
    ? ''
    : html`<p>${t.statusLinkBefore} <a id="status-link" href="${confirmation.statusLink}">${confirmation.statusLink}</a>.</p>`
}
${
  confirmation === undefined || confirmation.summary.length === 0
    ? ''
    : html`<h2>${t.whatYouSent}</h2>
<dl id="submitted-summary">${confirmation.summary.map((row) => html`<dt>${row.label}</dt><dd>${row.value}</dd>`)}</dl>`
}`,
    { language, department },
  );
}

export function reviewPage(
  view: { reference: string; permitType: string; received: string },
  language: Language = DEFAULT_LANGUAGE,
  department?: Department,
): string {
  const t = catalogueFor(language).web;
  return page(
    fill(t.reviewTitle, { reference: view.reference }),
    html`<h1>${t.reviewHeading}</h1>
<dl class="review">
<dt>${t.reviewReference}</dt><dd class="reference" id="reference">${view.reference}</dd>
<dt>${t.reviewPermit}</dt><dd>${view.permitType}</dd>
<dt>${t.reviewReceived}</dt><dd>${view.received}</dd>
<dt>${t.reviewStatus}</dt><dd id="status">${t.reviewWaiting}</dd>
</dl>
<p>${t.reviewNextStep}</p>`,
    { language, department },
  );
}

export function errorPage(
  status: number,
  message: string,
  language: Language = DEFAULT_LANGUAGE,
  department?: Department,
): string {
  const t = catalogueFor(language).web;
  // A missing page is not a fault: the title a browser tab or a screen reader announces first says which it is.
  return page(
    status === 404 ? t.pageNotFound : t.errorTitle,
    html`<h1>${status === 404 ? t.pageNotFound : t.requestRefused}</h1><p>${message}</p><p><a href="/apply">${t.startApplication}</a></p>`,
    { language, department },
  );
}
