/**
 * One fault on the phone: its clocks (time left), its whole history and one-tap steps —
 * responded (by phone / on the way), on site, waiting (parts / client), resumed, resolved with
 * diagnosis, what was done and parts. Steps are saved to the outbox and work offline; the
 * status and clocks are read from the steps by the same rule as the server (fault-life.js).
 */

import { AttachmentError, newAttachment, preparePhoto } from '../attachments.js';
import { labels, maxLength } from '../contract.js';
import { derive } from '../fault-life.js';
import { t } from '../i18n.js';
import { mutation } from '../outbox.js';
import { deviceTime } from '../rounds.js';
import { h, oneTap } from './dom.js';
import { partsPicker, siteStock, usesOfFault } from './parts.js';
import { contactForms } from './round-start.js';

// The words of a fault's life come with the contract (webapp/models/choices.py).
const STATUS = () => labels('fault_status');
/**
 * The forms opened on a fault's screen ("<fault id>:resolve", "<fault id>:analysis"): a redraw
 * of the screen (fresh data from a sync) keeps them open; saving one closes it.
 */
const opened = new Set();
const KIND = () => ({ ...labels('fault_status'), ...labels('fault_step') });
const WHY = () => labels('fault_effect');
const DETAIL = () => ({
  ...labels('fault_channel'), ...labels('fault_waiting'), ...labels('fault_escalation'),
});

function minutes(ms) {
  const total = Math.floor(Math.abs(ms) / 60000);
  return total >= 60 ? t('%(h)d h %(m)d min', { h: Math.floor(total / 60), m: total % 60 })
    : t('%(m)d min', { m: total });
}

function clockLine(name, c) {
  const used = c.used_s * 1000;
  const limit = c.limit_s * 1000;
  let what;
  if (c.stopped) {
    what = `${c.breached ? t('Breached') : t('Met')} · ${t('%(used)s of %(limit)s', { used: minutes(used), limit: minutes(limit) })}`;
  } else if (c.due === null) {
    what = t('Paused while waiting');
  } else if (c.breached) {
    what = `${t('Breached')} · ${t('%(over)s over', { over: minutes(used - limit) })}`;
  } else {
    what = t('%(left)s left', { left: minutes(limit - used) });
  }
  const state = c.breached ? 'breached' : c.warning ? 'warning' : c.stopped ? 'met' : '';
  return h('span', { class: `clock ${state}`, 'data-testid': `clock-${name}` },
    h('span.clock-name', null, name === 'respond' ? t('Respond') : t('Resolve')), ' ', what);
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} id
 */
export async function renderFault(ctx, id) {
  const userId = ctx.userId();
  const [faults, events] = await Promise.all([
    ctx.db.list(userId, 'fault'),
    ctx.db.children(userId, id),
  ]);
  const fault = faults.find((f) => String(f.id) === String(id));
  if (!fault) return h('div.empty', null, t('Nothing here.'));
  const steps = events.filter((e) => e.kind).map((e) => ({
    ...e, seq: e._pending ? null : e.server_seq, details: e.details || detailsOf(e),
  }));
  // A fault reported here and not yet sent has no contract from the server yet: its steps are
  // read all the same, its clocks are shown once it arrives.
  const state = fault.reported_at
    ? derive(fault, steps, fault.policy || UNKNOWN_CONTRACT, Date.now()) : null;
  const clocks = Boolean(state && fault.policy);
  const effects = new Map((state ? state.events : []).map((e) => [String(e.id), e]));
  const order = state ? state.events.map((e) => String(e.id)) : steps.map((e) => String(e.id));
  const byId = new Map(steps.map((e) => [String(e.id), e]));
  const status = state ? state.status : (fault.status || 'reported');

  // One step per tap, however fast the taps: the screen is drawn again once a step is saved.
  const take = oneTap(async (kind, details = {}, note = '', more = []) => {
    const eventId = crypto.randomUUID();
    await ctx.outbox.commitInOrder([mutation({
      entity: 'fault_event', id: eventId, op: 'create', siteId: fault.site_id,
      label: `${fault.number || t('Fault')} · ${KIND()[kind]}`,
      changes: { fault_id: String(fault.id), kind, at: deviceTime(), note, ...details },
    }), ...more]);
    ctx.flash(`${KIND()[kind]}: ${t('saved')}`);
    ctx.rerender();
    return true;
  });

  // Parts picked from the site's stock go with the resolution, each use its own mutation.
  const user = ctx.session.user;
  const usesParts = Boolean(user && user.role !== 'client'); // auth/permissions.py ("part", "use")
  const device = fault.equipment_id ? await ctx.db.record(ctx.userId(), 'equipment', String(fault.equipment_id)) : null;
  const picker = partsPicker(fault, usesParts ? await siteStock(ctx, fault.site_id) : [], fault.number || t('Fault'), device);
  const panel = (name) => `${fault.id}:${name}`;
  const resolveForm = h('form.card.fault-resolve', {
    hidden: !opened.has(panel('resolve')), 'data-testid': 'resolve-form',
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      opened.delete(panel('resolve'));
      await take('resolved', {
        diagnosis: String(data.get('diagnosis')).trim(),
        action: String(data.get('action')).trim(),
        parts: String(data.get('parts')).trim(),
      }, String(data.get('note')).trim(), picker.mutations(data));
    },
  },
  h('label', null, t('Diagnosis'), h('textarea', { name: 'diagnosis', required: true, maxlength: maxLength('fault_step', 'diagnosis') })),
  h('label', null, t('What was done'), h('textarea', { name: 'action', required: true, maxlength: maxLength('fault_step', 'action') })),
  picker.el,
  h('label', null, picker.el ? t('Other parts used') : t('Parts used'), h('input', { name: 'parts', maxlength: maxLength('fault_step', 'parts') })),
  h('label', null, t('Note'), h('input', { name: 'note', maxlength: maxLength('fault_step', 'note') })),
  h('button.btn.primary', { type: 'submit', 'data-testid': 'resolve-save' }, t('Resolved')));

  // The case analysis (case报告): root cause, improvement, lessons, once the fault is resolved.
  // Each save is a step; the form starts from the latest one, and the case report prints it.
  const latest = order.map((eid) => byId.get(eid)).filter((e) => e && e.kind === 'reviewed').pop();
  const review = latest ? latest.details || {} : {};
  const analysisField = (name, label, required = false) => h('label', null, label,
    h('textarea', { name, required, rows: 3, maxlength: maxLength('fault_step', name) }, review[name] || ''));
  const analysisForm = h('form.card.case-analysis', {
    hidden: !opened.has(panel('analysis')), 'data-testid': 'case-analysis-form',
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const text = (name) => String(data.get(name) || '').trim();
      if (!text('root_cause')) return;
      opened.delete(panel('analysis'));
      await take('reviewed', { root_cause: text('root_cause'), improvement: text('improvement'), lessons: text('lessons') });
    },
  },
  analysisField('root_cause', t('Root cause'), true),
  analysisField('improvement', t('Improvement')),
  analysisField('lessons', t('Lessons')),
  h('button.btn.primary', { type: 'submit', 'data-testid': 'case-analysis-save' }, t('Save the case analysis')),
  h('p.muted.small', null, t('Each save is a step in the history; the case report prints the latest.')));
  const analysable = usesParts && ['resolved', 'confirmed', 'closed'].includes(status);
  const analysis = !analysable ? null : h('div.fault-steps', null,
    h('button.btn', { type: 'button', 'data-testid': 'step-review', onclick: () => { opened.add(panel('analysis')); analysisForm.hidden = false; } }, t('Case analysis')),
    fault.number && navigator.onLine
      ? h('a.btn', { href: `/api/faults/${encodeURIComponent(fault.id)}/report.pdf`, target: '_blank', rel: 'noopener', 'data-testid': 'case-report-pdf' }, t('Case report (PDF)'))
      : null);

  const open = ['reported', 'responded', 'on_site', 'waiting'].includes(status);
  if (!open) resolveForm.hidden = true; // resolved meanwhile (a sync brought it)
  if (!analysable) analysisForm.hidden = true;
  const button = (label, testid, onclick) => h('button.btn', { type: 'button', 'data-testid': testid, onclick }, label);
  const actions = !open ? null : h('div.fault-steps', null,
    status === 'reported' ? [
      button(t('By phone'), 'step-phone', () => take('responded', { channel: 'phone' })),
      button(t('On the way'), 'step-way', () => take('responded', { channel: 'on_the_way' })),
    ] : null,
    ['reported', 'responded'].includes(status) ? button(t('On site'), 'step-on-site', () => take('on_site')) : null,
    status === 'waiting'
      ? button(t('Resumed'), 'step-resumed', () => take('resumed'))
      : [
        button(t('Waiting for parts'), 'step-wait-parts', () => take('waiting', { waiting_for: 'parts' })),
        button(t('Waiting for the client'), 'step-wait-client', () => take('waiting', { waiting_for: 'client' })),
      ],
    button(t('Resolved'), 'step-resolve', () => { opened.add(panel('resolve')); resolveForm.hidden = false; }));

  const history = h('ol.timeline.fault-history', { 'data-testid': 'fault-history' },
    h('li', null, h('strong', null, t('Reported')), ' · ', String(fault.reported_at || '').slice(0, 16).replace('T', ' ')),
    order.map((eid) => {
      const e = byId.get(eid);
      const effect = effects.get(eid);
      const d = e.details || {};
      return h('li', { class: effect && !effect.applied ? 'no-effect' : '', 'data-kind': e.kind },
        h('strong', null, KIND()[e.kind] || e.kind), ' · ', String(e.at).slice(0, 16).replace('T', ' '),
        e.by_name ? ` · ${e.by_name}` : '', e._pending ? h('span.badge.pending', null, t('Not sent yet')) : null,
        d.channel || d.waiting_for || d.to ? h('div', null, DETAIL()[d.channel || d.waiting_for || d.to]) : null,
        d.diagnosis ? h('div', null, `${t('Diagnosis')}: ${d.diagnosis}`) : null,
        d.action ? h('div', null, `${t('What was done')}: ${d.action}`) : null,
        d.parts ? h('div', null, `${t('Parts used')}: ${d.parts}`) : null,
        d.reason ? h('div', null, `${t('Reason')}: ${d.reason}`) : null,
        d.root_cause ? h('div', null, `${t('Root cause')}: ${d.root_cause}`) : null,
        d.improvement ? h('div', null, `${t('Improvement')}: ${d.improvement}`) : null,
        d.lessons ? h('div', null, `${t('Lessons')}: ${d.lessons}`) : null,
        d.round_id ? h('div', null, h('a', { href: `#/rounds/${encodeURIComponent(d.round_id)}` },
          `${t('Customer service contact form')} ${d.number || ''}`), d.signer ? ` · ${t('Signed by:')} ${d.signer}` : '') : null,
        e.note ? h('div.muted', null, e.note) : null,
        effect && !effect.applied ? h('div.error-text', null, WHY()[effect.why]) : null);
    }));

  const el = h('section.fault', { 'data-testid': 'fault-screen' },
    h('h1', null, fault.number || t('Fault'), ' ',
      h('span.badge', { 'data-testid': 'fault-status', 'data-status': status }, STATUS()[status] || status)),
    h('p', null, fault.description),
    clocks ? h('p.clocks', null, clockLine('respond', state.respond), ' ', clockLine('resolve', state.resolve)) : null,
    actions, resolveForm, analysis, analysisForm, await usesOfFault(ctx, fault.id),
    await contactForms(ctx, fault),
    h('h2', null, t('History')), history);
  return el;
}

/**
 * A fault's status as this device reads it from its steps (those not yet sent included), by
 * the shared rule; the server's column when the fault has no report time yet.
 * @param {import('./context.js').Context} ctx
 * @param {object} fault
 */
export async function statusOnDevice(ctx, fault) {
  if (!fault.reported_at) return fault.status || 'reported';
  const events = await ctx.db.children(ctx.userId(), String(fault.id));
  const steps = events.filter((e) => e.kind).map((e) => ({
    ...e, seq: e._pending ? null : e.server_seq, details: e.details || detailsOf(e),
  }));
  return derive(fault, steps, fault.policy || UNKNOWN_CONTRACT, Date.now()).status;
}

/** A step saved on this device keeps its fields flat, as it was sent. */
function detailsOf(e) {
  const names = ['channel', 'waiting_for', 'diagnosis', 'action', 'parts', 'reason', 'to', 'assignee_id', 'contact',
    'root_cause', 'improvement', 'lessons'];
  return Object.fromEntries(names.filter((n) => e[n] !== undefined).map((n) => [n, e[n]]));
}

const UNKNOWN_CONTRACT = {
  respond_minutes: 10, resolve_minutes: 120, round_the_clock: true, periods: [], timezone: 'Asia/Shanghai',
  days: {}, waiting_stops_clock: true,
};

const SEVERITIES = () => labels('severity');

/**
 * "Report a fault" on a device's screen (reached from the site's register or a scanned tag):
 * what is wrong and how urgent, and a photo if one is taken (a client user's 报修 too), saved
 * to the outbox together — the fault first, then its photo; the number is given on arrival.
 * @param {import('./context.js').Context} ctx
 * @param {{id: string, site_id: string, location_id?: string|null, name?: string}} item
 */
export function reportFaultForm(ctx, item) {
  const photoError = h('p.error-text', { 'data-testid': 'report-fault-photo-error', role: 'alert' });
  const form = h('form.card.fault-report', {
    'data-testid': 'report-fault-form',
    onsubmit: oneTap(async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const description = String(data.get('description')).trim();
      if (!description) return false;
      const id = crypto.randomUUID();
      const file = data.get('photo');
      let attachment = null;
      if (file && file.size) {
        photoError.textContent = t('Preparing the photo…');
        try {
          attachment = newAttachment({
            ownerEntity: 'fault', ownerId: id, kind: 'photo', siteId: item.site_id,
            photo: await preparePhoto(file, 'photo'), label: `${t('Photo')} · ${description.slice(0, 60)}`,
          });
        } catch (failure) {
          if (!(failure instanceof AttachmentError)) throw failure;
          photoError.textContent = failure.message;
          return false;
        }
        photoError.textContent = '';
      }
      await ctx.outbox.commitInOrder([mutation({
        entity: 'fault', id, op: 'create', siteId: item.site_id,
        label: `${t('Fault')} · ${description.slice(0, 60)}`,
        changes: {
          site_id: String(item.site_id), location_id: item.location_id ? String(item.location_id) : null,
          equipment_id: String(item.id), description, severity: String(data.get('severity')),
          photos: [], reported_at: deviceTime(),
        },
      }), ...(attachment ? [attachment.mutation] : [])], attachment ? [attachment.blob] : []);
      ctx.flash(t('Fault reported; its number is given when it reaches the server.'));
      location.hash = `#/faults/${encodeURIComponent(id)}`;
      return true;
    }),
  },
  h('label', null, t('What is wrong'),
    h('textarea', { name: 'description', required: true, maxlength: maxLength('fault', 'description') })),
  h('label', null, t('Severity'), h('select', { name: 'severity' },
    Object.entries(SEVERITIES()).map(([k, v]) => h('option', { value: k, selected: k === 'medium' }, v)))),
  h('label', null, t('Photo (optional)'),
    h('input', { type: 'file', name: 'photo', accept: 'image/*', capture: 'environment', 'data-testid': 'report-fault-photo' })),
  photoError,
  h('button.btn.primary', { type: 'submit', 'data-testid': 'report-fault-save' }, t('Report a fault')));
  return h('details.report-fault', null,
    h('summary.btn.block', { 'data-testid': 'report-fault' }, t('Report a fault')), form);
}

/**
 * The site's open faults, the one with the least time left first, each leading to its screen.
 * @param {import('./context.js').Context} ctx
 * @param {string} siteId
 */
export async function openFaultsSection(ctx, siteId) {
  const userId = ctx.userId();
  const faults = (await ctx.db.list(userId, 'fault')).filter((f) => String(f.site_id) === String(siteId));
  if (!faults.length) return null;
  const events = await ctx.db.childrenOf(userId, faults.map((f) => f.id));
  const now = Date.now();
  const rows = [];
  for (const fault of faults) {
    const steps = events.filter((e) => String(e.fault_id) === String(fault.id))
      .map((e) => ({ ...e, seq: e._pending ? null : e.server_seq, details: e.details || detailsOf(e) }));
    const state = derive(fault, steps, fault.policy || UNKNOWN_CONTRACT, now);
    if (!['reported', 'responded', 'on_site', 'waiting'].includes(state.status)) continue;
    const clock = state.respond.stopped ? state.resolve : state.respond;
    const left = clock.due === null ? Infinity : clock.limit_s - clock.used_s;
    rows.push({ fault, state, clock, left, name: clock === state.respond ? 'respond' : 'resolve' });
  }
  if (!rows.length) return null;
  rows.sort((a, b) => a.left - b.left);
  return h('section.card.site-faults', { 'data-testid': 'site-faults' },
    h('h2', null, t('Open faults')),
    h('ul.rows.links', null, rows.map(({ fault, state, clock, name }) => h('li', null,
      h('a.row-link', { href: `#/faults/${encodeURIComponent(fault.id)}`, 'data-fault': fault.id },
        h('span.row-main', null,
          h('strong', null, fault.number || t('Fault')), ' ',
          h('span.badge', null, STATUS()[state.status]),
          h('span.small', null, fault.description)),
        fault.policy ? h('span.row-side', null, clockLine(name, clock)) : null)))));
}
