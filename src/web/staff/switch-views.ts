import type { SwitchName, SwitchStatus } from '../../store/service-switches.ts';
import { MAX_REASON_LENGTH } from '../../store/service-switches.ts';
import { html } from '../html.ts';
import { formatDateTime } from './staff-time.ts';
import { staffPage, type StaffPageContext } from './staff-views.ts';

/**
 * The Switches page (administrators): each kill switch with its state, who
 * changed it, when and why, and a form to turn it the other way with a
 * reason. What each one does is said on the page, as in
 * docs/incident-response.md.
 */

export interface SwitchesView {
  readonly switches: readonly SwitchStatus[];
  readonly message?: { readonly kind: 'notice' | 'error'; readonly text: string } | undefined;
}

export const SWITCH_LABELS: Readonly<Record<SwitchName, { readonly title: string; readonly off: string }>> = {
  'voice-ai': {
    title: 'Voice AI',
    off: 'Off: every new call goes to the keypad IVR. Calls already talking with the assistant carry on.',
  },
  'sms-sending': {
    title: 'SMS sending',
    off: 'Off: texts stay queued in the outbox, unsent, and go out once it is on again.',
  },
};

export function switchesPage(view: SwitchesView, context: StaffPageContext): string {
  const token = html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
  const rows = view.switches.map((s) => {
    const label = SWITCH_LABELS[s.name];
    const turnTo = s.state === 'on' ? 'off' : 'on';
    const changed =
      s.changedAt === undefined
        ? html`never changed`
        : html`${formatDateTime(s.changedAt, context.timeZone)} by ${s.changedBy ?? 'unknown'}`;
    return html`<tr id="switch-${s.name}">
<th scope="row">${label.title}<br><small>${label.off}</small></th>
<td class="switch-state">${s.state}</td>
<td>${changed}</td>
<td>${s.reason === '' ? '—' : s.reason}</td>
<td><form method="post" action="/staff/switches/${s.name}" class="inline">${token}<input type="hidden" name="state" value="${turnTo}">
<label for="reason-${s.name}" class="visually-hidden">Reason for turning ${label.title} ${turnTo}</label><input type="text" id="reason-${s.name}" name="reason" maxlength="${MAX_REASON_LENGTH}" placeholder="Reason (no personal data)">
<button type="submit">Turn ${label.title} ${turnTo}</button></form></td>
</tr>`;
  });
  const { message } = view;
  return staffPage(
    'Switches',
    html`<h1>Switches</h1>
<p>Each switch takes effect at once on every instance, without a deploy, and every change is in the audit log. The same switches are <code>npm run voice</code> and <code>npm run sms</code> on the server.</p>
${message === undefined ? '' : message.kind === 'error' ? html`<div class="error-summary" role="alert"><p>${message.text}</p></div>` : html`<p class="notice" role="status">${message.text}</p>`}
<table class="switches">
<thead><tr><th scope="col">Switch</th><th scope="col">State</th><th scope="col">Last changed</th><th scope="col">Reason</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody>
</table>`,
    context,
  );
}
