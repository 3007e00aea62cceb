import { html, page } from './html.ts';

/** The pages a resume link can lead to besides the form itself; none of them shows an answer. */

export const RESUME_LINK_NOT_VALID =
  'This link is not valid. Check that the whole link from the text message was opened.';

export function resumeLinkExpiredPage(): string {
  return page(
    'This link has expired',
    html`<h1>This link has expired</h1>
<p>The link to finish your application has expired, so it no longer opens your answers.</p>
<p>Please <a href="/apply">start a new application</a>, or call us again to apply by phone.</p>`,
  );
}

export function alreadySubmittedPage(reference: string): string {
  return page(
    'Application already received',
    html`<h1>This application has already been sent</h1>
<p>Your reference number is</p>
<p class="reference" id="reference">${reference}</p>
<p>There is nothing more to do. Keep the reference: the health department will ask for it when they contact you.</p>`,
  );
}
