import { catalogueFor, fill } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, type Language } from '../permits/language.ts';
import { withHiddenCharactersShown } from '../permits/plain-text.ts';
import { inLanguage } from './page-language.ts';

/**
 * HTML built with a tagged template that escapes every interpolated value,
 * so applicant text (which may contain <script>, quotes or SQL) is always
 * rendered as text, with control and bidi characters written out rather than
 * sent raw (permits/plain-text.ts). Only `Html` values (our own markup) pass
 * through as is.
 */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return withHiddenCharactersShown(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

type Interpolation = Html | string | number | undefined | null | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/**
 * The department as its applicants know it (DEPARTMENT_NAME, DEPARTMENT_PHONE): its name in every page's header, and
 * the public number the form offers. Unset, the pages use their own words and offer no number.
 */
export interface Department {
  readonly name?: string | undefined;
  /** E.164, US or Canadian. */
  readonly phone?: string | undefined;
}

/**
 * A catalogue line with markup in its `{name}`s (a link in a sentence): the line's own words are escaped like any
 * text, each value is put in as given.
 */
export function fillHtml(line: string, values: Readonly<Record<string, Html>>): Html {
  const parts = line.split(/\{(\w+)\}/);
  return html`${parts.map((part, i) => (i % 2 === 0 ? part : (values[part] ?? `{${part}}`)))}`;
}

export interface PageOptions {
  /** The page's language: `<html lang>`, and the header's words. English when absent (the staff console). */
  readonly language?: Language | undefined;
  /** This page's own address (path and query): with it, the header offers the page in each language. */
  readonly switchFrom?: string | undefined;
  /** Whose pages these are: the header names the department. */
  readonly department?: Department | undefined;
}

export function page(title: string, body: Html, options: PageOptions = {}): string {
  const language = options.language ?? DEFAULT_LANGUAGE;
  const words = catalogueFor(language).web;
  return html`<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${words.siteName}</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header><p class="brand">${fill(words.brand, { department: options.department?.name ?? words.departmentName })}</p>${options.switchFrom === undefined ? undefined : languageSwitch(options.switchFrom, language)}</header>
<main id="main">
${body}
</main>
</body>
</html>`.value;
}

/** "English | Español": each language named in itself, the current one not a link. */
function languageSwitch(here: string, current: Language): Html {
  const choices = LANGUAGES.map((language) =>
    language === current
      ? html`<span lang="${language}" aria-current="true">${LANGUAGE_NAMES[language]}</span>`
      : html`<a href="${inLanguage(here, language)}" lang="${language}" hreflang="${language}" id="language-${language}">${LANGUAGE_NAMES[language]}</a>`,
  );
  return html`<nav class="language-switch" aria-label="${catalogueFor(current).web.languageSwitch}">${choices.map((choice, i) => html`${i === 0 ? '' : ' | '}${choice}`)}</nav>`;
}
