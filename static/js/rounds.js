/**
 * Rounds on the device: what is due, starting a round, saving each answer as it is given,
 * submitting with the faults of abnormal items, and the client's signature that seals it
 * (docs/checklists.md). Storage goes through the outbox and db.js; no DOM here.
 */

import { expand, missing, text } from './checklist.js';
import { mutation } from './outbox.js';
import { sealHash, sealedContent } from './seal.js';

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** The device's local time with its offset, as the server keeps it verbatim. */
export function deviceTime(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function isoWeek(date) {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  return [d.getUTCFullYear(), Math.ceil(((d - yearStart) / 86_400_000 + 1) / 7)];
}

/**
 * The period a date falls in: 2026-11-21, 2026-W47, 2026-11, 2026-Q4.
 * @param {'daily'|'weekly'|'monthly'|'quarterly'} frequency
 * @param {Date} date local date
 */
export function periodOf(frequency, date) {
  const y = date.getFullYear();
  if (frequency === 'weekly') {
    const [wy, w] = isoWeek(date);
    return `${wy}-W${pad(w)}`;
  }
  if (frequency === 'monthly') return `${y}-${pad(date.getMonth() + 1)}`;
  if (frequency === 'quarterly') return `${y}-Q${Math.floor(date.getMonth() / 3) + 1}`;
  return `${y}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first day of the period before the one `date` is in. */
export function previousPeriodDate(frequency, date) {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  if (frequency === 'weekly') d.setDate(d.getDate() - 7);
  else if (frequency === 'monthly') d.setMonth(d.getMonth() - 1, 1);
  else if (frequency === 'quarterly') d.setMonth(d.getMonth() - 3, 1);
  else d.setDate(d.getDate() - 1);
  return d;
}

/** The published version of a template the device holds. */
export function currentVersion(template, versions) {
  return versions.find((v) => String(v.template_id) === String(template.id)
    && v.number === template.published_version) || null;
}

/**
 * What the engineer should do: rounds under way, rounds due in the current period and
 * rounds missed in the previous one.
 * @returns {{kind:'in_progress'|'due'|'overdue', schedule?:object, template:object,
 *   period?:string, round?:object, site:object|undefined}[]}
 */
export function dueList({ schedules, templates, rounds, sites, userId, today = new Date() }) {
  const byTemplate = new Map(templates.map((tpl) => [String(tpl.id), tpl]));
  const bySite = new Map(sites.map((s) => [String(s.id), s]));
  const done = new Set(rounds.map((r) => `${r.schedule_id}|${r.period}`)); // started counts
  const list = [];
  for (const round of rounds) {
    if ((round.status || 'in_progress') !== 'in_progress' || String(round.engineer_id || userId) !== String(userId)) continue;
    list.push({ kind: 'in_progress', round, template: null, site: bySite.get(String(round.site_id)) });
  }
  for (const schedule of schedules) {
    const template = byTemplate.get(String(schedule.template_id));
    if (!schedule.active || !template || template.status !== 'published') continue;
    if (!bySite.has(String(schedule.site_id))) continue;
    const starts = schedule.starts_on ? new Date(`${schedule.starts_on}T00:00:00`) : null;
    if (starts && starts > today) continue;
    const period = periodOf(schedule.frequency, today);
    if (!done.has(`${schedule.id}|${period}`)) {
      list.push({ kind: 'due', schedule, template, period, site: bySite.get(String(schedule.site_id)) });
    }
    const before = previousPeriodDate(schedule.frequency, today);
    const previous = periodOf(schedule.frequency, before);
    if ((!starts || starts <= before) && !done.has(`${schedule.id}|${previous}`)) {
      list.push({ kind: 'overdue', schedule, template, period: previous, site: bySite.get(String(schedule.site_id)) });
    }
  }
  return list;
}

/** The devices a repeated section asks about: the schedule's location and system, in service. */
export function devicesFor(equipment, { siteId, locationId = null, system = '' }) {
  return equipment
    .filter((e) => String(e.site_id) === String(siteId)
      && (!locationId || String(e.location_id) === String(locationId))
      && (!system || e.system === system) && e.status !== 'retired')
    .sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh'))
    .map((e) => String(e.id));
}

/** The paper form's header, filled from the site and its client. */
export function headerFor(site, client, now = new Date()) {
  return {
    client_name: (client && client.name) || site.client_name || '',
    contact: site.contact_name || (client && client.contact_name) || '',
    phone: site.contact_phone || (client && client.contact_phone) || '',
    address: site.address || (client && client.address) || '',
    service_time: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} `
      + `${pad(now.getHours())}:${pad(now.getMinutes())}`,
  };
}

/**
 * The create mutation of a new round.
 * @returns {import('./outbox.js').Mutation}
 */
export function newRound({ version, siteId, scheduleId = null, locationId = null, equipmentIds = [],
  period = '', header, label, revisionOf = null, equipmentId = null, faultId = null }) {
  const id = crypto.randomUUID();
  return mutation({
    entity: 'round', id, op: 'create', siteId, label,
    changes: {
      template_version_id: version.id, site_id: siteId, location_id: locationId,
      equipment_id: equipmentId, schedule_id: scheduleId, equipment_ids: equipmentIds, period,
      started_at: deviceTime(), header, revision_of: revisionOf, fault_id: faultId,
    },
  });
}

/**
 * What a customer service contact form (客户服务联络单) starts with: the client's type from the
 * client's record, and the fault's description as the service requested when it is started
 * from a fault. Only where the form has such an item and the value is one it takes.
 * @returns {{entry: object, value: any}[]}
 */
export function contactFormPrefill(content, { client = null, fault = null } = {}) {
  if (!content || content.form !== 'contact_form') return [];
  const out = [];
  for (const entry of expand(content, [])) {
    const { item } = entry;
    if (item.key === 'client_type' && item.kind === 'choice' && client
      && (item.options || []).some((o) => o.key === client.client_type)) {
      out.push({ entry, value: client.client_type });
    } else if (item.key === 'service_requested' && item.kind === 'text' && fault && fault.description) {
      out.push({ entry, value: String(fault.description).slice(0, 2000) });
    }
  }
  return out;
}

/**
 * The mutation saving one answer: a create the first time, then the whole answer again.
 * @param {object} round
 * @param {{key:string, equipment_id:string|null}} entry
 * @param {object|null} existing the answer the device holds
 * @param {{status:string, value:any, note:string, photos:string[]}} answer
 */
export function answerMutation(round, entry, existing, answer, label) {
  const changes = {
    status: answer.status, value: answer.status === 'na' ? null : (answer.value ?? null),
    note: answer.note || '', photos: answer.photos || [], answered_at: deviceTime(),
  };
  if (existing) {
    return mutation({ entity: 'answer', id: existing.id, op: 'update', baseVersion: existing._version,
      changes, label, siteId: round.site_id });
  }
  return mutation({ entity: 'answer', id: crypto.randomUUID(), op: 'create', label, siteId: round.site_id,
    changes: { ...changes, round_id: round.id, item_key: entry.key } });
}

/**
 * The status a round shows: its own, or — made on this device and not yet synced — in progress,
 * as the server starts every round (tests/status_vectors.json).
 * @param {Record<string, any>} local the round as the device holds it
 * @returns {string}
 */
export function roundStatus(local) {
  return local.status || 'in_progress';
}

/** Answers keyed by item key, as checklist.missing() reads them. */
export function answersByKey(answers) {
  return Object.fromEntries(answers.map((a) => [a.item_key, a]));
}

/** What still needs an answer before the round can be submitted. */
export function missingItems(content, round, answers) {
  return missing(content, round.equipment_ids || [], answersByKey(answers));
}

/** Progress: answered entries of all entries. */
export function progress(content, round, answers) {
  const entries = expand(content, round.equipment_ids || []);
  const byKey = answersByKey(answers);
  const answered = entries.filter((e) => byKey[e.key] && byKey[e.key].status).length;
  const abnormal = entries.filter((e) => byKey[e.key] && byKey[e.key].status === 'abnormal').length;
  return { answered, total: entries.length, abnormal };
}

/**
 * Submission: the submit mutation and one fault per abnormal answer.
 * @returns {import('./outbox.js').Mutation[]}
 */
export function submitMutations({ content, round, answers, summary, responsible, equipmentNames,
  locale, label, faults = [], severities = {} }) {
  const raised = new Set(faults.filter((f) => String(f.round_id) === String(round.id))
    .map((f) => f.item_key));
  const list = [mutation({ entity: 'round', id: round.id, op: 'submit', baseVersion: round._version,
    siteId: round.site_id, label,
    changes: { summary, responsible, submitted_at: deviceTime() } })];
  const byKey = answersByKey(answers);
  for (const entry of expand(content, round.equipment_ids || [])) {
    const answer = byKey[entry.key];
    if (!answer || answer.status !== 'abnormal' || raised.has(entry.key)) continue;
    const device = entry.equipment_id ? equipmentNames.get(entry.equipment_id) : '';
    const what = text(entry.item.label, locale);
    const description = [device, what, answer.note].filter(Boolean).join(' — ').slice(0, 2000);
    list.push(mutation({ entity: 'fault', id: crypto.randomUUID(), op: 'create', siteId: round.site_id,
      label: description,
      changes: {
        site_id: round.site_id, location_id: round.location_id || null,
        equipment_id: entry.equipment_id || round.equipment_id || null, round_id: round.id,
        item_key: entry.key, description, severity: severities[entry.key] || 'medium',
        photos: answer.photos || [], reported_at: deviceTime(),
      } }));
  }
  return list;
}

/**
 * The sign mutation, with the seal computed over the round as the device holds it.
 * @param {{round:object, answers:object[], digests:Map<string,string>, acceptance:object,
 *   signatureId:string, label:string}} spec
 */
export async function signMutation({ round, answers, digests, acceptance, signatureId, label }) {
  const content = sealedContent(round, answers, digests, acceptance, signatureId);
  const seal = await sealHash(content);
  return {
    seal,
    mutation: mutation({ entity: 'round', id: round.id, op: 'sign', baseVersion: round._version,
      siteId: round.site_id, label,
      changes: { acceptance, signature_id: signatureId, seal_hash: seal } }),
  };
}
