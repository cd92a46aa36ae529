/**
 * The outbox screen: every change not yet sent, every change the server refused (with its
 * reason, in the user's language) and every change waiting for a conflict to be resolved.
 * A refused change can be edited again (a new change) or, explicitly, discarded.
 */

import { displayValue, fieldLabel } from '../equipment-fields.js';
import { t, tn } from '../i18n.js';
import { go } from '../router.js';
import { confirmAction, h } from './dom.js';
import { age } from './format.js';

/**
 * @param {import('./context.js').Context} ctx
 * @returns {Promise<HTMLElement>}
 */
export async function renderOutbox(ctx) {
  const userId = ctx.userId();
  const [entries, locations, others, equipment] = await Promise.all([
    ctx.outbox.entries(), ctx.db.list(userId, 'location'), ctx.db.othersWaiting(userId),
    ctx.db.list(userId, 'equipment'),
  ]);
  const info = {
    names: new Map(locations.map((l) => [l.id, l.name])),
    present: new Set(equipment.map((e) => e.id)),
  };
  const pending = entries.filter((e) => e.status === 'pending');
  const refused = entries.filter((e) => e.status === 'needs_attention');
  const conflicts = entries.filter((e) => e.status === 'conflict');
  const section = (title, list, render, testid) => (list.length ? h('section', { 'data-testid': testid },
    h('h2', null, title, ' ', h('span.badge', null, String(list.length))),
    h('ul.entries', null, list.map((e) => render(ctx, e, info)))) : null);
  return h('section', null,
    h('h1', null, t('Outbox')),
    entries.length ? null : h('p.empty', null, t('Everything is sent')),
    section(t('Needs attention'), refused, refusedEntry, 'refused'),
    section(t('Conflicts'), conflicts, conflictEntry, 'conflicted'),
    section(t('Waiting to be sent'), pending, pendingEntry, 'pending'),
    others ? h('p.notice', null, tn(
      '%(num)d change by another user of this device waits for them to sign in.',
      '%(num)d changes by other users of this device wait for them to sign in.', others)) : null);
}

function heading(entry) {
  const what = entry.entity === 'attachment' ? t('Photo')
    : entry.entity === 'equipment' ? t('Equipment') : entry.entity;
  const verb = { create: t('new'), update: t('changed'), delete: t('removed') }[entry.op] || entry.op;
  const link = entry.entity === 'equipment' && entry.op !== 'delete'
    ? h('a', { href: `#/equipment/${encodeURIComponent(entry.id)}` }, entry.label || entry.id)
    : h('span', null, entry.label || entry.id);
  return h('p.entry-title', null, h('strong', null, what, ' · ', verb), ' ', link);
}

function fields(entry, names) {
  if (entry.entity !== 'equipment') return null;
  const rows = Object.entries(entry.changes || {}).filter(([name, value]) => name !== 'site_id'
    && !(entry.op === 'create' && (value === null || value === '')));
  return h('dl.facts.small', null, rows.map(([name, value]) => [
    h('dt', null, fieldLabel(name)), h('dd', null, displayValue(name, value, { locations: names })),
  ]));
}

function facts(entry) {
  return h('p.muted.small', null,
    t('Saved %(age)s ago', { age: age(entry.created_at) }), ' · ',
    tn('%(num)d attempt', '%(num)d attempts', entry.attempts || 0),
    entry.last_error && entry.status === 'pending' ? [' · ', t('Last error: %(error)s', { error: entry.last_error })] : null);
}

function pendingEntry(ctx, entry, info) {
  return h('li.card.entry', null, heading(entry), fields(entry, info.names), facts(entry));
}

function refusedEntry(ctx, entry, info) {
  const error = entry.result && entry.result.error;
  const fieldErrors = error && error.fields && typeof error.fields === 'object'
    ? Object.entries(error.fields).map(([name, messages]) => h('li', null,
      fieldLabel(name), t(': '), [].concat(messages).map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')))
    : [];
  const editAgain = () => {
    const creating = entry.op === 'create';
    const key = creating ? `equipment-new:${entry.site_id || entry.changes.site_id}` : `equipment:${entry.id}`;
    ctx.memory.set(`retry:${key}`, { mutation_id: entry.mutation_id, changes: entry.changes, id: entry.id });
    go(creating ? `/sites/${encodeURIComponent(entry.site_id || entry.changes.site_id)}/new`
      : `/equipment/${encodeURIComponent(entry.id)}/edit`);
  };
  const discard = async () => {
    if (!confirmAction(t('Discard this change? It will not be sent, and this cannot be undone.'))) return;
    await ctx.outbox.discard(entry.mutation_id);
    ctx.rerender();
  };
  return h('li.card.entry.refused', { 'data-testid': 'refused-entry' },
    heading(entry),
    h('p.error-text', null, entry.last_error || t('No reason given.')),
    fieldErrors.length ? h('ul.small', null, fieldErrors) : null,
    fields(entry, info.names), facts(entry),
    h('div.actions', null,
      entry.entity === 'equipment' && (entry.op === 'create' || info.present.has(entry.id))
        ? h('button.btn', { type: 'button', onclick: editAgain }, t('Edit again')) : null,
      h('button.btn.danger', { type: 'button', onclick: discard }, t('Discard…'))));
}

function conflictEntry(ctx, entry, info) {
  const answer = entry.result && (entry.result.status === 'duplicate' ? entry.result.first : entry.result);
  const notes = (answer && answer.conflicts) || [];
  return h('li.card.entry', null, heading(entry),
    h('p', null, t('Applied, except where someone else changed the same field. A person decides which value stays.')),
    h('dl.facts.small', null, notes.map((c) => [
      h('dt', null, fieldLabel(c.field)),
      h('dd', null, t('server: %(kept)s · yours: %(yours)s', {
        kept: displayValue(c.field, c.kept, { locations: info.names }),
        yours: displayValue(c.field, c.yours, { locations: info.names }),
      })),
    ])),
    entry.entity === 'equipment'
      ? h('a.btn', { href: `#/equipment/${encodeURIComponent(entry.id)}` }, t('Resolve'))
      : null,
    facts(entry));
}
