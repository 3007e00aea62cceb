import {
  FIELD_GROUPS,
  FIELD_SPECS,
  fieldOptions,
  type FieldGroup,
  type FieldName,
  type FieldSpec,
} from '../permits/permit-fields.ts';
import { writtenSummary } from '../permits/read-back.ts';
import type { DraftFields, FieldProblem, PermitRules } from '../permits/permit-rules.ts';
import { isPermitType, PERMIT_TYPE_LABELS, PERMIT_TYPES, type PermitType } from '../permits/permit-types.ts';
import type { EnteredValues } from './form-values.ts';
import { html, page, type Html } from './html.ts';
import { privacyLink } from './privacy-notice.ts';
import { RESUME_PATH_PREFIX } from './resume-link.ts';

/** Where a resumed draft's form posts, and the hidden field that carries its link's token. */
export const RESUME_POST_PATH = '/apply/resume';
export const RESUME_TOKEN_FIELD = 'resume';
/** The query that asks a resume link for the permit-type choice again. */
export const CHOOSE_AGAIN = 'choose';

/** Server-rendered pages of the web form: no scripts, labelled inputs, errors beside their fields. */

const GROUP_HEADINGS: Readonly<Record<Exclude<FieldGroup, 'operation'>, string>> = {
  applicant: 'You and your business',
  food: 'Food',
  declarations: 'Confirm and send',
};

const OPERATION_HEADINGS: Readonly<Record<PermitType, string>> = {
  temporary_food_event: 'The event',
  mobile_food_unit: 'The mobile unit',
  cottage_food_operation: 'Your home kitchen',
  food_establishment: 'The establishment',
};

const AUTOCOMPLETE: Partial<Record<FieldName, string>> = {
  applicantName: 'name',
  businessName: 'organization',
  contactPhone: 'tel',
  email: 'email',
};

const INPUT_TYPES: Partial<Record<FieldSpec['kind'], string>> = { phone: 'tel', email: 'email', count: 'number' };

const HINTS: Partial<Record<FieldSpec['kind'], string>> = {
  phone: 'For example 212-555-0123.',
  date: 'For example March 3, 2027 or 03/03/2027.',
  time: 'For example 9 AM or 5:30 PM.',
};

/** The first step. With `resumeToken`, the step of a resumed draft that has no permit type yet: the choice goes back to its link. */
export function choosePermitTypePage(resumeToken?: string): string {
  return page(
    'Apply for a food permit',
    html`<h1>Apply for a food permit</h1>
${
  resumeToken === undefined
    ? html`<p>You can also apply by phone. Answers are checked as you submit; nothing is saved until the application is complete.</p>`
    : html`<p>We kept the answers you have already given. Choose the permit, then check your answers and fill in the rest.</p>`
}
<form method="get" action="${resumeToken === undefined ? '/apply' : `${RESUME_PATH_PREFIX}${resumeToken}`}">
<fieldset>
<legend>Which permit do you need?</legend>
${PERMIT_TYPES.map(
  (type) =>
    html`<div class="choice"><input type="radio" id="type-${type}" name="type" value="${type}" required><label for="type-${type}">${PERMIT_TYPE_LABELS[type]}</label></div>`,
)}
</fieldset>
<button type="submit">Continue</button>
</form>
${privacyLink()}`,
  );
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
}

export function applicationFormPage(rules: PermitRules, model: ApplicationFormModel): string {
  const fields = rules.fieldsOf(model.type).filter((name) => name !== 'permitType');
  const problemFor = (name: FieldName) => model.problems.find((p) => p.field === name)?.message;
  const title = `${PERMIT_TYPE_LABELS[model.type]} permit application`;
  return page(
    model.problems.length > 0 ? `Please correct: ${title}` : title,
    html`<h1>${title}</h1>
${
  model.binding.kind === 'new'
    ? html`<p><a href="/apply">Choose a different permit type</a></p>`
    : html`<p>We kept the answers you have already given. Check them, fill in the rest, and submit.</p>
<p><a href="${RESUME_PATH_PREFIX}${model.binding.token}?${CHOOSE_AGAIN}">Choose a different permit type</a></p>`
}
${errorSummary(model.problems)}
<form method="post" action="${model.binding.kind === 'new' ? '/apply' : RESUME_POST_PATH}" novalidate>
<input type="hidden" name="_csrf" value="${model.csrfToken}">
${
  model.binding.kind === 'new'
    ? html`<input type="hidden" name="formId" value="${model.binding.formId}">`
    : html`<input type="hidden" name="${RESUME_TOKEN_FIELD}" value="${model.binding.token}">`
}
<input type="hidden" name="permitType" value="${model.type}">
${FIELD_GROUPS.map((group) => {
  const inGroup = fields.filter((name) => FIELD_SPECS[name].group === group);
  return html`<section class="form-section" aria-labelledby="section-${group}"><h2 id="section-${group}">${group === 'operation' ? OPERATION_HEADINGS[model.type] : GROUP_HEADINGS[group]}</h2>
${inGroup.map((name) => fieldControl(rules, model.type, name, model.entered[name], problemFor(name)))}
</section>`;
})}
${privacyLink()}
<button type="submit">Submit application</button>
</form>`,
  );
}

function errorSummary(problems: readonly FieldProblem[]): Html | undefined {
  if (problems.length === 0) return undefined;
  const heading =
    problems.length === 1
      ? 'There is one problem with the application'
      : `There are ${problems.length} problems with the application`;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${heading}</h2>
<ul>${problems.map((p) => html`<li><a href="#field-${p.field}">${p.message}</a></li>`)}</ul>
</div>`;
}

function fieldControl(
  rules: PermitRules,
  type: PermitType,
  name: FieldName,
  entered: string | undefined,
  problem: string | undefined,
): Html {
  const spec: FieldSpec = FIELD_SPECS[name];
  const id = `field-${name}`;
  const required = rules.isRequired(type, name);
  const hint = spec.requiredWhen ?? spec.hint ?? HINTS[spec.kind];
  const label = !required && spec.requiredWhen === undefined ? `${spec.label} (optional)` : spec.label;
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
${radio(name, 'yes', 'Yes', entered)}${radio(name, 'no', 'No', entered)}
</fieldset>`;
    case 'consent':
      return html`<div class="${wrapperClass}">${errorHtml}
<div class="choice"><input type="checkbox" value="yes"${controlAttrs(common)}${entered === 'yes' ? html` checked` : undefined}><label for="${id}">${label}</label></div>
</div>`;
    case 'choice':
      return html`<div class="${wrapperClass}"><label for="${id}">${label}</label>${errorHtml}
<select${controlAttrs(common)}><option value="">Choose…</option>${fieldOptions(name, rules.context).map(
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

const NO_TEXT_TODAY =
  ' We cannot send it by text message: this phone number has already had the most texts we send in one day. Please write it down now.';

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
): Confirmation {
  const type = submitted.permitType;
  return {
    summary: isPermitType(type) ? writtenSummary(submitted, rules.fieldsOf(type), rules.context) : [],
    statusLink,
  };
}

export function confirmationPage(reference: string, text: TextOutcome, confirmation?: Confirmation): string {
  const aboutText = text.textMessageQueued
    ? ' We will also send it to you by text message.'
    : text.textLimitReached
      ? NO_TEXT_TODAY
      : '';
  return page(
    'Application received',
    html`<h1>Application received</h1>
<p>Your reference number is</p>
<p class="reference" id="reference">${reference}</p>
<p>Keep it: the health department will ask for it when they contact you.${aboutText}</p>
${
  confirmation?.statusLink === undefined
    ? ''
    : html`<p>You can see the status of your application at any time at <a id="status-link" href="${confirmation.statusLink}">${confirmation.statusLink}</a>.</p>`
}
${
  confirmation === undefined || confirmation.summary.length === 0
    ? ''
    : html`<h2>What you sent</h2>
<dl id="submitted-summary">${confirmation.summary.map((row) => html`<dt>${row.label}</dt><dd>${row.value}</dd>`)}</dl>`
}`,
  );
}

export function reviewPage(view: { reference: string; permitType: string; received: string }): string {
  return page(
    `Application ${view.reference}`,
    html`<h1>Your application</h1>
<dl class="review">
<dt>Reference</dt><dd class="reference" id="reference">${view.reference}</dd>
<dt>Permit</dt><dd>${view.permitType}</dd>
<dt>Received</dt><dd>${view.received}</dd>
<dt>Status</dt><dd id="status">Received, waiting for review by the health department</dd>
</dl>
<p>The health department will contact you about the next step. Quote the reference when you call.</p>`,
  );
}

export function errorPage(status: number, message: string): string {
  return page(
    'Something went wrong',
    html`<h1>${status === 404 ? 'Page not found' : 'We could not accept this request'}</h1><p>${message}</p><p><a href="/apply">Start an application</a></p>`,
  );
}
