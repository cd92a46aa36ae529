/**
 * Spare parts on the phone (docs/parts.md): a site's stock (from the pull, less the uses still
 * waiting in the outbox), a request for parts and the office's answers, and the parts picked
 * from the site's stock when a fault is resolved — each use its own mutation, offline.
 */

import { labelOf, maxLength } from '../contract.js';
import { stockAfter } from '../parts.js';
import { t } from '../i18n.js';
import { mutation } from '../outbox.js';
import { deviceTime } from '../rounds.js';
import { h, oneTap } from './dom.js';

/**
 * The site's stock items, each with what is left once this phone's unsent uses are counted.
 * @param {import('./context.js').Context} ctx
 * @param {string} siteId
 */
export async function siteStock(ctx, siteId) {
  const userId = ctx.userId();
  const [items, uses] = await Promise.all([ctx.db.list(userId, 'part_stock'), ctx.db.list(userId, 'part_use')]);
  // the uses still in the outbox, in the order they were made, as the server will count them
  const waiting = new Map();
  for (const use of uses.filter((u) => u._pending).sort((a, b) => String(a.used_at).localeCompare(String(b.used_at)))) {
    const key = String(use.stock_id);
    if (!waiting.has(key)) waiting.set(key, []);
    waiting.get(key).push(Number(use.quantity));
  }
  return items.filter((s) => String(s.site_id) === String(siteId))
    .map((s) => {
      const after = stockAfter(Number(s.quantity), waiting.get(String(s.id)) || []);
      return { ...s, left: after.left, pendingShort: after.short };
    })
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

function partName(item) {
  return item.model ? `${item.name} · ${item.model}` : String(item.name);
}

/**
 * "Parts from the site's stock" inside the resolve form: a quantity per item, and for the
 * fault's device the serial taken out and the one put in.
 * @param {object|null} device the fault's device as this phone holds it (its stored record): a new
 *   serial is proposed on that version, so a serial someone else changed meanwhile is not lost
 * @returns {{el: HTMLElement, mutations: (form: FormData) => object[]}}
 */
export function partsPicker(fault, stock, faultLabel, device = null) {
  const rows = stock.map((item) => h('li.part-pick', { 'data-testid': 'part-pick', 'data-stock': item.id },
    h('label', null, partName(item), ' ', h('span.muted.small', null, t('%(num)d in stock', { num: item.left })),
      h('input', {
        type: 'number', name: `part:${item.id}`, min: 0, value: 0, inputmode: 'numeric',
        'data-testid': 'part-quantity', 'aria-label': t('How many used'),
      }))));
  const serials = fault.equipment_id ? [
    h('label', null, t('Serial of the part taken out'),
      h('input', { name: 'old_serial', 'data-testid': 'old-serial', maxlength: maxLength('part_use', 'old_serial') })),
    h('label', null, t('Serial of the part put in'),
      h('input', { name: 'new_serial', 'data-testid': 'new-serial', maxlength: maxLength('part_use', 'new_serial') })),
    h('p.muted.small', null, t("A new serial replaces the device's serial in the register.")),
  ] : null;
  const el = !stock.length ? null : h('fieldset.parts-picker', { 'data-testid': 'parts-picker' },
    h('legend', null, t("Parts from the site's stock")), h('ul.rows', null, rows), serials);
  const mutations = (data) => {
    const used = stock.map((item) => ({ item, quantity: Number.parseInt(String(data.get(`part:${item.id}`) || '0'), 10) }))
      .filter((u) => Number.isInteger(u.quantity) && u.quantity > 0);
    const oldSerial = String(data.get('old_serial') || '').trim();
    const newSerial = String(data.get('new_serial') || '').trim();
    // the serials go with the first part picked: one device, one replacement
    return used.map(({ item, quantity }, i) => mutation({
      entity: 'part_use', id: crypto.randomUUID(), op: 'create', siteId: fault.site_id,
      label: `${faultLabel} · ${partName(item)} × ${quantity}`,
      changes: {
        fault_id: String(fault.id), stock_id: String(item.id), quantity, used_at: deviceTime(),
        old_serial: i === 0 ? oldSerial : '', new_serial: i === 0 ? newSerial : '',
        device_version: i === 0 && newSerial && device && device.version > 0 ? device.version : null,
      },
    }));
  };
  return { el, mutations };
}

/**
 * The parts used on a fault, sent or waiting, for its history.
 * @param {import('./context.js').Context} ctx
 */
export async function usesOfFault(ctx, faultId) {
  const userId = ctx.userId();
  const [uses, items] = await Promise.all([ctx.db.list(userId, 'part_use'), ctx.db.list(userId, 'part_stock')]);
  const names = new Map(items.map((s) => [String(s.id), s]));
  const mine = uses.filter((u) => String(u.fault_id) === String(faultId));
  if (!mine.length) return null;
  return h('section.card', { 'data-testid': 'fault-parts' },
    h('h2', null, t('Parts used')),
    h('ul.rows', null, mine.map((u) => {
      const item = names.get(String(u.stock_id));
      const name = u.part_name ? partName({ name: u.part_name, model: u.part_model }) : item ? partName(item) : t('Part');
      return h('li', { 'data-testid': 'fault-part' }, `${name} × ${u.quantity}`,
        u.new_serial ? h('span.small', null, ` · ${u.old_serial || '—'} → ${u.new_serial}`) : null,
        u.short ? h('span.badge.warning', null, t('%(num)d not in stock', { num: u.short })) : null,
        u._pending ? h('span.badge.pending', null, t('Not sent yet')) : null);
    })));
}

/**
 * A site's spare parts: its stock, a request for parts, the requests and the office's answers.
 * @param {import('./context.js').Context} ctx
 * @param {string} siteId
 */
export async function renderParts(ctx, siteId) {
  const userId = ctx.userId();
  const [sites, stock, requests, faults] = await Promise.all([
    ctx.db.list(userId, 'site'), siteStock(ctx, siteId), ctx.db.list(userId, 'part_request'),
    ctx.db.list(userId, 'fault'),
  ]);
  // a request may be for one of the site's open faults (sent ones: they have a number)
  const open = faults.filter((f) => String(f.site_id) === String(siteId) && f.number && !f._pending
    && !['closed', 'cancelled', 'confirmed'].includes(f.status));
  const site = sites.find((s) => s.id === String(siteId));
  if (!site) return h('div.empty', null, t('Nothing here.'));
  const mine = requests.filter((r) => String(r.site_id) === String(siteId))
    .sort((a, b) => String(b.asked_at).localeCompare(String(a.asked_at)));

  const list = stock.length ? h('ul.rows.card', { 'data-testid': 'site-stock' }, stock.map((s) => h('li', {
    'data-testid': 'stock-item', 'data-stock': s.id, class: s.left <= Number(s.minimum) ? 'low' : '',
  },
  h('span.row-main', null, h('strong', null, partName(s)), s.location ? h('span.small.muted', null, s.location) : null),
  h('span.row-side', null, h('strong', { 'data-testid': 'stock-left' }, String(s.left)),
    s.left <= Number(s.minimum) ? h('span.badge.warning', null, t('Low')) : null))))
    : h('p.muted', null, t('No spare parts are kept at this site yet.'));

  // engineers ask the office for parts (the server's rule: auth/permissions.py part_request)
  const engineer = Boolean(ctx.session.user && ctx.session.user.role === 'engineer');
  const form = !engineer ? null : h('form.card.part-request', {
    'data-testid': 'part-request-form',
    onsubmit: oneTap(async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const chosen = stock.find((s) => s.id === String(data.get('stock_id')));
      const name = chosen ? chosen.name : String(data.get('name') || '').trim();
      const quantity = Number.parseInt(String(data.get('quantity')), 10);
      if (!name || !Number.isInteger(quantity) || quantity < 1) return false;
      await ctx.outbox.commitInOrder([mutation({
        entity: 'part_request', id: crypto.randomUUID(), op: 'create', siteId: site.id,
        label: `${t('Request for parts')} · ${name} × ${quantity}`,
        changes: {
          site_id: String(site.id), stock_id: chosen ? String(chosen.id) : null, name,
          model: chosen ? String(chosen.model || '') : String(data.get('model') || '').trim(),
          quantity, reason: String(data.get('reason') || '').trim(),
          fault_id: String(data.get('fault_id') || '') || null, asked_at: deviceTime(),
        },
      })]);
      ctx.flash(t('Request saved; it reaches the office on the next sync.'));
      ctx.rerender();
      return true;
    }),
  },
  h('h2', null, t('Ask the office for parts')),
  h('label', null, t('Part'), h('select', { name: 'stock_id', 'data-testid': 'request-part' },
    h('option', { value: '' }, t('Another part (type its name)')),
    stock.map((s) => h('option', { value: s.id }, partName(s))))),
  h('label', null, t('Name of another part'), h('input', { name: 'name', maxlength: maxLength('part_request', 'name') })),
  h('label', null, t('Brand / model'), h('input', { name: 'model', maxlength: maxLength('part_request', 'model') })),
  h('label', null, t('Quantity'), h('input', { name: 'quantity', type: 'number', min: 1, value: 1, required: true, 'data-testid': 'request-quantity' })),
  h('label', null, t('Reason'), h('textarea', { name: 'reason', maxlength: maxLength('part_request', 'reason') })),
  open.length ? h('label', null, t('For a fault'), h('select', { name: 'fault_id', 'data-testid': 'request-fault' },
    h('option', { value: '' }, '—'),
    open.map((f) => h('option', { value: f.id }, `${f.number} · ${String(f.description || '').slice(0, 40)}`)))) : null,
  h('button.btn.primary', { type: 'submit', 'data-testid': 'request-save' }, t('Send the request')));

  const numbers = new Map(faults.map((f) => [String(f.id), f.number]));
  const answers = mine.length ? h('ul.rows.card', { 'data-testid': 'part-requests' }, mine.map((r) => h('li', { 'data-testid': 'part-request' },
    h('span.row-main', null, h('strong', null, `${partName(r)} × ${r.quantity}`),
      r.fault_id && numbers.get(String(r.fault_id)) ? h('span.small', null, numbers.get(String(r.fault_id))) : null,
      r.office_note ? h('span.small', null, `${t('Office note')}: ${r.office_note}`) : null),
    h('span.row-side', null, r._pending ? h('span.badge.pending', null, t('Not sent yet'))
      : h('span.badge', { 'data-status': r.status }, labelOf('part_request_status', r.status))))))
    : null;

  return h('section.parts', { 'data-testid': 'parts-screen' },
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites')), ' › ',
      h('a', { href: `#/sites/${encodeURIComponent(site.id)}` }, site.name)),
    h('h1', null, t('Spare parts')), list, form,
    answers ? [h('h2', null, t('Requests for parts')), answers] : null);
}
