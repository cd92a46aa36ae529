/**
 * A site's equipment register: search as you type over name, asset number, brand, model,
 * serial number, manufacturer and location, with filters by system, status and location.
 *
 * The site's equipment is read from IndexedDB once, when the screen opens, and prepared for
 * searching (search.js); every keystroke then filters that in memory and draws at most one
 * page of rows, so typing stays quick with 10,000 devices on the phone. Without a query the
 * devices are grouped by location; with one, the best matches come first.
 */

import { locationKinds, statuses, systems } from '../equipment-fields.js';
import { t, tn } from '../i18n.js';
import { NO_LOCATION, countBy, isFiltered, prepare, search } from '../search.js';
import { h, replace } from './dom.js';
import { openFaultsSection } from './fault.js';
import { startSection } from './round-start.js';

/** Rows drawn at first and added by "Show more": enough to fill a phone screen a few times. */
const PAGE = 30;

/**
 * The last site's prepared register, kept while nothing on the device changes, so coming back
 * from a device to the list does not read and prepare 10,000 records again. Any change the app
 * announces (an edit saved, a pull applied, a sync answer, another tab's sync, a new session)
 * drops it; a register prepared while such a change happened is not kept.
 * @type {{key: string, generation: number, site: object, index: import('../search.js').SearchIndex}|null}
 */
let kept = null;
let generation = 0;
const watched = new WeakSet();

function watchForChanges(ctx) {
  for (const source of [ctx.db, ctx.outbox, ctx.sync, ctx.session]) {
    if (!source || watched.has(source)) continue;
    watched.add(source);
    for (const type of ['change', 'pulled', 'versionchange']) {
      source.addEventListener(type, () => {
        generation += 1;
        kept = null;
      });
    }
  }
}

/** The site and its prepared register, from memory when nothing changed since. */
async function register(ctx, siteId) {
  watchForChanges(ctx);
  const userId = ctx.userId();
  const key = `${userId}:${siteId}`;
  if (kept && kept.key === key && kept.generation === generation) return kept;
  const started = generation;
  const [sites, allLocations, allEquipment] = await Promise.all([
    ctx.db.list(userId, 'site'), ctx.db.list(userId, 'location'), ctx.db.list(userId, 'equipment'),
  ]);
  const site = sites.find((s) => s.id === siteId);
  if (!site) return null;
  const locations = allLocations.filter((l) => String(l.site_id) === siteId);
  const index = prepare(allEquipment.filter((e) => String(e.site_id) === siteId), locations);
  const fresh = { key, generation: started, site, index };
  if (started === generation) kept = fresh;
  return fresh;
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} siteId
 * @returns {Promise<HTMLElement>}
 */
export async function renderSite(ctx, siteId) {
  const found = await register(ctx, siteId);
  if (!found) return notHere();
  const { site, index } = found;

  const memoryKey = `register:${siteId}`;
  const remembered = ctx.memory.get(memoryKey) || {};
  const criteria = {
    query: remembered.query || '', system: remembered.system || '', status: remembered.status || '',
    location: remembered.location || '',
  };
  let limit = remembered.limit || PAGE;
  let rendered = 0;
  // A device's row is built once per screen and moved in and out of the list as the query
  // changes: most keystrokes show rows already built.
  const rows = new Map();
  const rowOf = (item, withPlace) => {
    const key = `${withPlace ? 'p' : 'g'}:${item.id}`;
    let el = rows.get(key);
    if (!el) {
      el = row(item, index, withPlace);
      rows.set(key, el);
    }
    return el;
  };

  const list = h('div.register-results', { 'data-testid': 'equipment-list', 'aria-live': 'off' });
  const count = h('p.result-count', { 'data-testid': 'result-count', role: 'status' });
  const box = h('input', {
    type: 'search', id: 'register-search', placeholder: t('Name, number, brand, model, serial'),
    autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', enterkeyhint: 'search',
    value: criteria.query, 'data-testid': 'register-search',
  });
  const filters = [
    filterSelect('system', t('System'), t('All systems'), options(systems(), countBy(index, 'system')), criteria.system),
    filterSelect('status', t('Status'), t('All statuses'), options(statuses(), countBy(index, 'status')), criteria.status),
    filterSelect('location', t('Location'), t('All locations'), locationOptions(index), criteria.location),
  ];
  const clear = h('button.btn.small.ghost', { type: 'button', 'data-testid': 'clear-filters' }, t('Clear'));

  const draw = () => {
    const result = search(index, criteria);
    const shown = result.items.slice(0, limit);
    replace(count, result.count === index.total
      ? tn('%(num)d piece of equipment', '%(num)d pieces of equipment', index.total)
      : tn('%(num)d of %(total)d piece of equipment', '%(num)d of %(total)d pieces of equipment',
        result.count, { total: index.total }));
    count.dataset.count = String(result.count);
    clear.hidden = !isFiltered(criteria);
    let body;
    if (!shown.length) {
      body = h('p.empty', null, index.total ? t('No equipment found.') : t('No equipment registered here yet.'));
    } else if (result.ranked) {
      body = h('ul.rows.links.card.flat', null, shown.map((item) => rowOf(item, true)));
    } else {
      body = groups(shown, index, result.perLocation, rowOf);
    }
    const more = result.count - shown.length;
    replace(list, body, more > 0
      ? h('button.btn.block.more', { type: 'button', 'data-testid': 'show-more', onclick: showMore },
        tn('Show %(num)d more', 'Show %(num)d more', Math.min(PAGE * 4, more)))
      : null);
    rendered += 1;
    list.dataset.rendered = String(rendered); // read by the benchmark and the tests
  };
  const remember = () => ctx.memory.set(memoryKey, { ...criteria, limit });
  const showMore = () => {
    limit += PAGE * 4;
    remember();
    draw();
  };
  const changed = () => {
    limit = PAGE;
    remember();
    draw();
  };

  box.addEventListener('input', (event) => {
    if (event.isComposing) return; // a pinyin syllable being composed is not a query yet
    criteria.query = box.value;
    changed();
  });
  box.addEventListener('compositionend', () => {
    criteria.query = box.value;
    changed();
  });
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') box.blur(); // hide the keyboard to see the results
  });
  for (const select of filters) {
    select.querySelector('select').addEventListener('change', (event) => {
      criteria[event.target.name] = event.target.value;
      changed();
    });
  }
  clear.addEventListener('click', () => {
    Object.assign(criteria, { query: '', system: '', status: '', location: '' });
    box.value = '';
    for (const wrap of filters) wrap.querySelector('select').value = '';
    changed();
  });
  draw();
  const faults = await openFaultsSection(ctx, siteId);
  const start = await startSection(ctx, `site:${siteId}`);

  return h('section.register', null,
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
    h('div.titlebar', null, h('h1', null, site.name)),
    site.address ? h('p.muted', null, site.address) : null,
    faults,
    start,
    h('p', null, h('a.btn.block', { href: `#/checkin/${encodeURIComponent(site.id)}`, 'data-testid': 'open-checkin' }, t('Check in / check out'))),
    h('p', null, h('a.btn.block', { href: `#/parts/${encodeURIComponent(site.id)}`, 'data-testid': 'open-parts' }, t('Spare parts'))),
    h('div.register-tools', null,
      h('label.search', { for: 'register-search' }, h('span.visually-hidden', null, t('Search')), box),
      h('div.filters.register-filters', null, filters),
      h('div.register-summary', null, count, clear)),
    list,
    h('p', null, h('a.btn.block', { href: `#/sites/${encodeURIComponent(siteId)}/new` }, t('Register equipment'))));
}

function options(labels, counts) {
  return Object.entries(labels).filter(([value]) => counts.has(value))
    .map(([value, label]) => [value, `${label} (${counts.get(value)})`]);
}

function locationOptions(index) {
  const counts = countBy(index, 'location');
  const out = [...index.locations.values()].filter((l) => counts.has(String(l.id)))
    .map((l) => [String(l.id), `${l.name} (${counts.get(String(l.id))})`]);
  if (counts.has('')) out.push([NO_LOCATION, `${t('Without a location')} (${counts.get('')})`]);
  return out;
}

function filterSelect(name, label, all, choices, value) {
  const id = `register-${name}`;
  // A remembered value the site no longer has is kept, so the count still says why it is empty.
  const known = !value || choices.some(([v]) => v === value);
  return h('label.filter', { for: id },
    h('span.visually-hidden', null, label),
    h('select', { id, name, 'data-testid': `filter-${name}`, 'aria-label': label },
      h('option', { value: '' }, all),
      choices.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
      known ? null : h('option', { value, selected: true }, value)));
}

/** Rows grouped under their location, in the register's order. */
function groups(items, index, perLocation, rowOf) {
  if (!items.length) return null;
  const kinds = locationKinds();
  const out = [];
  let current = null;
  let rows = null;
  for (const item of items) {
    const key = item.location_id ? String(item.location_id) : '';
    if (!current || current.key !== key) {
      const location = index.locations.get(key);
      const about = location ? [kinds[location.kind], location.floor].filter(Boolean).join(' · ') : '';
      const total = perLocation.get(key) || 0;
      rows = h('ul.rows.links');
      current = { key };
      out.push(h('section.card.group', null,
        h('h2', null, location ? location.name : t('Without a location'),
          about ? h('span.muted.small', null, ' ', about) : null,
          h('span.muted.small', null, ' · ', tn('%(num)d piece of equipment', '%(num)d pieces of equipment', total))),
        rows));
    }
    rows.append(rowOf(item, false));
  }
  return out;
}

function row(item, index, withPlace) {
  const labels = statuses();
  const place = withPlace && item.location_id ? index.locations.get(String(item.location_id)) : null;
  const second = [item.code, item.brand, item.model].filter(Boolean).join(' · ');
  const third = [place ? place.name : '', item.serial_number ? `${t('S/N')} ${item.serial_number}` : ''].filter(Boolean).join(' · ');
  return h('li', null,
    h('a.row-link', { href: `#/equipment/${encodeURIComponent(item.id)}`, 'data-testid': 'equipment-row', 'data-id': item.id },
      h('span.row-main', null,
        h('strong', null, item.name),
        second ? h('span.muted.small', null, second) : null,
        third ? h('span.muted.small', null, third) : null),
      h('span.row-side', null,
        item.status && item.status !== 'in_service'
          ? h('span.badge', { class: `status-${item.status}` }, labels[item.status] || item.status) : null,
        item._pending ? h('span.badge.pending', null, t('Waiting to be sent')) : null)));
}

function notHere() {
  return h('section', null,
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
    h('div.empty', null, t('This site is not on this device.')));
}
