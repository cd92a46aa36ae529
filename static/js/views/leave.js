/**
 * Leave requests (请假申请) and absence explanations (《缺勤情况说明》) on the phone, offline:
 * the engineer's list with each one's status and the office's note, the leave form (the notice
 * the request gives is shown before sending, by the shared rule in ../leave.js), withdrawing a
 * waiting request, and the explanation form with an optional photo. Everything waits in the
 * outbox; what the typist typed is kept as a draft until it is saved.
 */

import { AttachmentError, newAttachment, preparePhoto } from '../attachments.js';
import { labels, maxLength } from '../contract.js';
import { t, tn } from '../i18n.js';
import { heldServerTime } from '../checkins.js';
import { leaveNotice, stampTime } from '../leave.js';
import { mutation } from '../outbox.js';
import { go } from '../router.js';
import { h, keepDates, oneTap, replace } from './dom.js';

/** The leave types and statuses come with the contract (webapp/models/choices.py). */
export const LEAVE_KINDS = () => labels('leave_kind');
const STATUSES = () => ({ ...labels('explanation_status'), ...labels('leave_status') });
const DEFAULT_ZONE = 'Asia/Shanghai';

function pad(n) { return String(n).padStart(2, '0'); }
function isoDay(d) { return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`; }
function days(first, last) { return first === last ? first : `${first} – ${last}`; }

/** The time now with the phone's own offset, as the server keeps it ("2026-12-02T10:00:00+08:00"). */
export function deviceNow(now = new Date()) {
  const offset = -now.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${isoDay(now)}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`
    + `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * What a notice means, in the engineer's words.
 * @param {{status:string, days:number, needed:number, ahead:number}} n
 */
export function noticeText(n) {
  if (n.status === 'afterwards') return t('Filed afterwards as an emergency: say what happened in the reason.');
  if (n.status === 'short_notice') {
    return tn('Short notice: leave of %(num)d day is asked %(needed)d day(s) ahead.',
      'Short notice: leave of %(num)d days is asked %(needed)d day(s) ahead.', n.days, { needed: n.needed });
  }
  return t('On time.');
}

async function mine(ctx) {
  const userId = ctx.userId();
  const [sites, assignments, leave, explanations] = await Promise.all([
    ctx.db.list(userId, 'site'), ctx.db.list(userId, 'assignment'),
    ctx.db.list(userId, 'leave'), ctx.db.list(userId, 'explanation'),
  ]);
  const me = String(userId);
  const own = (r) => !r.engineer_id || String(r.engineer_id) === me; // not yet sent: no engineer_id
  // Not yet answered by the server: a request waits from the moment it is saved.
  const waiting = (r) => ({ ...r, status: r.status || 'waiting' });
  sites.sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh'));
  return {
    sites, assignments, leave: leave.filter(own).map(waiting), explanations: explanations.filter(own).map(waiting),
  };
}

/**
 * The engineer's leave and explanations.
 * @param {import('./context.js').Context} ctx
 */
export async function renderLeaveList(ctx) {
  const { sites, leave, explanations } = await mine(ctx);
  const siteName = (id) => (sites.find((s) => s.id === String(id)) || {}).name || '';
  const kinds = LEAVE_KINDS();
  const statuses = STATUSES();
  // Waiting first, then the newest leave first.
  leave.sort((a, b) => (b.status === 'waiting') - (a.status === 'waiting')
    || String(b.first_day).localeCompare(String(a.first_day)));
  const withdraw = oneTap(async (r) => {
    if (!window.confirm(t('Withdraw this leave request?'))) return false;
    await ctx.outbox.commitInOrder([mutation({
      entity: 'leave', id: r.id, op: 'withdraw', baseVersion: r._version, changes: {},
      label: `${t('Leave')} · ${days(r.first_day, r.last_day)}`, siteId: String(r.site_id),
    })]);
    ctx.rerender();
    return true;
  });
  const leaveRow = (r) => h('li.tile', { 'data-testid': 'leave-item', class: `leave-${r.status}` },
    h('strong', null, kinds[r.kind] || r.kind, ' · ', keepDates(days(r.first_day, r.last_day))),
    h('span.muted', null, siteName(r.site_id), r.stand_in_name ? ` · ${t('Stand-in: %(name)s', { name: r.stand_in_name })}` : ''),
    h('span', null,
      h('span.badge', { class: `status-${r.status}`, 'data-testid': 'leave-status' }, statuses[r.status] || r.status),
      r._pending ? h('span.badge.pending', null, t('Waiting to be sent')) : null,
      r.notice && r.notice !== 'on_time' ? h('span.badge', { class: `notice-${r.notice}` },
        r.notice === 'afterwards' ? t('Filed afterwards') : t('Short notice')) : null),
    r.office_note ? h('span', { 'data-testid': 'office-note' }, t('Office note: %(note)s', { note: r.office_note })) : null,
    r.status === 'waiting' && !r._pending
      ? h('button.btn.small', { type: 'button', onclick: () => withdraw(r), 'data-testid': 'withdraw' }, t('Withdraw'))
      : null);
  const explanationRow = (r) => h('li.tile', { 'data-testid': 'explanation-item' },
    h('strong', null, t('Absence explanation'), ' · ', keepDates(r.month)),
    h('span.muted', null, siteName(r.site_id)),
    h('span.clip', null, r.text),
    h('span', null, h('span.badge', { class: `status-${r.status}` }, statuses[r.status] || r.status),
      r._pending ? h('span.badge.pending', null, t('Waiting to be sent')) : null),
    r.office_note ? h('span', null, t('Office note: %(note)s', { note: r.office_note })) : null);
  return h('section.stack', null,
    h('div.titlebar', null, h('h1', null, t('Leave')),
      h('a.btn.primary', { href: '#/leave/new', 'data-testid': 'new-leave' }, t('Ask for leave'))),
    leave.length ? h('ul.tiles', null, leave.map(leaveRow)) : h('p.muted', null, t('No leave requests.')),
    h('div.titlebar', null, h('h2', null, t('Absence explanations')),
      h('a.btn', { href: '#/explanations/new', 'data-testid': 'new-explanation' }, t('Write an explanation'))),
    explanations.length ? h('ul.tiles', null, explanations.map(explanationRow))
      : h('p.muted', null, t('No absence explanations.')));
}

function field(label, control, error) {
  return h('label.field', null, h('span', null, label), control, error);
}

/**
 * The leave form.
 * @param {import('./context.js').Context} ctx
 */
export async function renderLeaveForm(ctx) {
  const userId = ctx.userId();
  const { sites, assignments } = await mine(ctx);
  if (!sites.length) {
    return h('div.empty', null, t('Your sites are not on this device yet. Connect to the network once to download them.'));
  }
  const draftKey = 'leave-new';
  const saved = (await ctx.db.draft(userId, draftKey)) || {};
  const stamp = await heldServerTime(ctx.db); // the newest signed server time: a floor for "now"
  const tomorrow = new Date(Date.now() + 86_400_000);
  const values = {
    site_id: sites[0].id, first_day: isoDay(tomorrow), last_day: isoDay(tomorrow), kind: 'personal',
    stand_in_id: '', reason: '', ...saved,
  };
  const errors = {};
  const err = (name) => { errors[name] = h('span.error-text', { role: 'alert', 'data-testid': `error-${name}` }); return errors[name]; };
  const site = h('select', { name: 'site_id' }, sites.map((s) => h('option', { value: s.id, selected: s.id === values.site_id }, s.name)));
  const first = h('input', { type: 'date', name: 'first_day', value: values.first_day, required: true, 'data-testid': 'first-day' });
  const last = h('input', { type: 'date', name: 'last_day', value: values.last_day, required: true, 'data-testid': 'last-day' });
  const kind = h('select', { name: 'kind', 'data-testid': 'kind' },
    Object.entries(LEAVE_KINDS()).map(([k, label]) => h('option', { value: k, selected: k === values.kind }, label)));
  const standIn = h('select', { name: 'stand_in_id', 'data-testid': 'stand-in' });
  const reason = h('textarea', { name: 'reason', rows: 3, maxlength: maxLength('leave', 'reason'), 'data-testid': 'reason' });
  reason.value = values.reason;
  const notice = h('p.notice', { role: 'status', 'data-testid': 'leave-notice' });
  const formError = h('p.error-text', { role: 'alert', 'data-testid': 'form-error' });

  const fillStandIns = () => {
    const here = assignments.filter((a) => String(a.site_id) === site.value && String(a.engineer_id) !== String(userId));
    replace(standIn, h('option', { value: '' }, t('No stand-in')),
      here.map((a) => h('option', { value: String(a.engineer_id), selected: String(a.engineer_id) === values.stand_in_id }, a.engineer_name)));
  };
  const zone = () => (sites.find((s) => s.id === site.value) || {}).timezone || DEFAULT_ZONE;
  const current = () => {
    if (!first.value || !last.value || last.value < first.value) return null;
    return leaveNotice(first.value, last.value, new Date(), zone(), stampTime(stamp));
  };
  const showNotice = () => {
    const n = current();
    notice.className = `notice${n && n.status !== 'on_time' ? ' error' : ''}`;
    notice.dataset.status = n ? n.status : '';
    notice.textContent = n
      ? `${tn('%(num)d day of leave.', '%(num)d days of leave.', n.days)} ${noticeText(n)}`
      : t('Choose the first and the last day.');
  };
  const keep = () => ctx.db.saveDraft(userId, draftKey, {
    site_id: site.value, first_day: first.value, last_day: last.value, kind: kind.value,
    stand_in_id: standIn.value, reason: reason.value,
  });
  fillStandIns();
  showNotice();
  site.addEventListener('change', () => { fillStandIns(); showNotice(); });
  for (const el of [first, last]) el.addEventListener('input', showNotice);
  for (const el of [site, first, last, kind, standIn, reason]) el.addEventListener('input', keep);

  const form = h('form.stack', { novalidate: true },
    h('h1', null, t('Ask for leave')),
    field(t('Site'), site),
    field(t('First day'), first, err('first_day')),
    field(t('Last day'), last, err('last_day')),
    notice,
    field(t('Type'), kind),
    field(t('Stand-in'), standIn),
    field(t('Reason'), reason, err('reason')),
    formError,
    h('button.btn.primary.block', { type: 'submit', 'data-testid': 'send-leave' }, t('Send to the office')),
    h('a.btn.block', { href: '#/leave' }, t('Cancel')));
  form.addEventListener('submit', oneTap(async (event) => {
    event.preventDefault();
    for (const el of Object.values(errors)) el.textContent = '';
    const n = current();
    if (!first.value) { errors.first_day.textContent = t('Choose the first day.'); return; }
    if (!last.value || !n) { errors.last_day.textContent = t('The last day is before the first day.'); return; }
    if (n.status === 'afterwards' && !reason.value.trim()) {
      errors.reason.textContent = t('Leave filed afterwards is an emergency: say what happened.');
      reason.focus();
      return;
    }
    const id = crypto.randomUUID();
    const changes = {
      site_id: site.value, first_day: first.value, last_day: last.value, kind: kind.value,
      reason: reason.value.trim(), stand_in_id: standIn.value || null, filed_at: deviceNow(),
      server_time: stamp, // the server judges the notice from it too when the clock is behind
    };
    const label = `${LEAVE_KINDS()[kind.value]} · ${days(first.value, last.value)}`;
    await ctx.outbox.commitInOrder([mutation({ entity: 'leave', id, op: 'create', changes, label, siteId: site.value })], [], draftKey);
    ctx.flash(t('Saved on this phone; it goes to the office when the network is there.'));
    go('/leave');
    return true;
  }));
  return form;
}

/**
 * The absence explanation form: a month at a site, the text, an optional photo.
 * @param {import('./context.js').Context} ctx
 * @param {{siteId?: string, month?: string}} [prefill] from the home screen's prompt of a
 *   flagged month: that site and month, chosen over a draft's
 */
export async function renderExplanationForm(ctx, prefill = {}) {
  const userId = ctx.userId();
  const { sites } = await mine(ctx);
  if (!sites.length) {
    return h('div.empty', null, t('Your sites are not on this device yet. Connect to the network once to download them.'));
  }
  const draftKey = prefill.month ? `explanation-${prefill.siteId}-${prefill.month}` : 'explanation-new';
  const now = new Date();
  const previous = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const values = {
    site_id: sites[0].id, month: `${previous.getFullYear()}-${pad(previous.getMonth() + 1)}`, text: '',
    ...((await ctx.db.draft(userId, draftKey)) || {}),
  };
  if (prefill.month && sites.some((s) => s.id === prefill.siteId)) {
    values.site_id = prefill.siteId;
    values.month = prefill.month;
  }
  let photo = null;
  const site = h('select', { name: 'site_id' }, sites.map((s) => h('option', { value: s.id, selected: s.id === values.site_id }, s.name)));
  const month = h('input', { type: 'month', name: 'month', value: values.month, 'data-testid': 'month', placeholder: '2026-11' });
  const text = h('textarea', { name: 'text', rows: 6, maxlength: maxLength('explanation', 'text'), 'data-testid': 'explanation-text' });
  text.value = values.text;
  const textError = h('span.error-text', { role: 'alert' });
  const monthError = h('span.error-text', { role: 'alert' });
  const photoState = h('span.muted');
  const photoError = h('span.error-text', { role: 'alert' });
  const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', 'data-testid': 'photo-input' });
  photoInput.addEventListener('change', async () => {
    const file = photoInput.files && photoInput.files[0];
    if (!file) return;
    photoError.textContent = t('Preparing the photo…');
    try {
      photo = await preparePhoto(file, 'photo');
      photoError.textContent = '';
      photoState.textContent = t('Photo ready.');
    } catch (e) {
      photo = null;
      photoError.textContent = e instanceof AttachmentError ? e.message : t('This photo could not be read. Take it again.');
    }
  });
  const keep = () => ctx.db.saveDraft(userId, draftKey, { site_id: site.value, month: month.value, text: text.value });
  for (const el of [site, month, text]) el.addEventListener('input', keep);
  const form = h('form.stack', { novalidate: true },
    h('h1', null, t('Absence explanation')),
    field(t('Site'), site),
    field(t('Month'), month, monthError),
    field(t('Explanation'), text, textError),
    field(t('Photo (optional)'), photoInput, [photoState, photoError]),
    h('button.btn.primary.block', { type: 'submit', 'data-testid': 'send-explanation' }, t('Send to the office')),
    h('a.btn.block', { href: '#/leave' }, t('Cancel')));
  form.addEventListener('submit', oneTap(async (event) => {
    event.preventDefault();
    textError.textContent = '';
    monthError.textContent = '';
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month.value)) { monthError.textContent = t('A month is written YYYY-MM.'); return; }
    if (!text.value.trim()) { textError.textContent = t('This field may not be empty.'); return; }
    const id = crypto.randomUUID();
    const label = `${t('Absence explanation')} · ${month.value}`;
    const create = mutation({
      entity: 'explanation', id, op: 'create', label, siteId: site.value,
      changes: { site_id: site.value, month: month.value, text: text.value.trim(), written_at: deviceNow() },
    });
    const attachments = photo
      ? [newAttachment({ ownerEntity: 'explanation', ownerId: id, kind: 'photo', label, siteId: site.value, photo })]
      : [];
    await ctx.outbox.commit([create], attachments, draftKey);
    ctx.flash(t('Saved on this phone; it goes to the office when the network is there.'));
    go('/leave');
    return true;
  }));
  return form;
}
