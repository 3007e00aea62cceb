import { LANGUAGE_NAMES } from '../../permits/language.ts';
import type { StoredCallBack } from '../../store/call-back-requests.ts';
import { html } from '../html.ts';
import { formatDateTime } from './staff-time.ts';
import { staffPage, type StaffPageContext } from './staff-views.ts';

/**
 * The call-back list: callers who asked for a person when nobody could
 * answer, oldest first, each with the number to ring (in full: staff must
 * dial it), when they asked, the language to speak and the draft's
 * reference; "Done" takes one off the list.
 */

export interface CallBacksView {
  readonly open: readonly StoredCallBack[];
  readonly message?: { readonly kind: 'notice' | 'error'; readonly text: string } | undefined;
}

const CHANNEL_LABELS: Readonly<Record<StoredCallBack['channel'], string>> = {
  ivr: 'Keypad IVR',
  voice: 'AI call',
};

export function callBacksPage(view: CallBacksView, context: StaffPageContext): string {
  const token = html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
  const rows = view.open.map(
    (request) => html`<tr>
<td>${formatDateTime(request.requestedAt, context.timeZone)}</td>
<td><a href="tel:${request.callerNumber}">${request.callerNumber}</a></td>
<td>${LANGUAGE_NAMES[request.language]}</td>
<td>${request.applicationId === undefined ? '—' : html`<a href="/staff/applications/${request.applicationId}">${request.reference ?? 'draft'}</a>`}</td>
<td><a href="/staff/calls/${request.callSid}">${CHANNEL_LABELS[request.channel]}</a></td>
<td><form method="post" action="/staff/call-backs/${request.id}/done" class="inline">${token}<button type="submit">Done</button></form></td>
</tr>`,
  );
  const { message } = view;
  return staffPage(
    'Call backs',
    html`<h1>Call backs</h1>
${message === undefined ? '' : message.kind === 'error' ? html`<div class="error-summary" role="alert"><p>${message.text}</p></div>` : html`<p class="notice" role="status">${message.text}</p>`}
<table class="call-backs">
<caption>Callers waiting for a call back, longest waiting first</caption>
<thead><tr><th scope="col">Asked</th><th scope="col">Number</th><th scope="col">Language</th><th scope="col">Application</th><th scope="col">Call</th><th scope="col">Action</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="6">No one is waiting for a call back.</td></tr>` : rows}</tbody>
</table>`,
    context,
  );
}
