/**
 * Rounds no schedule asks for, started on the phone (offline too): any published checklist
 * from a site's screen or a device's screen (the device is the round's equipment), and the
 * customer service contact form (客户服务联络单) from a fault's screen — the form names the
 * fault, and the client's signature on it confirms the fault (docs/contact-form.md).
 */

import { text } from '../checklist.js';
import { labelOf } from '../contract.js';
import { t } from '../i18n.js';
import { go } from '../router.js';
import { answerMutation, contactFormPrefill, currentVersion, devicesFor, headerFor, newRound } from '../rounds.js';
import { h } from './dom.js';

/** Published templates whose current version this device holds, by title. */
export function startable(templates, versions, locale, { form = null } = {}) {
  return templates
    .filter((tpl) => tpl.status === 'published' && (!form || tpl.form === form))
    .map((template) => ({ template, version: currentVersion(template, versions) }))
    .filter((s) => s.version)
    .sort((a, b) => text(a.template.title, locale).localeCompare(text(b.template.title, locale), 'zh'));
}

/** Whether this user does rounds (engineers and the office; a client's own users do not). */
export function doesRounds(ctx) {
  const user = ctx.session && ctx.session.user;
  return Boolean(user) && user.role !== 'client';
}

/**
 * "Start a round" on a site's or a device's screen: one link per published checklist.
 * @param {import('./context.js').Context} ctx
 * @param {string} from "site:<id>" or "equipment:<id>"
 */
export async function startSection(ctx, from) {
  if (!doesRounds(ctx)) return null;
  const userId = ctx.userId();
  const [templates, versions] = await Promise.all([
    ctx.db.list(userId, 'template'), ctx.db.list(userId, 'template_version'),
  ]);
  const locale = ctx.locale();
  const list = startable(templates, versions, locale);
  if (!list.length) return null;
  return h('details.card.start-round', { 'data-testid': 'start-round' },
    h('summary', null, t('Start a round')),
    h('ul.rows.links', null, list.map(({ template }) => h('li', null,
      h('a.row-link', {
        href: `#/new/${encodeURIComponent(template.id)}/${encodeURIComponent(from)}`,
        'data-testid': 'start-template', 'data-form': template.form,
      }, h('span.row-main', null, h('strong', null, text(template.title, locale))))))));
}

/**
 * Start a round of `templateId` from a site, a device or a fault, then open it.
 * @param {import('./context.js').Context} ctx
 * @param {string} templateId
 * @param {string} from "site:<id>", "equipment:<id>" or "fault:<id>"
 */
export async function startUnscheduled(ctx, templateId, from) {
  const userId = ctx.userId();
  const [kind, id] = String(from || '').split(':');
  const [templates, versions, sites, clients, equipment, faults] = await Promise.all([
    ctx.db.list(userId, 'template'), ctx.db.list(userId, 'template_version'),
    ctx.db.list(userId, 'site'), ctx.db.list(userId, 'client'), ctx.db.list(userId, 'equipment'),
    ctx.db.list(userId, 'fault'),
  ]);
  const device = kind === 'equipment' ? equipment.find((e) => String(e.id) === id) : null;
  const fault = kind === 'fault' ? faults.find((f) => String(f.id) === id) : null;
  const siteId = kind === 'site' ? id : String((device || fault || {}).site_id || '');
  const site = sites.find((s) => String(s.id) === siteId);
  const template = templates.find((tpl) => String(tpl.id) === templateId);
  const version = template && template.status === 'published' && currentVersion(template, versions);
  if (!version || !site || !doesRounds(ctx)) {
    ctx.flash(t('This checklist is not on this device yet. Connect to the network once to download it.'));
    return go('/', { replace: true });
  }
  const client = clients.find((c) => String(c.id) === String(site.client_id));
  const onDevice = device ? String(device.id) : (fault && fault.equipment_id ? String(fault.equipment_id) : null);
  const repeats = (version.content.sections || []).some((s) => s.repeat === 'equipment');
  let equipmentIds = [];
  if (repeats) equipmentIds = onDevice ? [onDevice] : devicesFor(equipment, { siteId: site.id });
  const locale = ctx.locale();
  const create = newRound({
    version, siteId: site.id, header: headerFor(site, client),
    locationId: (device && device.location_id) || (fault && fault.location_id) || null,
    equipmentId: onDevice, equipmentIds, faultId: fault ? String(fault.id) : null,
    label: [text(version.content.title, locale), fault ? fault.number : '', site.name].filter(Boolean).join(' · '),
  });
  const round = { id: create.id, site_id: site.id };
  const answers = contactFormPrefill(version.content, { client, fault })
    .map(({ entry, value }) => answerMutation(round, entry, null, { status: 'normal', value }, text(entry.item.label, locale)));
  await ctx.outbox.commitInOrder([create, ...answers]);
  return go(`/rounds/${encodeURIComponent(create.id)}`, { replace: true });
}

/**
 * On a fault's screen: the contact forms started from it, and a way to start one.
 * @param {import('./context.js').Context} ctx
 * @param {object} fault
 */
export async function contactForms(ctx, fault) {
  const userId = ctx.userId();
  const [templates, versions, rounds] = await Promise.all([
    ctx.db.list(userId, 'template'), ctx.db.list(userId, 'template_version'), ctx.db.list(userId, 'round'),
  ]);
  const locale = ctx.locale();
  const forms = rounds.filter((r) => String(r.fault_id || '') === String(fault.id));
  const can = doesRounds(ctx) ? startable(templates, versions, locale, { form: 'contact_form' }) : [];
  if (!forms.length && !can.length) return null;
  const titles = new Map(versions.map((v) => [String(v.id), text(v.content && v.content.title, locale)]));
  return h('section.card.contact-forms', { 'data-testid': 'contact-forms' },
    forms.length ? h('ul.rows.links', null, forms.map((r) => h('li', null,
      h('a.row-link', { href: `#/rounds/${encodeURIComponent(r.id)}`, 'data-testid': 'contact-form-link' },
        h('span.row-main', null, h('strong', null, titles.get(String(r.template_version_id)) || t('Customer service contact form')),
          ' ', h('span.muted.small', null, r.number || '')),
        h('span.row-side', null, h('span.badge', { class: `round-${r.status || 'in_progress'}` }, labelOf('round_status', r.status || 'in_progress', { short: true }))))))) : null,
    can.map(({ template }) => h('a.btn.block', {
      href: `#/new/${encodeURIComponent(template.id)}/${encodeURIComponent(`fault:${fault.id}`)}`,
      'data-testid': 'start-contact-form',
    }, text(template.title, locale))));
}
