import { completeApplication } from './applications.ts';

/**
 * A browser-less client for the web form: keeps cookies, reads the hidden
 * fields (CSRF token, form id) from the page, and posts like a browser does.
 */
export class FormClient {
  readonly #baseUrl: string;
  readonly #cookies = new Map<string, string>();

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  async get(path: string): Promise<{ status: number; html: string; headers: Headers }> {
    const res = await fetch(this.#baseUrl + path, { headers: this.#cookieHeader(), redirect: 'manual' });
    this.#remember(res);
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  /** Opens the form for a permit type and returns its hidden fields. */
  async openForm(type: string): Promise<{ csrf: string; formId: string; html: string }> {
    const page = await this.get(`/apply?type=${type}`);
    if (page.status !== 200) throw new Error(`GET /apply?type=${type} answered ${page.status}`);
    return { csrf: hiddenValue(page.html, '_csrf'), formId: hiddenValue(page.html, 'formId'), html: page.html };
  }

  async post(
    path: string,
    fields: Record<string, string | readonly string[]>,
  ): Promise<{
    status: number;
    html: string;
    location: string | null;
    setCookie: readonly string[];
    headers: Headers;
  }> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of typeof value === 'string' ? [value] : value) body.append(name, v);
    }
    const res = await fetch(this.#baseUrl + path, {
      method: 'POST',
      headers: { ...this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
    this.#remember(res);
    return {
      status: res.status,
      html: await res.text(),
      location: res.headers.get('location'),
      setCookie: res.headers.getSetCookie(),
      headers: res.headers,
    };
  }

  /** The Cookie header this client would send, for a request made without it (a media fetch with a Range header). */
  cookies(): Record<string, string> {
    return this.#cookieHeader();
  }

  forgetCookies(): void {
    this.#cookies.clear();
  }

  #cookieHeader(): Record<string, string> {
    return this.#cookies.size === 0 ? {} : { cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  #remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
}

export function hiddenValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no hidden field ${name} in page`);
  return match[1];
}

/** A typed application as a browser posts it: yes/no for booleans, one line per list item, text for the rest. */
export function asFormPost(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const post: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'boolean') post[name] = value ? 'yes' : 'no';
    else if (Array.isArray(value)) post[name] = value.join('\r\n');
    else post[name] = String(value);
  }
  return post;
}

/** The fixture event application as a form post, with its dates moved to next year so they never fall in the past. */
export function eventFormFields(): Record<string, string> {
  const year = new Date().getFullYear() + 1;
  return {
    ...asFormPost(completeApplication('temporary_food_event')),
    eventStartDate: `03/03/${year}`,
    eventEndDate: `March 4th ${year}`,
  };
}
