import { withHiddenCharactersShown } from '../permits/plain-text.ts';

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

export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · PermitLine</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header><p class="brand">PermitLine · Food permit applications</p></header>
<main id="main">
${body}
</main>
</body>
</html>`.value;
}
