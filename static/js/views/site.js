/**
 * A site: its locations with their equipment, and a search box over name, asset number,
 * brand, model and serial number.
 */

import { locationKinds, statuses } from '../equipment-fields.js';
import { t, tn } from '../i18n.js';
import { h, replace } from './dom.js';

const SEARCHED = ['name', 'code', 'brand', 'model', 'serial_number'];

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} siteId
 * @returns {Promise<HTMLElement>}
 */
export async function renderSite(ctx, siteId) {
  const userId = ctx.userId();
  const site = (await ctx.db.list(userId, 'site')).find((s) => s.id === siteId);
  if (!site) return notHere();
  const records = await Promise.all([ctx.db.list(userId, 'location'), ctx.db.list(userId, 'equipment')]);
  const locations = records[0].filter((l) => String(l.site_id) === siteId)
    .sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh'));
  const equipment = records[1].filter((e) => String(e.site_id) === siteId)
    .sort((a, b) => String(a.code || '~').localeCompare(String(b.code || '~'))
      || String(a.name).localeCompare(String(b.name), 'zh'));

  const list = h('div', { 'data-testid': 'equipment-list' });
  const search = h('input', {
    type: 'search', placeholder: t('Name, number, brand, model, serial'), 'aria-label': t('Search'),
    autocomplete: 'off', value: ctx.memory.get(`search:${siteId}`) || '',
    oninput: () => { ctx.memory.set(`search:${siteId}`, search.value); draw(); },
  });
  const draw = () => replace(list, ...groups(locations, filter(equipment, search.value)));
  draw();
  return h('section', null,
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
    h('div.titlebar', null, h('h1', null, site.name)),
    site.address ? h('p.muted', null, site.address) : null,
    h('label.search', null, h('span.visually-hidden', null, t('Search')), search),
    list,
    h('p', null, h('a.btn.block', { href: `#/sites/${encodeURIComponent(siteId)}/new` }, t('Register equipment'))));
}

function filter(equipment, query) {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return equipment;
  return equipment.filter((e) => {
    const text = SEARCHED.map((f) => String(e[f] || '')).join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function groups(locations, equipment) {
  if (!equipment.length) return [h('p.empty', null, t('No equipment found.'))];
  const kinds = locationKinds();
  const byLocation = new Map();
  for (const item of equipment) {
    const key = item.location_id ? String(item.location_id) : '';
    if (!byLocation.has(key)) byLocation.set(key, []);
    byLocation.get(key).push(item);
  }
  const out = [];
  for (const location of locations) {
    const items = byLocation.get(location.id);
    if (!items) continue;
    byLocation.delete(location.id);
    const about = [kinds[location.kind], location.floor].filter(Boolean).join(' · ');
    out.push(group(location.name, about, items));
  }
  const rest = [...byLocation.values()].flat();
  if (rest.length) out.push(group(t('Without a location'), '', rest));
  return out;
}

function group(title, about, items) {
  const labels = statuses();
  return h('section.card.group', null,
    h('h2', null, title, about ? h('span.muted.small', null, ' ', about) : null,
      h('span.muted.small', null, ' · ', tn('%(num)d piece of equipment', '%(num)d pieces of equipment', items.length))),
    h('ul.rows.links', null, items.map((item) => h('li', null,
      h('a.row-link', { href: `#/equipment/${encodeURIComponent(item.id)}`, 'data-testid': 'equipment-row' },
        h('span.row-main', null,
          h('strong', null, item.name),
          h('span.muted.small', null, [item.code, item.brand, item.model].filter(Boolean).join(' · '))),
        h('span.row-side', null,
          item.status && item.status !== 'in_service' ? h('span.badge', { class: `status-${item.status}` }, labels[item.status] || item.status) : null,
          item._pending ? h('span.badge.pending', null, t('Waiting to be sent')) : null))))));
}

function notHere() {
  return h('section', null,
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
    h('div.empty', null, t('This site is not on this device.')));
}
