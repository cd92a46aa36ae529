/**
 * Home: the user's sites from the device's store, with their locations and equipment counts.
 * Works with the network off. Everything on it is a link to a route (no handlers): boot.js
 * shows a kept picture of it before the app has started, and a tap there must still work.
 */

import { heldFlags, monthsToExplain } from '../attendance.js';
import { clientSigns, text } from '../checklist.js';
import { t, tn } from '../i18n.js';
import { go } from '../router.js';
import { currentVersion, devicesFor, dueList, headerFor, newRound } from '../rounds.js';
import { h } from './dom.js';

/**
 * Everything home shows, read from the device's store at once. The reads need no language: on
 * a cold start app.js begins them while the translations load (`renderHome`'s `read`).
 * @param {import('./context.js').Context} ctx
 * @param {string} userId
 */
export async function readHome(ctx, userId) {
  const sitesRead = ctx.db.list(userId, 'site');
  // Counted from an index: a site's thousands of devices are not read to draw its tile.
  const counted = sitesRead.then((rows) => ctx.db.countBySite(userId, 'equipment', rows.map((s) => s.id)));
  const [sites, locations, schedules, templates, versions, rounds, flags, explanations, equipment] = await Promise.all([
    sitesRead, ctx.db.list(userId, 'location'),
    ctx.db.list(userId, 'schedule'), ctx.db.list(userId, 'template'),
    ctx.db.list(userId, 'template_version'), ctx.db.list(userId, 'round'),
    heldFlags(ctx.db, userId), ctx.db.list(userId, 'explanation'),
    counted,
  ]);
  return { userId, sites, locations, schedules, templates, versions, rounds, flags, explanations, equipment };
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {Promise<object>|null} [read] what `readHome` is already reading for this user
 * @returns {Promise<HTMLElement>}
 */
export async function renderHome(ctx, read = null) {
  const {
    userId, sites, locations, schedules, templates, versions, rounds, flags, explanations, equipment,
  } = await (read || readHome(ctx, ctx.userId()));
  const engineer = Boolean(ctx.session.user && ctx.session.user.role === 'engineer');
  const count = (rows, siteId) => rows.filter((r) => String(r.site_id) === siteId).length;
  sites.sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh'));
  const state = ctx.sync.state();
  const todo = dueSection(ctx, { schedules, templates, versions, rounds, sites, locations, userId });
  const explain = engineer ? explanationPrompts(flags, explanations) : null;
  return h('section', null,
    explain,
    todo,
    engineer ? h('p', null, h('a.btn', { href: '#/leave', 'data-testid': 'leave-link' }, t('Leave and absence explanations'))) : null,
    h('h1', null, t('My sites')),
    sites.length
      ? h('ul.tiles', null, sites.map((site) => {
        const { live, pending } = equipment.get(String(site.id));
        return h('li', null, h('a.tile', { href: `#/sites/${encodeURIComponent(site.id)}`, 'data-testid': 'site-tile' },
          h('strong', null, site.name),
          site.client_name ? h('span.muted', null, site.client_name) : null,
          site.address ? h('span.muted.small', null, site.address) : null,
          h('span', null,
            tn('%(num)d location', '%(num)d locations', count(locations, site.id)), t(', '),
            tn('%(num)d piece of equipment', '%(num)d pieces of equipment', live)),
          pending ? h('span.badge.pending', null, tn('%(num)d change waiting', '%(num)d changes waiting', pending)) : null));
      }))
      : h('div.empty', null,
        h('p', null, state.lastSyncAt
          ? t('You are not stationed at any site yet. Ask your dispatcher to assign you.')
          : t('Your sites are not on this device yet. Connect to the network once to download them.'))));
}

/**
 * A month whose attendance asks for a written absence explanation (more than 3 absences or 3
 * hours late), and none is with the office: a prompt opening the form for that month and site.
 */
function explanationPrompts(flags, explanations) {
  const months = monthsToExplain(flags, explanations);
  if (!months.length) return null;
  return h('ul.tiles', null, months.map((f) => h('li', null,
    h('a.tile.due.overdue', {
      href: `#/explanations/new/${encodeURIComponent(f.site_id)}/${f.month}`,
      'data-testid': 'explanation-prompt', 'data-month': f.month, 'data-site': f.site_id,
    },
    h('strong', null, t('Absence explanation needed for %(month)s', { month: f.month })),
    h('span.muted', null, f.site_name),
    h('span.small', null, t('%(absences)s absences, %(late)s minutes late: write the absence explanation (缺勤情况说明).',
      { absences: f.absences, late: f.late_minutes })),
    f.explanation === 'returned' ? h('span.badge', null, t('Returned by the office: write it again.')) : null))));
}

const FREQUENCY = () => ({
  daily: t('Daily'), weekly: t('Weekly'), monthly: t('Monthly'), quarterly: t('Quarterly'),
});

/** Rounds under way, due now, waiting for the client's signature, and missed. */
function dueSection(ctx, { schedules, templates, versions, rounds, sites, locations, userId }) {
  const locale = ctx.locale();
  const list = dueList({ schedules, templates, rounds, sites, userId });
  const titleOf = (round) => {
    const version = versions.find((v) => v.id === String(round.template_version_id));
    return version ? text(version.content.title, locale) : t('Round');
  };
  const versionOf = (r) => versions.find((v) => v.id === String(r.template_version_id));
  const toSign = rounds.filter((r) => r.status === 'submitted' && String(r.engineer_id || userId) === String(userId)
    && versionOf(r) && clientSigns(versionOf(r).content));
  if (!list.length && !toSign.length) {
    return schedules.length ? h('p.notice.small', null, t('Nothing due today.')) : null;
  }
  const placeOf = (schedule) => {
    const location = schedule && schedule.location_id ? locations.find((l) => l.id === String(schedule.location_id)) : null;
    return location ? location.name : '';
  };
  const row = (entry) => {
    const site = entry.site ? entry.site.name : '';
    if (entry.kind === 'in_progress') {
      return h('li', null, h('a.tile.due.in-progress', { href: `#/rounds/${encodeURIComponent(entry.round.id)}`, 'data-testid': 'due-in-progress' },
        h('strong', null, titleOf(entry.round)), h('span.muted', null, site),
        h('span.badge', null, t('In progress — continue'))));
    }
    const href = `#/start/${encodeURIComponent(entry.schedule.id)}/${encodeURIComponent(entry.period)}`;
    return h('li', null, h('a.tile.due', { href, class: entry.kind, 'data-testid': `due-${entry.kind}` },
      h('strong', null, text(entry.template.title, locale)),
      h('span.muted', null, [site, placeOf(entry.schedule)].filter(Boolean).join(' · ')),
      h('span', null, FREQUENCY()[entry.schedule.frequency] || entry.schedule.frequency, ' · ', entry.period),
      entry.kind === 'overdue' ? h('span.badge.overdue', null, t('Overdue')) : h('span.badge', null, t('Due'))));
  };
  return h('section.due-list', { 'data-testid': 'due-list' },
    h('h1', null, t('To do')),
    h('ul.tiles', null,
      toSign.map((r) => h('li', null, h('a.tile.due.to-sign', { href: `#/rounds/${encodeURIComponent(r.id)}`, 'data-testid': 'due-to-sign' },
        h('strong', null, titleOf(r)), h('span.badge', null, t('Waiting for the client to sign'))))),
      list.filter((e) => e.kind === 'in_progress').map(row),
      list.filter((e) => e.kind === 'due').map(row),
      list.filter((e) => e.kind === 'overdue').map(row)));
}

/**
 * Start the round a schedule asks for (the period it is for), then open it. Offline too.
 * @param {import('./context.js').Context} ctx
 */
export async function startRound(ctx, scheduleId, period) {
  const userId = ctx.userId();
  const [schedule, templates, versions, sites, clients, equipment, rounds] = await Promise.all([
    ctx.db.record(userId, 'schedule', scheduleId), ctx.db.list(userId, 'template'),
    ctx.db.list(userId, 'template_version'), ctx.db.list(userId, 'site'), ctx.db.list(userId, 'client'),
    ctx.db.list(userId, 'equipment'), ctx.db.list(userId, 'round'),
  ]);
  const plan = schedule && schedule.local;
  const already = rounds.find((r) => String(r.schedule_id) === scheduleId && r.period === period);
  if (already) return go(`/rounds/${encodeURIComponent(already.id)}`, { replace: true });
  const template = plan && templates.find((tpl) => tpl.id === String(plan.template_id));
  const version = template && currentVersion(template, versions);
  const site = plan && sites.find((s) => s.id === String(plan.site_id));
  if (!version || !site) {
    ctx.flash(t('This checklist is not on this device yet. Connect to the network once to download it.'));
    return go('/', { replace: true });
  }
  const client = clients.find((c) => c.id === String(site.client_id));
  const repeats = (version.content.sections || []).some((s) => s.repeat === 'equipment');
  const create = newRound({
    version, siteId: site.id, scheduleId, locationId: plan.location_id || null, period,
    equipmentIds: repeats ? devicesFor(equipment, { siteId: site.id, locationId: plan.location_id, system: plan.system }) : [],
    header: headerFor(site, client), label: `${text(version.content.title, ctx.locale())} · ${site.name}`,
  });
  await ctx.outbox.commitInOrder([create]);
  return go(`/rounds/${encodeURIComponent(create.id)}`, { replace: true });
}
