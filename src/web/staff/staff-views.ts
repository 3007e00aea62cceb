import {
  FIELD_NAMES,
  FIELD_SPECS,
  isFieldName,
  type FieldName,
  type PermitRulesContext,
} from '../../permits/permit-fields.ts';
import type { Language } from '../../permits/language.ts';
import { spokenValue } from '../../permits/read-back.ts';
import type { AuditRecord, AuditVerification } from '../../store/audit-log.ts';
import type { TranscriptTurn } from '../../store/call-repository.ts';
import type { StoredApplication } from '../../store/application-repository.ts';
import type { OutboxEntry } from '../../store/sms-outbox-repository.ts';
import { CALL_OUTCOMES, maskedPhone, type CallListEntry } from '../../store/staff-call-directory.ts';
import type { StaffUser } from '../../store/staff-repository.ts';
import { html, Html } from '../html.ts';
import { formatDateTime, formatDuration, formatOffset, formatUsd } from './staff-time.ts';

/**
 * The staff console's pages: server-rendered, usable without JavaScript
 * (only the recording's synchronised highlight needs it), every value
 * escaped by the html tag.
 */

export interface StaffPageContext {
  readonly user: StaffUser;
  readonly csrfToken: string;
  readonly timeZone: string;
  /** For showing answers as words: choice labels, the department's districts. */
  readonly permits: PermitRulesContext;
}

export function staffPage(
  title: string,
  body: Html,
  context: StaffPageContext | undefined,
  options: { readonly script?: string; readonly refreshSeconds?: number } = {},
): string {
  const nav =
    context === undefined
      ? html``
      : html`<nav class="staff-nav" aria-label="Staff console">
<a href="/staff/calls">Calls</a>
<a href="/staff/live">Live</a>
<a href="/staff/call-backs">Call backs</a>
${context.user.role === 'admin' ? html`<a href="/staff/users">Users</a> <a href="/staff/audit">Audit log</a> <a href="/staff/erase">Erase personal data</a> <a href="/staff/switches">Switches</a>` : ''}
<span class="signed-in">Signed in as ${context.user.username} (${context.user.role})</span>
<form method="post" action="/staff/logout" class="inline"><input type="hidden" name="_csrf" value="${context.csrfToken}"><button type="submit">Sign out</button></form>
</nav>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${title} · PermitLine staff</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="stylesheet" href="/static/staff.css">
${options.script === undefined ? '' : html`<script src="${options.script}" defer></script>`}
</head>
<body class="staff">
<header><p class="brand">PermitLine · Staff console</p>${nav}</header>
<main id="main">
${body}
</main>
</body>
</html>`.value;
}

export function loginPage(
  csrfToken: string,
  options: { readonly error?: string; readonly notice?: string; readonly username?: string; readonly next?: string },
): string {
  return staffPage(
    'Sign in',
    html`<h1>Staff sign-in</h1>
${options.notice === undefined ? '' : html`<p class="notice" role="status">${options.notice}</p>`}
${options.error === undefined ? '' : html`<div class="error-summary" role="alert"><p>${options.error}</p></div>`}
<form method="post" action="/staff/login">
<input type="hidden" name="_csrf" value="${csrfToken}">
${options.next === undefined ? '' : html`<input type="hidden" name="next" value="${options.next}">`}
<div class="field"><label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" required value="${options.username ?? ''}"></div>
<div class="field"><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required></div>
<button type="submit">Sign in</button>
</form>`,
    undefined,
  );
}

export function messagePage(title: string, message: string, context: StaffPageContext | undefined): string {
  return staffPage(
    title,
    html`<h1>${title}</h1><p>${message}</p>${context === undefined ? '' : html`<p><a href="/staff/calls">Back to calls</a></p>`}`,
    context,
  );
}

// Staff read the console in English: a language is named in English here, not in itself as on the applicant's pages.
const LANGUAGE_LABELS: Readonly<Record<Language, string>> = { en: 'English', es: 'Spanish' };

export const OUTCOME_LABELS: Readonly<Record<CallListEntry['outcome'], string>> = {
  submitted: 'Submitted',
  transferred: 'Put through to staff',
  fallback: 'Fallback (keypad IVR)',
  abandoned: 'Abandoned',
  'in progress': 'In progress',
};

export interface CallListView {
  readonly entries: readonly CallListEntry[];
  readonly filters: { readonly from: string; readonly to: string; readonly outcome: string; readonly q: string };
  readonly page: number;
  readonly hasMore: boolean;
  readonly problem?: string | undefined;
}

function callerOf(entry: CallListEntry): string {
  return entry.erased ? 'erased' : maskedPhone(entry.callerPhone);
}

export function callListPage(view: CallListView, context: StaffPageContext): string {
  const { filters } = view;
  const link = (page: number): string =>
    `/staff/calls?${new URLSearchParams({ ...filters, page: String(page) }).toString()}`;
  const rows = view.entries.map(
    (entry) => html`<tr>
<td><a href="/staff/calls/${entry.callSid}">${formatDateTime(entry.startedAt, context.timeZone)}</a></td>
<td>${callerOf(entry)}${entry.erased ? html` <span class="tag">erased</span>` : ''}</td>
<td>${formatDuration(entry.durationSeconds)}</td>
<td>${OUTCOME_LABELS[entry.outcome]}${entry.language === 'en' ? '' : ` (${LANGUAGE_LABELS[entry.language]})`}</td>
<td>${entry.reference ?? '—'}</td>
<td>${entry.recordingMs === undefined ? '' : 'recorded'}</td>
</tr>`,
  );
  return staffPage(
    'Calls',
    html`<h1>Calls</h1>
<form method="get" action="/staff/calls" class="filters">
<div class="field"><label for="from">From</label><input type="date" id="from" name="from" value="${filters.from}"></div>
<div class="field"><label for="to">To</label><input type="date" id="to" name="to" value="${filters.to}"></div>
<div class="field"><label for="outcome">Outcome</label><select id="outcome" name="outcome">
<option value="">Any</option>
${CALL_OUTCOMES.map((o) => html`<option value="${o}"${o === filters.outcome ? html` selected` : ''}>${OUTCOME_LABELS[o]}</option>`)}
</select></div>
<div class="field"><label for="q">Reference or phone</label><input type="text" id="q" name="q" value="${filters.q}"></div>
<button type="submit">Show calls</button>
</form>
${view.problem === undefined ? '' : html`<div class="error-summary" role="alert"><p>${view.problem}</p></div>`}
<table class="calls">
<caption>Calls, newest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Caller</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col">Reference</th><th scope="col">Recording</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="6">No calls match.</td></tr>` : rows}</tbody>
</table>
<nav class="pages" aria-label="Pages">
${view.page > 1 ? html`<a href="${link(view.page - 1)}" rel="prev">Newer calls</a>` : ''}
<span>Page ${view.page}</span>
${view.hasMore ? html`<a href="${link(view.page + 1)}" rel="next">Older calls</a>` : ''}
</nav>`,
    context,
  );
}

/** A stored answer as staff read it: the words the agent reads back, except a phone number, which is shown as written. */
function shownValue(name: FieldName, value: unknown, permits: PermitRulesContext): string {
  return FIELD_SPECS[name].kind === 'phone' && typeof value === 'string' ? value : spokenValue(name, value, permits);
}

/** A tool's record of a value (the string itself, or JSON for anything else) back as the value. */
function recordedValue(text: string): unknown {
  if (!/^[[{\d-]|^(true|false)$/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A tool turn as staff read it: what the agent captured or was told, in the form's words ("Type of business entity ← LLC"). */
export function describeToolTurn(text: string, permits: PermitRulesContext): string {
  const [tool, rest = ''] = splitOnce(text, ': ');
  if (tool !== 'update_application') return `${tool.replace(/_/g, ' ')}: ${rest}`;
  const shortLabel = (field: FieldName): string =>
    FIELD_SPECS[field].label.replace(/\?$/, '').replace(/\s*\(.*\)$/, '');
  return rest
    .split('; ')
    .map((part) => {
      const captured = /^(\w+) ← (.*)$/.exec(part);
      if (captured?.[1] !== undefined && isFieldName(captured[1]))
        return `${shortLabel(captured[1])} ← ${shownValue(captured[1], recordedValue(captured[2] ?? ''), permits)}`;
      const rejected = /^(\w+) rejected: (.*)$/.exec(part);
      if (rejected?.[1] !== undefined && isFieldName(rejected[1]))
        return `${shortLabel(rejected[1])} rejected: ${rejected[2] ?? ''}`;
      return part;
    })
    .join('; ');
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

const ROLE_LABELS: Readonly<Record<TranscriptTurn['role'], string>> = {
  caller: 'Caller',
  agent: 'Agent',
  tool: 'Captured',
};

export interface CallDetailView {
  readonly call: CallListEntry;
  readonly transcript: readonly TranscriptTurn[];
}

export function callDetailPage(view: CallDetailView, context: StaffPageContext): string {
  const { call } = view;
  const turns = view.transcript.map(
    (turn, index) => html`<li class="turn turn-${turn.role}" data-offset-ms="${turn.offsetMs}" id="turn-${index + 1}">
<span class="turn-time">${formatOffset(turn.offsetMs)}</span>
<span class="turn-role">${ROLE_LABELS[turn.role]}</span>
<span class="turn-text">${turn.role === 'tool' ? describeToolTurn(turn.text, context.permits) : turn.text}</span>
${call.recordingMs === undefined ? '' : html`<button type="button" class="seek" hidden data-seek="${turn.offsetMs}" aria-label="Play from ${formatOffset(turn.offsetMs)}">Play from here</button>`}
</li>`,
  );
  return staffPage(
    `Call ${formatDateTime(call.startedAt, context.timeZone)}`,
    html`<h1>Call of ${formatDateTime(call.startedAt, context.timeZone)}</h1>
<dl class="facts">
<dt>Caller</dt><dd>${callerOf(call)}</dd>
<dt>Duration</dt><dd>${formatDuration(call.durationSeconds)}</dd>
<dt>Outcome</dt><dd>${OUTCOME_LABELS[call.outcome]}</dd>
<dt>Language</dt><dd>${LANGUAGE_LABELS[call.language]}</dd>
<dt>Model cost</dt><dd>${modelCostOf(call)}</dd>
<dt>Application</dt><dd>${call.applicationId === undefined ? 'none' : html`<a href="/staff/applications/${call.applicationId}">${call.reference ?? 'draft'}</a>`}</dd>
</dl>
${call.erased ? html`<p class="notice">This applicant's personal data was erased: the transcript and recording are gone.</p>` : ''}
${call.recordingMs === undefined ? '' : html`<h2>Recording</h2><audio controls preload="metadata" src="/staff/calls/${call.callSid}/recording" data-recording>Your browser cannot play the recording; <a href="/staff/calls/${call.callSid}/recording">download it</a>.</audio>`}
${call.recordingMs !== undefined && call.recordingCapped ? html`<p class="notice">The recording stops at ${formatOffset(call.recordingMs)}, the longest recording kept; the call went on, and the transcript covers all of it.</p>` : ''}
<h2>Transcript</h2>
<p><button type="button" id="replay" hidden>Replay the call</button> <span id="replay-status" role="status"></span></p>
${turns.length === 0 ? html`<p>No transcript.</p>` : html`<ol class="transcript" data-transcript>${turns}</ol>`}`,
    context,
    { script: '/static/staff-replay.js' },
  );
}

const COUNT = new Intl.NumberFormat('en-US');

/** What the call cost in model tokens; an IVR call, or one still in progress, has none yet. */
function modelCostOf(call: CallListEntry): string {
  if (call.inputTokens === 0 && call.outputTokens === 0 && call.costUsd === 0)
    return call.outcome === 'in progress' ? 'not known until the call ends' : 'none (no model tokens used)';
  return `${formatUsd(call.costUsd)} (${COUNT.format(call.inputTokens)} input tokens, ${COUNT.format(call.outputTokens)} output tokens)`;
}

export interface ApplicationView {
  readonly application: StoredApplication;
  readonly erasedAt: string | undefined;
  readonly calls: readonly CallListEntry[];
  readonly texts: readonly OutboxEntry[];
}

export function applicationPage(view: ApplicationView, context: StaffPageContext): string {
  const { application } = view;
  // In the form's order, whatever order they were given in.
  const fields = FIELD_NAMES.flatMap((name) => {
    const value = application.fields[name];
    if (value === undefined) return [];
    const captured = application.capturedAt[name];
    return [
      html`<tr><th scope="row">${FIELD_SPECS[name].label}</th><td>${shownValue(name, value, context.permits)}</td><td>${captured === undefined ? '' : formatDateTime(captured, context.timeZone)}</td></tr>`,
    ];
  });
  const calls = view.calls.map(
    (call) =>
      html`<li><a href="/staff/calls/${call.callSid}">${formatDateTime(call.startedAt, context.timeZone)}</a> · ${OUTCOME_LABELS[call.outcome]}</li>`,
  );
  const texts = view.texts.map(
    (text) =>
      html`<tr><td>${text.kind === 'summary' ? 'Summary and reference' : 'Link to finish on the web'}</td><td>${text.status}${text.deliveryStatus === undefined ? '' : ` (${text.deliveryStatus})`}</td><td>${text.attempts}</td><td>${text.failureReason ?? ''}${text.errorCode === undefined ? '' : ` (Twilio error ${text.errorCode})`}</td></tr>`,
  );
  return staffPage(
    `Application ${application.reference ?? ''}`.trim(),
    html`<h1>Application ${application.reference ?? '(draft)'}</h1>
<dl class="facts">
<dt>Status</dt><dd>${application.status}</dd>
<dt>Channel</dt><dd>${application.channel === 'ivr' ? 'IVR' : application.channel}</dd>
<dt>Language</dt><dd id="application-language">${LANGUAGE_LABELS[application.language]}</dd>
<dt>Started</dt><dd>${formatDateTime(application.createdAt, context.timeZone)}</dd>
<dt>Submitted</dt><dd>${application.submittedAt === undefined ? '—' : formatDateTime(application.submittedAt, context.timeZone)}</dd>
</dl>
${view.erasedAt === undefined ? '' : html`<p class="notice">Personal data erased on ${formatDateTime(view.erasedAt, context.timeZone)}.</p>`}
<h2>Answers</h2>
<table class="fields"><thead><tr><th scope="col">Field</th><th scope="col">Answer</th><th scope="col">Captured</th></tr></thead><tbody>${fields.length === 0 ? html`<tr><td colspan="3">No answers.</td></tr>` : fields}</tbody></table>
<h2>Calls</h2>
${calls.length === 0 ? html`<p>No calls.</p>` : html`<ul>${calls}</ul>`}
<h2>Text messages</h2>
${texts.length === 0 ? html`<p>No text messages.</p>` : html`<table class="texts"><thead><tr><th scope="col">Text</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Why it failed</th></tr></thead><tbody>${texts}</tbody></table>`}`,
    context,
  );
}

export function auditPage(
  records: readonly AuditRecord[],
  verification: AuditVerification,
  nextBefore: number | undefined,
  context: StaffPageContext,
): string {
  const details = (r: AuditRecord): string =>
    Object.entries(r.detail ?? {})
      .map(([key, value]) => `${key}: ${String(value)}`)
      .join(', ');
  const rows = records.map(
    (r) =>
      html`<tr><td>${r.seq}</td><td>${formatDateTime(r.at, context.timeZone)}</td><td>${r.actor}</td><td>${r.action}</td><td>${r.subject}</td><td>${details(r)}</td><td>${r.sourceAddress}</td></tr>`,
  );
  const status = verification.ok
    ? html`<p class="notice" role="status">The log is intact: ${verification.entries} entries, each chained to the one before.</p>`
    : html`<div class="error-summary" role="alert"><p>The log has been tampered with:</p><ul>${verification.problems.map((p) => html`<li>Row ${p.seq}: ${p.problem}</li>`)}</ul></div>`;
  return staffPage(
    'Audit log',
    html`<h1>Audit log</h1>${status}
<table class="audit"><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Detail</th><th scope="col">From</th></tr></thead><tbody>${rows}</tbody></table>
${nextBefore === undefined ? '' : html`<p><a href="/staff/audit?before=${nextBefore}">Older entries</a></p>`}`,
    context,
  );
}

export function usersPage(
  users: readonly StaffUser[],
  context: StaffPageContext,
  message?: { readonly kind: 'notice' | 'error'; readonly text: string },
): string {
  const token = html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
  const rows = users.map(
    (u) => html`<tr><td>${u.username}</td><td>${u.role}</td><td>${u.disabled ? 'disabled' : 'active'}</td><td>
<form method="post" action="/staff/users/${u.username}/${u.disabled ? 'enable' : 'disable'}" class="inline">${token}<button type="submit">${u.disabled ? 'Enable' : 'Disable'}</button></form>
<form method="post" action="/staff/users/${u.username}/reset-password" class="inline">${token}<label for="pw-${u.id}" class="visually-hidden">New password for ${u.username}</label><input type="password" id="pw-${u.id}" name="password" autocomplete="new-password" placeholder="New password"><button type="submit">Reset password</button></form>
</td></tr>`,
  );
  return staffPage(
    'Staff users',
    html`<h1>Staff users</h1>
${message === undefined ? '' : message.kind === 'error' ? html`<div class="error-summary" role="alert"><p>${message.text}</p></div>` : html`<p class="notice" role="status">${message.text}</p>`}
<table class="users"><thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Add a user</h2>
<form method="post" action="/staff/users">${token}
<div class="field"><label for="new-username">Username</label><input type="text" id="new-username" name="username" required></div>
<div class="field"><label for="new-role">Role</label><select id="new-role" name="role"><option value="staff">staff</option><option value="admin">admin</option></select></div>
<div class="field"><label for="new-password">Password (at least 12 characters)</label><input type="password" id="new-password" name="password" autocomplete="new-password" required></div>
<button type="submit">Add user</button>
</form>`,
    context,
  );
}

export function erasePage(
  context: StaffPageContext,
  message?: { readonly kind: 'notice' | 'error'; readonly text: string },
  target = '',
): string {
  return staffPage(
    'Erase personal data',
    html`<h1>Erase an applicant's personal data</h1>
<p>Personal answers, the caller's number, transcripts, texts and recordings are erased. The applications and calls stay, marked erased; the audit log keeps the erasure.</p>
${message === undefined ? '' : message.kind === 'error' ? html`<div class="error-summary" role="alert"><p>${message.text}</p></div>` : html`<p class="notice" role="status">${message.text}</p>`}
<form method="post" action="/staff/erase"><input type="hidden" name="_csrf" value="${context.csrfToken}">
<div class="field"><label for="target">Reference or phone number</label><input type="text" id="target" name="target" required value="${target}"></div>
<div class="choice"><input type="checkbox" id="confirm" name="confirm" value="yes" required><label for="confirm">I understand this cannot be undone</label></div>
<button type="submit">Erase</button>
</form>`,
    context,
  );
}
