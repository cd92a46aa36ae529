/**
 * Home: the user's sites from the device's store, with their locations and equipment counts.
 * Works with the network off.
 */

import { t, tn } from '../i18n.js';
import { h } from './dom.js';

/**
 * @param {import('./context.js').Context} ctx
 * @returns {Promise<HTMLElement>}
 */
export async function renderHome(ctx) {
  const userId = ctx.userId();
  const [sites, locations, equipment] = await Promise.all([
    ctx.db.list(userId, 'site'), ctx.db.list(userId, 'location'), ctx.db.list(userId, 'equipment'),
  ]);
  const count = (rows, siteId) => rows.filter((r) => String(r.site_id) === siteId).length;
  sites.sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh'));
  const state = ctx.sync.state();
  return h('section', null,
    h('h1', null, t('My sites')),
    sites.length
      ? h('ul.tiles', null, sites.map((site) => {
        const pending = equipment.filter((e) => String(e.site_id) === site.id && e._pending).length;
        return h('li', null, h('a.tile', { href: `#/sites/${encodeURIComponent(site.id)}`, 'data-testid': 'site-tile' },
          h('strong', null, site.name),
          site.client_name ? h('span.muted', null, site.client_name) : null,
          site.address ? h('span.muted.small', null, site.address) : null,
          h('span', null,
            tn('%(num)d location', '%(num)d locations', count(locations, site.id)), t(', '),
            tn('%(num)d piece of equipment', '%(num)d pieces of equipment', count(equipment, site.id))),
          pending ? h('span.badge.pending', null, tn('%(num)d change waiting', '%(num)d changes waiting', pending)) : null));
      }))
      : h('div.empty', null,
        h('p', null, state.lastSyncAt
          ? t('You are not stationed at any site yet. Ask your dispatcher to assign you.')
          : t('Your sites are not on this device yet. Connect to the network once to download them.'))));
}
