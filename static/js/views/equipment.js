/**
 * One piece of equipment: every register field, its open conflicts (server value against the
 * user's, resolvable when the server can be reached), refused changes, photos, and Edit.
 */

import { NetworkError, errorMessage } from '../api.js';
import { displayValue, equipmentFields, fieldLabel, statuses } from '../equipment-fields.js';
import { t, tn } from '../i18n.js';
import { h } from './dom.js';
import { serverTime, size, when } from './format.js';

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} id
 * @returns {Promise<HTMLElement>}
 */
export async function renderEquipment(ctx, id) {
  const userId = ctx.userId();
  const [rec, locations, sites, conflicts, entries, blobs, attachments] = await Promise.all([
    ctx.db.record(userId, 'equipment', id),
    ctx.db.list(userId, 'location'),
    ctx.db.list(userId, 'site'),
    ctx.db.list(userId, 'conflict'),
    ctx.outbox.entries(),
    ctx.db.blobsOf(userId, id),
    ctx.db.list(userId, 'attachment'),
  ]);
  if (!rec || !rec.local) {
    return h('section', null, h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
      h('div.empty', null, t('This equipment is not on this device.')));
  }
  const item = rec.local;
  const site = sites.find((s) => s.id === String(item.site_id));
  const names = new Map(locations.map((l) => [l.id, l.name]));
  const open = conflicts.filter((c) => c.entity === 'equipment' && String(c.entity_id) === id && c.status === 'open');
  const refused = entries.filter((e) => e.id === id && e.status === 'needs_attention');
  const onServer = attachments.filter((a) => String(a.owner_id) === id);

  return h('section', null,
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
    open.length ? conflictList(ctx, open, names) : null,
    h('p', null, h('a.btn.primary.block', { href: `#/equipment/${encodeURIComponent(id)}/edit`, 'data-testid': 'edit' }, t('Edit'))),
    h('dl.facts.card', null, equipmentFields().map((field) => [
      h('dt', null, field.label),
      h('dd', null, displayValue(field.name, item[field.name], { locations: names })),
    ]), h('dt', null, t('Site')), h('dd', null, site ? site.name : '—')),
    photos(ctx, blobs, onServer));
}

function conflictList(ctx, conflicts, names) {
  // The server decides who may resolve; client users never may, and offline nobody can.
  const canResolve = ctx.session.user.role !== 'client' && (ctx.api.reachable !== false || ctx.session.isOffice);
  const me = ctx.session.user.display_name || ctx.session.user.username;
  return h('section.card.conflicts', { 'data-testid': 'conflicts' },
    h('h2', null, t('Conflicts to resolve')),
    h('p.muted', null, t('Someone else changed these fields at the same time. The server kept its value until a person decides.')),
    conflicts.map((c) => {
      const status = h('p.muted', { role: 'status' });
      const choose = (choice) => async () => {
        status.textContent = t('Sending…');
        status.textContent = await resolve(ctx, c.id, choice);
      };
      return h('div.conflict', null,
        h('h3', null, fieldLabel(c.field)),
        h('dl.facts', null,
          h('dt', null, t('On the server')), h('dd', null, displayValue(c.field, c.server_value, { locations: names })),
          h('dt', null, !c.raised_by_name || c.raised_by_name === me ? t('Yours') : t('Proposed')),
          h('dd', null, displayValue(c.field, c.client_value, { locations: names }))),
        c.raised_by_name ? h('p.muted.small', null, t('Raised by %(name)s', { name: c.raised_by_name })) : null,
        canResolve
          ? h('div.actions', null,
            h('button.btn', { type: 'button', onclick: choose('server') }, t('Keep server value')),
            h('button.btn', { type: 'button', onclick: choose('client') }, t('Use my value')))
          : h('p.muted', null, t('Connect to the network to resolve this.')),
        status);
    }));
}

async function resolve(ctx, conflictId, choice) {
  try {
    const answer = await ctx.api.post(`/api/conflicts/${encodeURIComponent(conflictId)}/resolve`, { choice });
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
