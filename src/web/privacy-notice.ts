import { Router } from 'express';
import { catalogueFor } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { html, page, type Html } from './html.ts';

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

export function privacyRoutes(facts: PrivacyNoticeFacts): Router {
  const router = Router();
  const body = privacyNoticePage(facts);
  router.get(PRIVACY_PATH, (_req, res) => {
    res.type('html').send(body);
  });
  return router;
}

/** The link the form pages carry. */
export function privacyLink(language: Language = DEFAULT_LANGUAGE): Html {
  const t = catalogueFor(language).web;
  return html`<p class="privacy-link">${t.privacyLinkBefore} <a href="${PRIVACY_PATH}">${t.privacyLinkText}</a>.</p>`;
}

export function privacyNoticePage(facts: PrivacyNoticeFacts): string {
  const days = `${facts.retentionDays} days`;
  return page(
    'Privacy notice',
    html`<h1>Privacy notice</h1>
<p>The health department takes food permit applications by phone and on this website. This notice says what we keep about you, why, who handles it, and for how long.</p>
<h2>What we collect</h2>
<ul>
<li>What you tell us for the application: names, your business, addresses, phone numbers, email, your menu, dates and the other answers the form asks for.</li>
<li>When you call: the number you call from, and a written transcript of the call, made automatically.${facts.recordsCalls ? ' Calls are also recorded: you are told so before you are connected, and we note when you were told.' : ' Calls are not recorded.'}</li>
<li>The text messages we send you, and whether they were delivered.</li>
</ul>
<h2>Why</h2>
<p>Only to handle your permit application and to contact you about it. We do not sell your information or use it for anything else.</p>
<h2>Who handles it</h2>
<p>Health department staff read applications and call transcripts${facts.recordsCalls ? ' and listen to recordings' : ''} to review your application. Twilio carries our calls and text messages. OpenAI runs the automated assistant that talks with you on the phone and transcribes the call.</p>
<h2>Text messages</h2>
<p>We text you only if you say yes when we ask, and we keep when you said it and whether it was on the phone or on this website. Reply STOP to any of our texts to stop them, and START to have them again.</p>
<h2>How long we keep it</h2>
<ul>
<li>An application that was never submitted, and the record of each call (your number, the transcript${facts.recordsCalls ? ', the recording' : ''}), are erased ${days} after they were last used.</li>
<li>A submitted application is a record the department must keep. It is kept for as long as the department's records schedule requires, usually some years after the permit ends, and may be released under public records law, with personal details withheld where the law allows.</li>
</ul>
<h2>How we protect it</h2>
<p>Personal details, transcripts and recordings are stored encrypted, and only signed-in staff can read them. Every erasure, by staff or when the time above runs out, is written to an audit log.</p>
<h2>Your choices</h2>
<p>You can apply on this website instead of by phone. To see or correct your application, or to ask us to erase your personal data where the law allows, contact the health department and give your reference number if you have one.</p>
<p><a href="/apply">Start an application</a></p>`,
  );
}
