/**
 * One piece of equipment: years in use and warranty at a glance, every register field, its
 * open conflicts (server value against the user's, resolvable when the server can be reached),
 * refused changes, documents, photos, and a timeline of its inspections, faults and edits.
 * Everything comes from the device's store, so the screen works offline.
 */

import { NetworkError, errorMessage } from '../api.js';
import { text } from '../checklist.js';
import {
  displayValue, equipmentFields, fieldLabel, isoDay, statuses, systems, warrantyState, yearsInUse, yearsText,
} from '../equipment-fields.js';
import { outcomeOf, sidesOf } from '../conflicts.js';
import { labelOf } from '../contract.js';
import { t, tn } from '../i18n.js';
import { h, keepDates, replace } from './dom.js';
import { documentsSection } from './documents.js';
import { serverTime, size, when } from './format.js';
import { reportFaultForm } from './fault.js';
import { startSection } from './round-start.js';

/** Timeline events drawn before "Show all". */
const TIMELINE_FIRST = 20;

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} id
 * @returns {Promise<HTMLElement>}
 */
export async function renderEquipment(ctx, id) {
  const userId = ctx.userId();
  const [rec, locations, sites, conflicts, edits, blobs, attachments, rounds, faults, versions, uses] = await Promise.all([
    ctx.db.record(userId, 'equipment', id),
    ctx.db.list(userId, 'location'),
    ctx.db.list(userId, 'site'),
    ctx.db.list(userId, 'conflict'),
    ctx.db.editsOf(userId, 'equipment', id),
    ctx.db.blobsOf(userId, id),
    ctx.db.list(userId, 'attachment'),
    ctx.db.list(userId, 'round'),
    ctx.db.list(userId, 'fault'),
    ctx.db.list(userId, 'template_version'),
    ctx.db.list(userId, 'part_use'),
  ]);
  if (!rec || !rec.local) {
    return h('section', null, h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
      h('div.empty', null, t('This equipment is not on this device.')));
  }
  const item = { ...rec.local, id };
  const site = sites.find((s) => s.id === String(item.site_id));
  const names = new Map(locations.map((l) => [l.id, l.name]));
  const itsConflicts = conflicts.filter((c) => c.entity === 'equipment' && String(c.entity_id) === id);
  const open = itsConflicts.filter((c) => c.status === 'open');
  const viewer = viewerOf(ctx, edits);
  const placeNames = { locations: names, sites: new Map(sites.map((s) => [s.id, s.name])) };
  const refused = edits.waiting.filter((e) => e.status === 'needs_attention');
  const mine = attachments.filter((a) => a.owner_entity === 'equipment' && String(a.owner_id) === id);
  const involved = rounds.filter((r) => String(r.equipment_id || '') === id
    || (Array.isArray(r.equipment_ids) && r.equipment_ids.some((e) => String(e) === id)));
  const answers = (await ctx.db.childrenOf(userId, involved.map((r) => r.id)))
    .filter((a) => answerDevice(a) === id);
  const today = isoDay();
  const start = await startSection(ctx, `equipment:${id}`);

  return h('section.equipment', { 'data-testid': 'equipment', 'data-id': id },
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites')),
      site ? [' › ', h('a', { href: `#/sites/${encodeURIComponent(site.id)}` }, site.name)] : null),
    h('div.titlebar', null, h('h1', null, item.name),
      item.status ? h('span.badge', { class: `status-${item.status}` }, statuses()[item.status] || item.status) : null),
    rec.pending ? h('p.notice', { 'data-testid': 'pending-note' },
      tn('%(num)d change is saved on this device and waiting to be sent.',
        '%(num)d changes are saved on this device and waiting to be sent.', rec.pending)) : null,
    refused.map((entry) => h('div.notice.error', null,
      h('strong', null, t('The server refused a change:')), ' ', entry.last_error || t('No reason given.'), ' ',
      h('a', { href: '#/outbox' }, t('See the outbox')))),
    open.length ? conflictList(ctx, open, placeNames, viewer) : null,
    glance(item, names, today),
    h('p', null, h('a.btn.primary.block', { href: `#/equipment/${encodeURIComponent(id)}/edit`, 'data-testid': 'edit' }, t('Edit'))),
    reportFaultForm(ctx, item), // engineers, the office and the client's own people (报修)
    start,
    h('dl.facts.card', null, equipmentFields().map((field) => [
      h('dt', null, field.label),
      h('dd', null, field.name === 'service_years'
        ? yearsText(item, today)
        : keepDates(displayValue(field.name, item[field.name], { locations: names }))),
    ]), h('dt', null, t('Site')), h('dd', null, site ? site.name : '—')),
    documentsSection(ctx, { item, blobs, attachments: mine }),
    photos(ctx, blobs.filter((b) => b.kind !== 'document'), mine.filter((a) => a.kind !== 'document')),
    timeline(ctx, {
      rec, rounds: involved, answers, versions,
      faults: faults.filter((f) => String(f.equipment_id || '') === id), edits,
      conflicts: itsConflicts, viewer, names: placeNames, replacements: replacementsOf(uses, faults, id),
    }));
}

/** The device an answer is about: its equipment_id, or the "@<id>" of a repeated item's key. */
function answerDevice(answer) {
  if (answer.equipment_id) return String(answer.equipment_id);
  const key = String(answer.item_key || '');
  const at = key.lastIndexOf('@');
  return at >= 0 ? key.slice(at + 1) : '';
}

/**
 * Parts replaced on this device (a use of a spare part that gave it a new serial), each with
 * its fault's number — sent ones name their device, unsent ones reach it through their fault.
 */
function replacementsOf(uses, faults, id) {
  const byId = new Map(faults.map((f) => [String(f.id), f]));
  return uses.filter((u) => u.new_serial).map((u) => ({ use: u, fault: byId.get(String(u.fault_id)) || null }))
    .filter(({ use, fault }) => String(use.equipment_id || (fault && fault.equipment_id) || '') === id);
}

/** Years in use, warranty, system and place: what an engineer wants first. */
function glance(item, names, today) {
  const years = yearsInUse(item, today);
  const warranty = warrantyState(item, today);
  const place = item.location_id ? names.get(String(item.location_id)) : null;
  return h('div.glance', { 'data-testid': 'glance' },
    h('div.glance-item', { 'data-testid': 'years-in-use', 'data-years': years === null ? '' : String(years) },
      h('span.muted.small', null, t('Years in use')), h('strong', null, yearsText(item, today))),
    h('div.glance-item', { 'data-testid': 'warranty', 'data-state': warranty.state, class: `warranty-${warranty.state}` },
      h('span.muted.small', null, t('Warranty')), h('strong', null, keepDates(warranty.text))),
    h('div.glance-item', null,
      h('span.muted.small', null, t('System')), h('strong', null, systems()[item.system] || item.system || '—')),
    h('div.glance-item', null,
      h('span.muted.small', null, t('Location')), h('strong', null, place || t('Without a location'))));
}

/** Who the viewer is, for telling their own value of a conflict from the other one. */
function viewerOf(ctx, edits) {
  const user = ctx.session.user;
  const sentHere = new Set([...edits.waiting, ...edits.answered].map((e) => String(e.mutation_id)));
  return { userId: String(user.id), userName: user.display_name || user.username, sentHere };
}

/** A conflict side's writer and time: "张磊 · 11-21 07:42". */
function writtenBy(side) {
  const at = side.at ? stamp(moment(side.at)) : null;
  const who = side.mine ? t('you') : side.byName || t('someone');
  return at ? `${who} · ${at}` : who;
}

function conflictList(ctx, conflicts, names, viewer) {
  // The server decides who may resolve; client users never may, and offline nobody can.
  const canResolve = ctx.session.user.role !== 'client' && (ctx.api.reachable !== false || ctx.session.isOffice);
  return h('section.card.conflicts', { 'data-testid': 'conflicts' },
    h('h2', null, t('Conflicts to resolve')),
    h('p.muted', null, t('Someone else changed these fields at the same time. The server kept its value until a person decides.')),
    conflicts.map((c) => {
      const sides = sidesOf(c, viewer);
      const status = h('p.muted', { role: 'status' });
      const choose = (side) => async (event) => {
        const buttons = [...event.currentTarget.closest('.conflict').querySelectorAll('button')];
        for (const button of buttons) button.disabled = true; // one choice, even on a double tap
        status.textContent = t('Sending…');
        status.textContent = await resolve(ctx, c.id, side.key, side.value);
        for (const button of buttons) button.disabled = false;
      };
      const card = (side) => {
        const name = side.byName;
        const heading = side.mine ? t('Your value')
          : name ? t('%(name)s’s value', { name }) : side.key === 'server' ? t('On the server') : t('Proposed');
        const action = side.mine ? t('Use my value')
          : side.key === 'server' ? (name ? t('Keep %(name)s’s value', { name }) : t('Keep server value'))
            : (name ? t('Use %(name)s’s value', { name }) : t('Use the proposed value'));
        return h('div.conflict-side', { 'data-side': side.key, 'data-mine': side.mine ? 'yes' : 'no', 'data-testid': 'conflict-side' },
          h('span.muted.small', null, heading, side.key === 'server' ? [' · ', t('now on the server')] : null),
          h('strong.conflict-value', null, displayValue(c.field, side.value, names)),
          h('span.muted.small', null, writtenBy(side)),
          canResolve ? h('button.btn', { type: 'button', onclick: choose(side) }, action) : null);
      };
      return h('div.conflict', { 'data-id': c.id, 'data-mine': sides.mine || '' },
        h('h3', null, fieldLabel(c.field)),
        h('div.conflict-sides', null, card(sides.mine === 'server' ? sides.server : sides.client),
          card(sides.mine === 'server' ? sides.client : sides.server)),
        canResolve ? null : h('p.muted', null, t('Connect to the network to resolve this.')),
        status);
    }));
}

async function resolve(ctx, conflictId, choice, value) {
  try {
    // The value shown goes along: the server refuses a choice that would write another one.
    const body = typeof value === 'string' || value === null ? { choice, value } : { choice };
    const answer = await ctx.api.post(`/api/conflicts/${encodeURIComponent(conflictId)}/resolve`, body);
    if (answer.status === 401) {
      ctx.session.markExpired();
      return t('Sign-in expired. Sign in again, then try once more.');
    }
    if (!answer.ok) return errorMessage(answer) || t('The server did not answer properly (%(code)s). Will try again.', { code: `HTTP ${answer.status}` });
    await ctx.sync.run({ manual: true }); // bring the resolved record and conflict back
    return t('Resolved.');
  } catch (error) {
    if (error instanceof NetworkError) return t('No connection to the server. Try again when connected.');
    throw error;
  }
}

function photos(ctx, blobs, onServer) {
  if (!blobs.length && !onServer.length) return null;
  const waiting = new Set(blobs.map((b) => b.id));
  const uploaded = onServer.filter((a) => !waiting.has(a.id) && a.status === 'complete');
  return h('section.card', null,
    h('h2', null, t('Photos')),
    h('ul.photos', null, blobs.map((blob) => {
      const url = URL.createObjectURL(new Blob([blob.bytes], { type: blob.mime }));
      ctx.urls.push(url);
      const progress = blob.received && blob.size ? Math.floor((100 * blob.received) / blob.size) : 0;
      return h('li', null,
        h('img', { src: url, alt: blob.filename || t('Photo'), loading: 'lazy' }),
        h('span.muted.small', null, size(blob.size), ' · ',
          blob.acked ? t('Uploading: %(pct)s', { pct: `${progress}%` }) : t('Waiting to be sent')),
        blob.upload_error ? h('span.error-text.small', null, blob.upload_error) : null);
    }),
    // Uploaded photos come from the server (not kept offline); without a network they are
    // simply not shown, and the line below still says they are safe.
    uploaded.map((a) => h('li', null, h('img', {
      src: `/api/attachments/${encodeURIComponent(a.id)}/content`, alt: a.filename || t('Photo'),
      loading: 'lazy', onerror: (event) => { event.target.closest('li').hidden = true; },
    })))),
    uploaded.length
      ? h('p.muted', null, tn('%(num)d photo is on the server.', '%(num)d photos are on the server.', uploaded.length),
        ' ', t('Last: %(time)s', { time: when(serverTime(uploaded[uploaded.length - 1].updated_at)) }))
      : null);
}

// --- the timeline -------------------------------------------------------------------------------

const EDIT_STATUSES = () => ({
  pending: t('Waiting to be sent'), needs_attention: t('Refused by the server'), conflict: t('Conflict to resolve'),
  applied: t('Sent'), duplicate: t('Sent'), rejected: t('Refused by the server'),
});

/** A device time ("2026-11-21T10:42:07.123+08:00") or a server time as milliseconds. */
function moment(value) {
  if (typeof value === 'number') return value;
  if (!value) return null;
  const ms = /(Z|[+-]\d\d:?\d\d)$/.test(value) ? Date.parse(value) : serverTime(value);
  return Number.isNaN(ms) ? null : ms;
}

/** A date and time with the year, in the user's language. */
function stamp(ms) {
  if (ms === null || ms === undefined) return '—';
  const lang = document.documentElement.lang || 'en';
  return new Intl.DateTimeFormat(lang, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(new Date(ms));
}

/**
 * Newest first: inspections (this device's answers, per round), faults reported on it, this
 * phone's changes to it (waiting, or answered in the last 30 days), and the last change the
 * server holds (the server keeps the full history; the office sees it on the equipment page).
 */
function timeline(ctx, { rec, rounds, answers, versions, faults, edits, conflicts, viewer, names, replacements = [] }) {
  const locale = ctx.locale();
  const events = [];
  const byRound = new Map();
  for (const answer of answers) {
    const key = String(answer.round_id);
    if (!byRound.has(key)) byRound.set(key, []);
    byRound.get(key).push(answer);
  }
  for (const round of rounds) {
    const mine = byRound.get(round.id) || [];
    if (!mine.length && String(round.equipment_id || '') !== rec.id) continue;
    const version = versions.find((v) => v.id === String(round.template_version_id));
    const abnormal = mine.filter((a) => a.status === 'abnormal').length;
    const at = moment(round.started_at);
    events.push({
      at, kind: 'round', id: round.id,
      el: h('a.row-link.tl-link', { href: `#/rounds/${encodeURIComponent(round.id)}` },
        h('span.row-main', null,
          h('span.muted.small', null, stamp(at), ' · ', t('Inspection'), round.number ? ` · ${round.number}` : ''),
          h('strong', null, version ? text(version.content.title, locale) : t('Round')),
          h('span.small', null, labelOf('round_status', round.status, { short: true }))),
        h('span.row-side', null, !mine.length ? null : abnormal
          ? h('span.badge.abnormal', { 'data-result': 'abnormal' }, tn('%(num)d abnormal', '%(num)d abnormal', abnormal))
          : h('span.badge.normal', { 'data-result': 'normal' }, t('Normal')))),
    });
  }
  for (const fault of faults) {
    const at = moment(fault.reported_at);
    events.push({
      at, kind: 'fault', id: fault.id,
      el: h('a.row-link.tl-link.tl-body', { href: `#/faults/${encodeURIComponent(fault.id)}` },
        h('span.muted.small', null, stamp(at), ' · ', t('Fault'), ' · ',
          fault.number || (fault._pending ? t('Number given when it reaches the server') : '')),
        h('strong', null, fault.description || t('Fault')),
        h('span.small', null, h('span.badge', { class: `severity-${fault.severity}` },
          labelOf('severity', fault.severity)))),
    });
  }
  for (const { use, fault } of replacements) {
    const at = moment(use.used_at);
    const number = use.fault_number || (fault && fault.number) || t('Number given when it reaches the server');
    events.push({
      at, kind: 'part', id: use.id,
      el: h((fault ? 'a' : 'div') + '.row-link.tl-link.tl-body', fault ? { href: `#/faults/${encodeURIComponent(fault.id)}` } : null,
        h('span.muted.small', null, stamp(at), ' · ', t('Spare part')),
        h('strong', { 'data-testid': 'part-replaced' }, t('Part replaced on fault %(number)s', { number })),
        h('span.small', null, `${use.old_serial || '—'} → ${use.new_serial}`,
          use._pending ? ` · ${t('Waiting to be sent')}` : '')),
    });
  }
  for (const conflict of conflicts) {
    const sides = sidesOf(conflict, viewer);
    const outcome = outcomeOf(sides, conflict);
    const at = moment(outcome ? conflict.resolved_at : conflict.created_at);
    const value = (side) => displayValue(conflict.field, side.value, names);
    events.push({
      at, kind: 'conflict', id: conflict.id,
      el: h('div.tl-body', null,
        h('span.muted.small', null, stamp(at), ' · ', t('Conflict')),
        h('strong', null, t('%(field)s changed by two people', { field: fieldLabel(conflict.field) })),
        outcome ? [
          h('span.small', { 'data-testid': 'conflict-kept' },
            t('Kept: %(value)s (%(who)s)', { value: value(outcome.kept), who: writtenBy(outcome.kept) })),
          h('span.small', { 'data-testid': 'conflict-not-used' },
            t('Not used: %(value)s (%(who)s)', { value: value(outcome.notUsed), who: writtenBy(outcome.notUsed) })),
          h('span.muted.small', null, t('Resolved by %(name)s', {
            name: String(conflict.resolved_by_id || '') === viewer.userId ? t('you')
              : conflict.resolved_by_name || t('someone'),
          })),
        ] : h('span.small', null, t('On the server: %(server)s · proposed: %(client)s', {
          server: value(sides.server), client: value(sides.client),
        }))),
    });
  }
  const settled = new Set(conflicts.filter((c) => c.status !== 'open').map((c) => String(c.id)));
  const seen = new Set();
  for (const entry of [...edits.waiting, ...edits.answered]) {
    if (seen.has(entry.mutation_id)) continue; // a refused change is in both lists
    seen.add(entry.mutation_id);
    const fields = Object.keys(entry.changes || {}).map(fieldLabel);
    const what = entry.op === 'create' ? t('Registered on this phone')
      : entry.op === 'delete' ? t('Removed on this phone')
        : t('Changed on this phone: %(fields)s', { fields: fields.join(t(', ')) || '—' });
    events.push({
      at: entry.created_at, kind: 'edit', id: entry.mutation_id,
      el: h('div.tl-body', null,
        h('span.muted.small', null, stamp(entry.created_at), ' · ', t('Edit')),
        h('strong', null, what),
        h('span.small', null, entry.status === 'conflict' && allResolved(entry, settled)
          ? t('Conflict resolved') : EDIT_STATUSES()[entry.status] || entry.status || '')),
    });
  }
  const server = rec.server;
  if (server && server.updated_at) {
    const at = moment(server.updated_at);
    events.push({
      at, kind: 'server', id: `v${rec.version}`,
      el: h('div.tl-body', null,
        h('span.muted.small', null, stamp(at), ' · ', t('Edit')),
        h('strong', null, rec.version > 1 ? t('Last change on the server') : t('Registered on the server')),
        h('span.small', null, t('Version %(num)d', { num: rec.version }))),
    });
  }
  events.sort((a, b) => (b.at ?? -Infinity) - (a.at ?? -Infinity));

  const list = h('ol.timeline', { 'data-testid': 'timeline' });
  const more = h('p');
  const draw = (all) => {
    replace(list, (all ? events : events.slice(0, TIMELINE_FIRST)).map((event) =>
      h('li', { class: `tl-${event.kind}`, 'data-kind': event.kind, 'data-id': event.id, 'data-testid': 'timeline-event' }, event.el)));
    replace(more, !all && events.length > TIMELINE_FIRST
      ? h('button.btn.block', { type: 'button', onclick: () => draw(true) },
        tn('Show all %(num)d event', 'Show all %(num)d events', events.length))
      : null);
  };
  draw(false);
  return h('section.card.history', null,
    h('h2', null, t('Timeline')),
    events.length ? list : h('p.muted', null, t('Nothing recorded yet.')),
    more,
    h('p.muted.small', null, t('Changes made by others appear here as the last change on the server; the office sees every change.')),
    serverHistory(ctx, rec.id));
}

/** Whether every conflict an edit raised has been resolved. */
function allResolved(entry, settled) {
  const result = entry.result || {};
  const raised = (result.conflicts || (result.first && result.first.conflicts) || []).map((c) => String(c.id));
  return raised.length > 0 && raised.every((id) => settled.has(id));
}

/** Every change the server holds (who, when, from what to what): needs the network. */
function serverHistory(ctx, id) {
  const box = h('div.server-history', { 'data-testid': 'server-history' });
  const button = h('button.btn.small', {
    type: 'button',
    onclick: async () => {
      button.disabled = true;
      try {
        const answer = await ctx.api.get(`/api/equipment/${encodeURIComponent(id)}/history`);
        if (!answer.ok || !Array.isArray(answer.data)) {
          replace(box, h('p.error-text', null, errorMessage(answer) || t('The history could not be loaded.')));
          return;
        }
        replace(box, answer.data.length ? h('ol.timeline', null, answer.data.map((row) => h('li', null,
          h('span.muted.small', null, when(serverTime(row.at)), row.author ? ` · ${row.author}` : ''),
          h('strong', null, fieldLabel(row.field)),
          h('span.small', null, `${displayValue(row.field, row.old_value, {}) || '—'} → ${displayValue(row.field, row.new_value, {}) || '—'}`))))
          : h('p.muted', null, t('Nothing recorded yet.')));
      } catch (error) {
        replace(box, h('p.error-text', null, error instanceof NetworkError
          ? t('No connection to the server. Try again when connected.') : String(error.message || error)));
      } finally {
        button.disabled = false;
      }
    },
  }, t('Show every change (needs the network)'));
  return h('div', null, button, box);
}
