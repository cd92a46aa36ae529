/**
 * Checking in and out at a site (#/checkin/<site id>) or at a room by its label
 * (#/checkin/t/<token>, or the label scanned here): 到岗签到 / 离开签退, offline.
 *
 * The record is built on the phone, signed with a passkey over the SHA-256 of its canonical
 * bytes (checkins.js) and put in the outbox. No passkey here, or the person cancels: it is kept
 * unsigned and shown so. What the server decided comes back with the pull (verified, unsigned,
 * flags) or in the outbox (refused, with the reason).
 */

import { makeCheckin } from '../checkins.js';
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
  };
  if (problem) replace(notice, h('p.notice.error', { dataset: { reason: 'tag' } }, problem));

  async function drawList() {
    const records = (await ctx.db.list(userId, 'checkin')).filter((c) => String(c.site_id) === site.id);
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
        h('div.checkin-status', null, status.text));
    }));
    if (!records.length) replace(list, h('li.empty', null, t('No check-ins on this phone yet.')));
  }

  let busy = false;
  async function checkIn(kind) {
    if (busy) return;
    busy = true;
    inButton.disabled = outButton.disabled = true;
    try {
      const made = await makeCheckin({
        db: ctx.db, userId, siteId: site.id, locationId: place.locationId, tagToken: place.token,
        kind, rpId: location.hostname,
      });
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
    placeLine, scanButton, video, notice, inButton, outButton,
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
