/**
 * Doing a round on the phone: every answer is stored the moment it is given (closing the app
 * or a dead battery loses nothing), photos come from the camera and are scaled on the device,
 * progress is shown, and submission names the items still missing. Works with the network off.
 */

import { expand, text } from '../checklist.js';
import { labelOf, maxLength } from '../contract.js';
import { t } from '../i18n.js';
import { mutation } from '../outbox.js';
import { go } from '../router.js';
import { answerMutation, answersByKey, roundStatus } from '../rounds.js';
import { confirmAction, h } from './dom.js';
import { statusOnDevice } from './fault.js';
import { describeChange } from './outbox.js';
import { answerWriter, progressBar } from './round-answers.js';
import { itemCard } from './round-item.js';
import { submitPanel } from './round-submit.js';

/**
 * Everything a round screen needs, read from the device's store.
 * @returns {Promise<object|null>}
 */
export async function loadRound(ctx, id) {
  const userId = ctx.userId();
  const rec = await ctx.db.record(userId, 'round', id);
  if (!rec || !rec.local) return null;
  const round = { ...rec.local, status: roundStatus(rec.local), id, _version: rec.version, _pending: rec.pending };
  const [versionRec, answers, equipment, templates, blobs, attachments, faults, sites, entries] = await Promise.all([
    ctx.db.record(userId, 'template_version', String(round.template_version_id)),
    ctx.db.children(userId, id),
    ctx.db.list(userId, 'equipment'),
    ctx.db.list(userId, 'template'),
    ctx.db.blobsOf(userId, id),
    ctx.db.list(userId, 'attachment'),
    ctx.db.list(userId, 'fault'),
    ctx.db.list(userId, 'site'),
    ctx.outbox.entries(),
  ]);
  const version = versionRec && versionRec.local;
  const template = version && templates.find((tpl) => tpl.id === String(version.template_id));
  return {
    round, version, template, answers, blobs, faults,
    attachments: attachments.filter((a) => String(a.owner_id) === id),
    equipment: new Map(equipment.map((e) => [e.id, e])),
    site: sites.find((s) => s.id === String(round.site_id)),
    refused: entries.filter((e) => (e.id === id || e.changes?.round_id === id) && e.status === 'needs_attention'),
  };
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} id
 */
export async function renderRound(ctx, id) {
  const data = await loadRound(ctx, id);
  if (!data) {
    return h('section', null, h('p.crumbs', null, h('a', { href: '#/' }, t('Home'))),
      h('div.empty', null, t('This round is not on this device.')));
  }
  if (!data.version) {
    return h('section', null, h('div.empty', null,
      t('The checklist of this round is not on this device yet. Connect to the network once to download it.')));
  }
  const screen = await roundState(ctx, id, data);
  const el = h('section.round', { 'data-testid': 'round' },
    roundHeading({ ...screen, ctx }),
    screen.sealed ? sealedNotice(screen.round) : null,
    await unresolvedFault(ctx, screen),
    faultsRaised(data.faults, id),
    screen.progress.el,
    itemSections(ctx, screen),
    screen.readOnly ? null : await submitPanel(ctx, screen));
  // Not redrawn under the user's thumb when a pull lands; pending saves finish before leaving.
  return { el, leave: () => screen.settled() };
}

/** What every part of the round screen reads: the round, its answers, drafts and the writer. */
async function roundState(ctx, id, data) {
  const { round, version } = data;
  const content = version.content;
  const locale = ctx.locale();
  const userId = ctx.userId();
  const sealed = round.status === 'sealed';
  const answers = answersByKey(data.answers);
  const severityKey = `round:${id}:severity`;
  const severities = (await ctx.db.draft(userId, severityKey)) || {};
  const progress = progressBar(content, round, answers);
  const writer = answerWriter(ctx, { round, content, locale, answers, onSaved: progress.draw });
  return {
    id, data, round, version, content, locale, answers, severities, progress, sealed,
    readOnly: sealed,
    isReport: (data.template && data.template.form === 'maintenance_report') || content.form === 'maintenance_report',
    isContactForm: content.form === 'contact_form',
    photoUrls: photoSources(ctx, data),
    cards: new Map(),
    save: writer.save,
    allNormal: writer.allNormal,
    settled: writer.settled,
    keepSeverity: async (key, value) => {
      severities[key] = value;
      await ctx.db.saveDraft(userId, severityKey, severities);
    },
  };
}

/** Crumbs, title and status, the report number, the paper form's header, refused changes. */
function roundHeading({ ctx, round, version, content, locale, isReport, isContactForm, data }) {
  const site = data.site;
  const header = round.header || {};
  return [
    h('p.crumbs', null, h('a', { href: '#/' }, t('Home')),
      site ? [' › ', h('a', { href: `#/sites/${encodeURIComponent(site.id)}` }, site.name)] : null),
    h('div.titlebar', null, h('h1', null, text(content.title, locale)),
      h('span.badge', { class: `round-${round.status}` }, labelOf('round_status', round.status, { short: true }))),
    h('p.muted', null, round.number ? `${t('Report number')} ${round.number}` : t('The report number is given when the round reaches the server.'),
      ' · ', t('Version %(num)d', { num: version.number })),
    (isReport || isContactForm) && round.status !== 'sealed' ? headerEditor(ctx, round, text(content.title, locale)) : null,
    isReport || isContactForm ? h('dl.facts.card.small', { 'data-testid': 'round-header' },
      h('dt', null, t('Client')), h('dd', null, header.client_name || '—'),
      h('dt', null, t('Contact')), h('dd', null, [header.contact, header.phone].filter(Boolean).join(' ') || '—'),
      h('dt', null, t('Address')), h('dd', null, header.address || '—'),
      h('dt', null, t('Service time')), h('dd', null, header.service_time || '—'),
      round.fault_id ? [h('dt', null, t('Fault')), h('dd', null, h('a', { href: `#/faults/${encodeURIComponent(round.fault_id)}`, 'data-testid': 'round-fault' },
        faultNumber(data, round.fault_id)))] : null) : null,
    data.refused.map((entry) => h('div.notice.error', { 'data-testid': 'round-refused' },
      h('strong', null, t('The server refused a change:')), ' ', describeChange(entry), t(': '),
      entry.last_error || t('No reason given.'), ' ',
      h('a', { href: '#/outbox' }, t('See the outbox')))),
  ];
}

/**
 * The paper form's header (client, contact, phone, address, service time), prefilled from the
 * site when the round started; the engineer corrects it (the person who asked for the service
 * may not be the site's contact) until the client signs. Saved as the round's header update.
 */
function headerEditor(ctx, round, title) {
  const header = round.header || {};
  const names = [['client_name', t('Client name')], ['contact', t('Contact')], ['phone', t('Phone')],
    ['address', t('Address')], ['service_time', t('Service time')]];
  const form = h('form.stack', {
    'data-testid': 'header-form',
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const changed = Object.fromEntries(names.map(([name]) => [name, String(data.get(name) || '').trim()]));
      await ctx.outbox.commitInOrder([mutation({
        entity: 'round', id: round.id, op: 'update', baseVersion: round._version, siteId: round.site_id,
        label: [title, round.number].filter(Boolean).join(' '),
        changes: { header: changed },
      })]);
      ctx.flash(t('saved'));
      ctx.rerender();
    },
  },
  names.map(([name, label]) => h('label', null, label,
    h('input', { name, value: header[name] || '', maxlength: maxLength('round_header', name), 'data-field': name }))),
  h('button.btn.primary', { type: 'submit', 'data-testid': 'header-save' }, t('Save')));
  return h('details.card.header-edit', null, h('summary', { 'data-testid': 'header-edit' }, t('Edit')), form);
}

/**
 * A contact form's fault not yet resolved: the client's signature would confirm nothing (a
 * confirmation needs a resolution first, docs/faults.md), so the engineer is told before the
 * hand-over, with the way to the fault.
 */
async function unresolvedFault(ctx, { round, data, sealed }) {
  const fault = round.fault_id && !sealed && data.faults.find((f) => String(f.id) === String(round.fault_id));
  if (!fault) return null;
  const status = await statusOnDevice(ctx, fault);
  if (!['reported', 'responded', 'on_site', 'waiting'].includes(status)) return null;
  return h('p.notice', { 'data-testid': 'fault-not-resolved' },
    t('The fault is not resolved yet: the client’s signature confirms only a resolved fault.'), ' ',
    h('a', { href: `#/faults/${encodeURIComponent(fault.id)}` }, t('Open the fault')));
}

/** The number of the fault a contact form was started from, once the server has given it. */
function faultNumber(data, faultId) {
  const fault = data.faults.find((f) => String(f.id) === String(faultId));
  return (fault && fault.number) || t('Fault');
}

/**
 * The items, grouped by section and, in a per-device section, by device (with "All normal").
 * Fills `screen.cards` (item key -> card).
 */
function itemSections(ctx, screen) {
  const { round, data, locale, readOnly, answers, cards } = screen;
  const entries = expand(screen.content, round.equipment_ids || []);
  const sections = [];
  let members = null;
  let group = null;
  let last = null;
  for (const entry of entries) {
    if (!last || entry.section !== last.section || entry.equipment_id !== last.equipment_id) {
      members = [];
      group = h('div.round-items');
      sections.push(sectionHead(entry, data.equipment, { locale, readOnly, group, onAllNormal: allNormalOf(screen, members) }));
    }
    last = entry;
    members.push(entry);
    const card = itemCard(ctx, {
      entry, answer: answers[entry.key], locale, readOnly, photoUrls: screen.photoUrls,
      severities: screen.severities, round,
      onAnswer: (next, extra) => screen.save(entry, next, extra),
      onSeverity: (value) => screen.keepSeverity(entry.key, value),
    });
    cards.set(entry.key, card);
    group.append(card);
  }
  return sections;
}

function allNormalOf(screen, members) {
  return () => screen.allNormal(members, screen.cards);
}

/** A section's title, and the device it is about with its "All normal" button. */
function sectionHead(entry, equipment, { locale, readOnly, group, onAllNormal }) {
  const device = entry.equipment_id ? equipment.get(entry.equipment_id) : null;
  return h('section.round-section', null,
    h('h2', null, text(entry.section.title, locale)),
    device ? h('div.device-name', null, h('strong', null, device.name),
      device.code ? h('span.muted', null, ` ${device.code}`) : null,
      readOnly ? null : h('button.btn.small', {
        type: 'button', 'data-testid': 'all-normal', onclick: onAllNormal,
      }, t('All normal'))) : null,
    group);
}

/** The faults this round raised, each opening its own screen (its life and clocks). */
function faultsRaised(faults, id) {
  const raised = faults.filter((f) => String(f.round_id || '') === String(id));
  if (!raised.length) return null;
  return h('section.card.round-faults', { 'data-testid': 'round-faults' },
    h('h2', null, t('Faults raised')),
    h('ul.rows.links', null, raised.map((f) => h('li', null,
      h('a.row-link', { href: `#/faults/${encodeURIComponent(f.id)}`, 'data-fault': f.id },
        h('strong', null, f.number || t('Number given when it reaches the server')), ' ',
        h('span.small', null, f.description))))));
}

function sealedNotice(round) {
  return h('div.notice.sealed', { 'data-testid': 'sealed' },
    h('p', null, h('strong', null, t('Signed by %(name)s. This record is sealed and can no longer be changed.',
      { name: (round.acceptance && round.acceptance.signer) || '—' }))),
    h('p.small.seal', null, t('Seal'), ' ', h('code', null, round.seal_hash)),
    round.number && navigator.onLine
      ? h('p', null, h('a.btn.small', { href: `/api/rounds/${encodeURIComponent(round.id)}/report.pdf`, target: '_blank', rel: 'noopener' }, t('Report (PDF)')))
      : null,
    h('button.btn.small', {
      type: 'button', 'data-testid': 'correct',
      onclick: () => go(`/rounds/${encodeURIComponent(round.id)}/correct`),
    }, t('Start a correction')));
}

/** Object URLs for the round's photos still on the device (uploaded ones come from the server). */
function photoSources(ctx, data) {
  const urls = new Map();
  for (const blob of data.blobs) {
    const url = URL.createObjectURL(new Blob([blob.bytes], { type: blob.mime }));
    ctx.urls.push(url);
    urls.set(blob.id, url);
  }
  for (const a of data.attachments) {
    if (!urls.has(a.id) && a.status === 'complete') urls.set(a.id, `/api/attachments/${encodeURIComponent(a.id)}/content`);
  }
  return urls;
}

/**
 * Start a correction of a sealed round: a new revision that refers to it, with its answers
 * copied so that only what was wrong needs changing.
 */
export async function startCorrection(ctx, id) {
  const data = await loadRound(ctx, id);
  if (!data || data.round.status !== 'sealed') return go(`/rounds/${encodeURIComponent(id)}`, { replace: true });
  if (!confirmAction(t('Start a correction of this signed round? The signed one stays as it is.'))) {
    return go(`/rounds/${encodeURIComponent(id)}`, { replace: true });
  }
  const { newRound } = await import('../rounds.js');
  const { round, version } = data;
  const create = newRound({
    version, siteId: round.site_id, scheduleId: round.schedule_id || null, locationId: round.location_id || null,
    equipmentIds: round.equipment_ids || [], period: round.period || '', header: round.header || {},
    label: `${text(version.content.title, ctx.locale())} · ${t('Correction')}`, revisionOf: round.id,
  });
  const copy = { ...round, id: create.id, site_id: round.site_id };
  const entries = expand(version.content, round.equipment_ids || []);
  const byKey = answersByKey(data.answers);
  const answers = entries.filter((e) => byKey[e.key]).map((e) => answerMutation(copy, e, null, {
    ...byKey[e.key], photos: [],
  }, t('Correction')));
  await ctx.outbox.commitInOrder([create, ...answers]);
  return go(`/rounds/${encodeURIComponent(create.id)}`, { replace: true });
}
