/**
 * The outbox screen: every change not yet sent, every change the server refused (with its
 * reason, in the user's language) and every change waiting for a conflict to be resolved.
 *
 * Nothing refused is thrown away unless the user says so. A refused change can be sent again
 * (after the cause was fixed in the office), exported to a file (the change, the record as the
 * phone holds it and its photos and signature), edited again (equipment), or signed again by
 * the client (a refused signature); discarding asks first.
 */

import { displayValue, fieldLabel } from '../equipment-fields.js';
import { t, tn } from '../i18n.js';
import { go } from '../router.js';
import { confirmAction, h, replace } from './dom.js';
import { downloadJson, toBase64 } from './download.js';
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
  const section = (title, list, render, testid, extra = null) => (list.length ? h('section', { 'data-testid': testid },
    h('h2', null, title, ' ', h('span.badge', null, String(list.length))),
    extra,
    h('ul.entries', null, list.map((e) => render(ctx, e, info)))) : null);
  const allAgain = refused.length > 1 ? h('div.actions', null,
    h('button.btn', { type: 'button', 'data-testid': 'resend-all', onclick: () => resend(ctx, refused) },
      t('Send all again')),
    h('button.btn', { type: 'button', 'data-testid': 'export-all', onclick: () => exportEntries(ctx, refused) },
      t('Export all to a file'))) : null;
  return h('section', null,
    h('h1', null, t('Outbox')),
    entries.length ? null : h('p.empty', null, t('Everything is sent')),
    section(t('Needs attention'), refused, refusedEntry, 'refused', allAgain),
    section(t('Conflicts'), conflicts, conflictEntry, 'conflicted'),
    section(t('Waiting to be sent'), pending, pendingEntry, 'pending'),
    others ? h('p.notice', null, tn(
      '%(num)d change by another user of this device waits for them to sign in.',
      '%(num)d changes by other users of this device wait for them to sign in.', others)) : null);
}

// --- what an entry is, in the user's words ------------------------------------------------------

const ENTITIES = () => ({
  equipment: t('Equipment'), round: t('Round'), answer: t('Answer'), fault: t('Fault'),
  fault_event: t('Step of a fault'),
});
const ATTACHMENTS = () => ({ photo: t('Photo'), signature: t('Signature'), document: t('Document') });
const OPERATIONS = () => ({
  create: t('new'), update: t('changed'), delete: t('removed'), submit: t('submitted'),
  sign: t('signed by the client'), withdraw: t('withdrawn'),
});

/** The fields of rounds, answers, faults, attachments, leave and explanations, as error messages name them. */
const FIELDS = () => ({
  template_version_id: t('Checklist version'), site_id: t('Site'), location_id: t('Location'),
  equipment_id: t('Equipment'), equipment_ids: t('Devices of the round'), schedule_id: t('Schedule'),
  period: t('Period'), started_at: t('Started'), header: t('Report header'),
  summary: t('Maintenance summary'), responsible: t('Person responsible'),
  submitted_at: t('Submitted at'), revision_of: t('Corrected round'), items: t('Items'),
  acceptance: t('Client acceptance'), signature_id: t('Signature'), seal_hash: t('Seal'),
  round_id: t('Round'), item_key: t('Item'), status: t('Answer'), value: t('Value'),
  note: t('Note'), photos: t('Photos'), answered_at: t('Answered at'),
  description: t('Description'), severity: t('Fault severity'), reported_at: t('Reported at'),
  owner_id: t('Belongs to'), owner_entity: t('Belongs to'), kind: t('Kind'),
  filename: t('File name'), mime: t('File type'), size: t('File size'), sha256: t('Checksum'),
  // parts of the acceptance block, the header and a reading
  accepted: t('Accepted'), handover: t('Attachments handed over'), satisfaction: t('Satisfaction'),
  reasons: t('If unsatisfied, why?'), comments: t('Comments'), signer: t('Signed by'),
  signed_at: t('Signed at'), client_name: t('Client'), contact: t('Contact'), phone: t('Phone'),
  address: t('Address'), service_time: t('Service time'), reading: t('Reading'),
  nominal: t('Rated value'),
  // leave requests and absence explanations
  first_day: t('First day'), last_day: t('Last day'), reason: t('Reason'), stand_in_id: t('Stand-in'),
  filed_at: t('Filed on the phone'), month: t('Month'), text: t('Explanation'),
  written_at: t('Written on the phone'),
});

/**
 * A field named in a refusal ("seal_hash", "acceptance.signer", "value.reading"), in words.
 * @param {string} entity
 * @param {string} name
 * @returns {string}
 */
export function changeFieldLabel(entity, name) {
  if (entity === 'equipment') return fieldLabel(name);
  const words = FIELDS();
  const parts = String(name).split('.').filter((p) => !/^\d+$/.test(p));
  const labels = parts.map((p) => words[p] || null);
  return labels.every(Boolean) && labels.length ? labels.join(' · ') : t('Details');
}

/**
 * What a change is: "Round · signed by the client", "Photo · new", in the user's language.
 * @param {object} entry
 * @returns {string}
 */
export function describeChange(entry) {
  const what = entry.entity === 'attachment'
    ? ATTACHMENTS()[entry.changes?.kind] || t('Photo')
    : ENTITIES()[entry.entity] || t('Record');
  const verb = OPERATIONS()[entry.op] || t('changed');
  return `${what} · ${verb}`;
}

function heading(entry) {
  const link = entry.entity === 'equipment' && entry.op !== 'delete'
    ? h('a', { href: `#/equipment/${encodeURIComponent(entry.id)}` }, entry.label || entry.id)
    : entry.entity === 'round' || entry.changes?.round_id
      ? h('a', { href: `#/rounds/${encodeURIComponent(entry.entity === 'round' ? entry.id : entry.changes.round_id)}` },
        entry.label || t('Round'))
      : h('span', null, entry.label || '');
  return h('p.entry-title', null, h('strong', { 'data-testid': 'entry-kind' }, describeChange(entry)), ' ', link);
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

// --- refused changes and the ways out -------------------------------------------------------------

/** Whether the server refused a client's signature because the round it covers changed. */
function refusedSeal(entry) {
  const error = entry.result && (entry.result.error || entry.result.first?.error);
  return entry.entity === 'round' && entry.op === 'sign' && error && error.code === 'seal_mismatch';
}

async function resend(ctx, entries) {
  await ctx.outbox.resend(entries.map((e) => e.mutation_id));
  ctx.flash(tn('%(num)d change will be sent again.', '%(num)d changes will be sent again.', entries.length));
  ctx.rerender();
}

/**
 * Save refused changes to a file the user keeps: the entries, the records they change as this
 * phone holds them, and the photos and signature still on the phone (base64).
 */
async function exportEntries(ctx, entries) {
  const { entries: chosen, records, blobs } = await ctx.outbox.exportable(entries.map((e) => e.mutation_id));
  const user = ctx.session.user;
  downloadJson(`rounds-refused-${user.username}`, {
    app: 'Rounds', kind: 'refused-changes', exported_at: new Date().toISOString(), user,
    outbox: chosen.map((e) => ({ ...e, description: describeChange(e) })),
    records,
    blobs: blobs.map(({ bytes, ...meta }) => ({ ...meta, base64: toBase64(bytes) })),
  });
}

function refusedEntry(ctx, entry, info) {
  const error = entry.result && (entry.result.error || entry.result.first?.error);
  const fieldErrors = error && error.fields && typeof error.fields === 'object'
    ? Object.entries(error.fields).map(([name, messages]) => h('li', null,
      changeFieldLabel(entry.entity, name), t(': '),
      [].concat(messages).map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')))
    : [];
  const editAgain = () => {
    const creating = entry.op === 'create';
    const key = creating ? `equipment-new:${entry.site_id || entry.changes.site_id}` : `equipment:${entry.id}`;
    ctx.memory.set(`retry:${key}`, { mutation_id: entry.mutation_id, changes: entry.changes, id: entry.id });
    go(creating ? `/sites/${encodeURIComponent(entry.site_id || entry.changes.site_id)}/new`
      : `/equipment/${encodeURIComponent(entry.id)}/edit`);
  };
  const discard = async () => {
    const question = entry.entity === 'round' && entry.op === 'sign'
      ? t('Discard the client\'s signature? Export it first if you may need it. This cannot be undone.')
      : t('Discard this change? It will not be sent, and this cannot be undone.');
    if (!confirmAction(question)) return;
    await ctx.outbox.discard(entry.mutation_id);
    ctx.rerender();
  };
  const exported = h('span.muted.small', { role: 'status' });
  const seal = refusedSeal(entry);
  return h('li.card.entry.refused', { 'data-testid': 'refused-entry' },
    heading(entry),
    h('p.error-text', { 'data-testid': 'refusal' }, entry.last_error || t('No reason given.')),
    fieldErrors.length ? h('ul.small', null, fieldErrors) : null,
    seal ? h('p.notice', { 'data-testid': 'seal-help' }, t('The round on the server is no longer what the client signed: it was changed after the signature (in the office or on another device). The signature is kept on this phone. Sync so that the phone shows the round as the server holds it, check it with the client and ask them to sign again; or, once the office has put the round back, send the signature again. Export saves the refused signature to a file.')) : null,
    fields(entry, info.names), facts(entry),
    h('div.actions', null,
      seal ? h('a.btn.primary', {
        href: `#/rounds/${encodeURIComponent(entry.id)}/handover`, 'data-testid': 'sign-again',
      }, t('Ask the client to sign again')) : null,
      entry.entity === 'equipment' && (entry.op === 'create' || info.present.has(entry.id))
        ? h('button.btn', { type: 'button', onclick: editAgain }, t('Edit again')) : null,
      h('button.btn', { type: 'button', 'data-testid': 'resend', onclick: () => resend(ctx, [entry]) }, t('Send again')),
      h('button.btn', {
        type: 'button', 'data-testid': 'export',
        onclick: async () => {
          await exportEntries(ctx, [entry]);
          replace(exported, t('Saved to a file.'));
        },
      }, t('Export to a file')),
      h('button.btn.danger', { type: 'button', onclick: discard }, t('Discard…')),
      exported));
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
