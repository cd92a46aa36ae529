/**
 * Checking in and out at a site (#/checkin/<site id>) or at a room by its label
 * (#/checkin/t/<token>, or the label scanned here): 到岗签到 / 离开签退, offline.
 *
 * The record is built on the phone, signed with a passkey over the SHA-256 of its canonical
 * bytes (checkins.js) and put in the outbox. No passkey here, or the person cancels: it is kept
 * unsigned and shown so. What the server decided comes back with the pull (verified, unsigned,
 * flags) or in the outbox (refused, with the reason).
 */

import { accessProblems, escortNames, makeCheckin } from '../checkins.js';
import { fieldRules } from '../contract.js';
import { t } from '../i18n.js';
import { Scanner } from '../scanner.js';
import { openTag, openToken } from '../tags.js';
import { h, replace } from './dom.js';

function kindText(kind) {
  return kind === 'out' ? t('Check-out') : t('Check-in');
}

function statusOf(rec, refused) {
  if (refused) return { state: 'refused', text: t('Refused: %(reason)s', { reason: refused }) };
  if (rec._pending) {
    return rec.assertion
      ? { state: 'waiting', text: t('Signed with your passkey; waiting to be sent') }
      : { state: 'unsigned', text: t('Not signed (no passkey on this phone); waiting to be sent') };
  }
  if (rec.verification === 'verified') return { state: 'verified', text: t('Verified by the server') };
  return { state: 'unsigned', text: t('Received unsigned') };
}

function accessProblemText(p) {
  if (p.field === 'purpose') {
    return p.problem === 'required'
      ? t('This room is restricted: say the purpose of the visit.')
      : t('The purpose is at most %(limit)s characters.', { limit: p.limit });
  }
  if (p.field === 'people') {
    return t('The number of people is a whole number from %(min)s to %(max)s.', { min: p.min, max: p.max });
  }
  return p.problem === 'too_many'
    ? t('At most %(limit)s escorted people.', { limit: p.limit })
    : t('A name is at most %(limit)s characters.', { limit: p.limit });
}

/**
 * The access record asked at a restricted room (机房出入登记): purpose, people, escorted names.
 * Limits come with the server's contract (form "checkin_access").
 */
function accessForm() {
  const rules = fieldRules('checkin_access');
  const purposeRule = rules.get('purpose') || {};
  const peopleRule = rules.get('people') || {};
  const purpose = h('textarea', {
    name: 'purpose', rows: 2, required: true, 'data-testid': 'access-purpose',
    maxlength: purposeRule.max_length,
  });
  const people = h('input', {
    name: 'people', type: 'number', inputmode: 'numeric', required: true, value: '1',
    min: peopleRule.min, max: peopleRule.max, step: 1, 'data-testid': 'access-people',
  });
  const escorts = h('textarea', { name: 'escorts', rows: 2, 'data-testid': 'access-escorts' });
  const problems = h('div', { 'data-testid': 'access-problems', 'aria-live': 'polite' });
  const el = h('fieldset.checkin-access', { 'data-testid': 'access-form' },
    h('legend', null, t('Restricted room: access record')),
    h('label', null, t('Purpose of the visit'), purpose),
    h('label', null, t('Number of people'), people),
    h('label', null, t('People escorted (one name per line)'), escorts),
    problems);
  return {
    el,
    /** @returns {{purpose:string, people:number|null, escorts:string[]}|null} null when wrong */
    read() {
      const count = people.value.trim() === '' ? null : Number(people.value);
      const access = { purpose: purpose.value.trim(), people: count, escorts: escortNames(escorts.value) };
      const found = accessProblems(access);
      replace(problems, ...found.map((p) => h('p.notice.error', { dataset: { field: p.field } }, accessProblemText(p))));
      if (found.length) (found[0].field === 'purpose' ? purpose : found[0].field === 'people' ? people : escorts).focus();
      return found.length ? null : access;
    },
    clear() {
      purpose.value = '';
      people.value = '1';
      escorts.value = '';
      replace(problems);
    },
  };
}

function tagProblem(reason) {
  switch (reason) {
    case 'forged':
    case 'malformed':
      return t('This label is damaged or has been altered: it was not issued by your service. Do not trust it, and tell the office.');
    case 'revoked':
      return t('This label was withdrawn. Ask the office for a new label.');
    case 'not-ours':
      return t('This QR code is not a label of this service.');
    default:
      return t('What this label belongs to is not on this phone: a site you are not assigned to, or not synced yet. Connect and sync, or ask your dispatcher.');
  }
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {{siteId?: string|null, token?: string|null}} where
 */
export async function renderCheckin(ctx, { siteId = null, token = null }) {
  const userId = ctx.userId();
  let place = { siteId, locationId: null, token: '' };
  let problem = null;
  if (token !== null) {
    const opened = await openToken(ctx.db, userId, token);
    if (opened.path && opened.kind === 'location') {
      place = { siteId: String(opened.tag.site_id), locationId: String(opened.tag.target_id), token: opened.tag.token };
    } else {
      problem = opened.path ? t('This label is on a device, not a room. Scan the room’s label.') : tagProblem(opened.reason);
    }
  }
  const sites = await ctx.db.list(userId, 'site');
  const site = sites.find((s) => s.id === place.siteId);
  if (!site) {
    return h('section', { 'data-testid': 'checkin' },
      h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
      h('h1', null, t('Check in / check out')),
      h('p.notice.error', { 'data-testid': 'checkin-problem' },
        problem || t('This site is not on this phone.')));
  }
  const locations = (await ctx.db.list(userId, 'location')).filter((l) => String(l.site_id) === site.id);
  const nameOf = (id) => (locations.find((l) => l.id === id) || {}).name || '';
  const restricted = () => Boolean(place.locationId
    && (locations.find((l) => l.id === place.locationId) || {}).restricted);
  const access = accessForm();

  const placeLine = h('p.checkin-place', { 'data-testid': 'checkin-place' });
  const notice = h('div', { 'data-testid': 'checkin-notice', 'aria-live': 'polite' });
  const list = h('ul.checkin-list', { 'data-testid': 'checkin-list' });
  const video = h('video.scan-video', { autoplay: true, muted: true, playsinline: true, hidden: true, 'aria-hidden': 'true' });
  const scanButton = h('button.btn.block', { type: 'button', 'data-testid': 'checkin-scan' }, t('Scan the room’s label'));
  const inButton = h('button.btn.primary.block.big', { type: 'button', 'data-testid': 'check-in' }, t('Check in'));
  const outButton = h('button.btn.block.big', { type: 'button', 'data-testid': 'check-out' }, t('Check out'));

  const drawPlace = () => {
    replace(placeLine, place.locationId
      ? t('Room: %(room)s, %(site)s (label scanned)', { room: nameOf(place.locationId), site: site.name })
      : t('Site: %(site)s (no room label; the site was picked)', { site: site.name }));
    access.el.hidden = !restricted();
  };
  if (problem) replace(notice, h('p.notice.error', { dataset: { reason: 'tag' } }, problem));

  async function drawList() {
    // Only this engineer's own (the feed sends no one else's; a phone synced before that rule
    // may still hold colleagues' check-ins, which are not shown).
    const records = (await ctx.db.list(userId, 'checkin'))
      .filter((c) => String(c.site_id) === site.id && String(c.user_id) === userId);
    // A refused check-in has no copy on the server to fall back to: it is shown from its
    // outbox entry, which keeps everything that was signed.
    const refused = new Map();
    for (const entry of await ctx.outbox.entries()) {
      if (entry.entity !== 'checkin' || entry.status !== 'needs_attention') continue;
      refused.set(entry.id, entry.last_error || t('Refused by the server.'));
      if (String(entry.changes.site_id) === site.id && !records.some((c) => c.id === entry.id)) {
        records.push({ ...entry.changes, id: entry.id });
      }
    }
    records.sort((a, b) => String(b.device_time).localeCompare(String(a.device_time)));
    replace(list, ...records.slice(0, 20).map((c) => {
      const status = statusOf(c, refused.get(c.id));
      return h('li', { 'data-testid': 'checkin-row', dataset: { state: status.state, id: c.id } },
        h('strong', null, kindText(c.kind)), ' ',
        h('span', null, String(c.device_time).replace('T', ' ').slice(0, 19)), ' ',
        c.location_id ? h('span', null, nameOf(String(c.location_id))) : null,
        c.purpose ? h('div.checkin-purpose', null, t('Purpose: %(purpose)s', { purpose: c.purpose })) : null,
        h('div.checkin-status', null, status.text));
    }));
    if (!records.length) replace(list, h('li.empty', null, t('No check-ins on this phone yet.')));
  }

  let busy = false;
  async function checkIn(kind) {
    if (busy) return;
    // At a restricted room a check-in carries its access record; a check-out closes it.
    const details = kind === 'in' && restricted() ? access.read() : null;
    if (kind === 'in' && restricted() && !details) return;
    busy = true;
    inButton.disabled = outButton.disabled = true;
    try {
      const made = await makeCheckin({
        db: ctx.db, userId, siteId: site.id, locationId: place.locationId, tagToken: place.token,
        kind, rpId: location.hostname, access: details,
      });
      if (details) access.clear();
      const where = place.locationId ? nameOf(place.locationId) : site.name;
      await ctx.outbox.create({
        entity: 'checkin', id: made.id, values: made.changes,
        label: `${kindText(kind)} · ${where}`,
      });
      replace(notice, made.signed
        ? h('p.notice.ok', { 'data-testid': 'checkin-saved', dataset: { signed: 'true' } },
          t('%(what)s saved and signed with your passkey. It is sent when the phone is online.', { what: kindText(kind) }))
        : h('p.notice.warn', { 'data-testid': 'checkin-saved', dataset: { signed: 'false' } },
          t('%(what)s saved without a signature: no passkey was used on this phone. The office sees it as unsigned.', { what: kindText(kind) })));
      ctx.sync.run();
      await drawList();
    } finally {
      busy = false;
      inButton.disabled = outButton.disabled = false;
    }
  }

  let scanner = null;
  scanButton.addEventListener('click', async () => {
    if (scanner) return;
    video.hidden = false;
    scanner = new Scanner(video, {
      async onCode(text) {
        const opened = await openTag(ctx.db, userId, text, location.origin);
        if (opened.path && opened.kind === 'location' && String(opened.tag.site_id) === site.id) {
          place = { siteId: site.id, locationId: String(opened.tag.target_id), token: opened.tag.token };
          drawPlace();
          replace(notice);
          scanner.stop();
          scanner = null;
          video.hidden = true;
        } else {
          replace(notice, h('p.notice.error', { dataset: { reason: 'tag' } }, opened.path
            ? t('This label is not a room of this site.') : tagProblem(opened.reason)));
        }
      },
    });
    const started = await scanner.start();
    if (!started.ok) {
      replace(notice, h('p.notice.error', null, t('The camera could not be started. Tap Try again.')));
      scanner = null;
      video.hidden = true;
    }
  });
  inButton.addEventListener('click', () => checkIn('in'));
  outButton.addEventListener('click', () => checkIn('out'));
  const onChange = () => { drawList(); };
  ctx.sync.addEventListener('pulled', onChange);
  ctx.sync.addEventListener('change', onChange);
  ctx.outbox.addEventListener('change', onChange);

  drawPlace();
  await drawList();
  const el = h('section.checkin', { 'data-testid': 'checkin' },
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites')), ' › ',
      h('a', { href: `#/sites/${encodeURIComponent(site.id)}` }, site.name)),
    h('h1', null, t('Check in / check out')),
    placeLine, scanButton, video, notice, access.el, inButton, outButton,
    h('h2', null, t('On this phone')), list);
  return {
    el,
    async leave() {
      if (scanner) scanner.stop();
      ctx.sync.removeEventListener('pulled', onChange);
      ctx.sync.removeEventListener('change', onChange);
      ctx.outbox.removeEventListener('change', onChange);
    },
  };
}
