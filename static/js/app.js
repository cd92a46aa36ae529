/**
 * The composition root: opens the store, builds the session, outbox and sync, registers the
 * service worker, picks the language and draws the screens for the hash route.
 */

import { Api, NetworkError } from './api.js';
import { contractLoaded, loadContract } from './contract.js';
import { Database } from './db.js';
import {
  chooseLocale, cookieLocale, currentLocale, forgetCookieLocale, loadLocale, t,
} from './i18n.js';
import { Outbox } from './outbox.js';
import { parseRoute } from './router.js';
import { Session } from './session.js';
import { Sync } from './sync.js';
import { keepTagKey, tokenOfPath } from './tags.js';
import { registerWorker } from './worker-client.js';
import { drawNav, drawUpdateBar, updateAction, updateMessage } from './views/chrome.js';
import { h, replace } from './views/dom.js';
import { renderEquipment } from './views/equipment.js';
import { renderEquipmentForm } from './views/equipment-form.js';
import { renderCheckin } from './views/checkin.js';
import { readHome, renderHome } from './views/home.js';
import { renderExplanationForm, renderLeaveForm, renderLeaveList } from './views/leave.js';
import { renderParts } from './views/parts.js';
import { renderOutbox } from './views/outbox.js';
import { renderHandover } from './views/handover.js';
import { renderRound, startCorrection } from './views/round.js';
import { startRound } from './views/home.js';
import { startUnscheduled } from './views/round-start.js';
import { renderScan, renderTagLink } from './views/scan.js';
import { renderFault } from './views/fault.js';
import { renderSettings } from './views/settings.js';
import { renderSignIn } from './views/sign-in.js';
import { renderSite } from './views/site.js';
import { mountSyncBar } from './views/sync-bar.js';

const db = new Database();
const api = new Api();
const session = new Session(db, api);
const outbox = new Outbox(db, () => (session.user ? session.user.id : null));
const sync = new Sync({ db, api, session, outbox });

const els = {
  view: document.getElementById('view'),
  nav: document.getElementById('nav'),
  brand: document.getElementById('brand'),
  update: document.getElementById('update-bar'),
  syncBar: document.getElementById('sync-bar'),
};
const memoryMap = new Map();
let worker = { update: async () => {}, version: async () => null, check: () => {} };
let screen = null; // {route, leave?}
let rendering = 0;
let flashMessage = null;
let deferredInstall = null;
let signingIn = false;
let updateReady = false;
let homeRead = null; // the first home screen's reads, begun before its language was loaded

/** @type {import('./views/context.js').Context} */
const ctx = {
  db, api, session, outbox, sync,
  get worker() { return worker; },
  userId: () => session.user.id,
  locale: () => currentLocale(),
  memory: {
    get: (k) => memoryMap.get(k),
    set: (k, v) => memoryMap.set(k, v),
    take: (k) => { const v = memoryMap.get(k); memoryMap.delete(k); return v; },
  },
  urls: [],
  flash: (message) => { flashMessage = message; },
  rerender: () => render(),
  signedIn,
  signOut,
  chooseLanguage,
  languageChoice,
  installPrompt: () => deferredInstall,
};

async function main() {
  // A tag's link opened from the camera app (/t/<token>, answered by the worker): same record.
  // The token is read as the server reads /t/<token> (tags.js tokenOfPath); the worker answers
  // only such paths.
  if (location.pathname.startsWith('/t/')) {
    history.replaceState(null, '', `/app/#/t/${encodeURIComponent(tokenOfPath(location.pathname) ?? '')}`);
  }
  keepTagKey(ctx);
  performance.mark('rounds:main');
  // The server's vocabularies and field rules, from the worker's cache when offline.
  const contract = loadContract();
  await session.restore();
  performance.mark('rounds:session');
  if (!session.user) await session.check(); // perhaps signed in on the server's page
  // Home's reads need no language: they run while the translations load.
  if (session.user && parseRoute(location.hash).name === 'home') {
    homeRead = readHome(ctx, session.user.id).then((read) => {
      performance.mark('rounds:home-read');
      return read;
    });
    homeRead.catch(() => {}); // the screen that takes it shows a failure; unused, it is dropped
  }
  await applyLanguage();
  performance.mark('rounds:language');
  await contract;
  performance.mark('rounds:contract');
  registerWorker(onUpdateReady).then((w) => { worker = w; });
  mountSyncBar(els.syncBar, {
    sync, onSignIn: () => { signingIn = true; render(); }, signedIn: () => Boolean(session.user),
  });
  window.__rounds = Object.freeze({ db, sync, state: () => sync.state() });

  addEventListener('hashchange', () => render());
  // A choice made on the screen but not yet saved (a language picked, a box ticked) must not be
  // wiped by a redraw when a sync brings fresh data.
  for (const type of ['input', 'change']) {
    els.view.addEventListener(type, () => { if (screen) screen.touched = true; });
  }
  session.addEventListener('change', onSessionChange);
  sync.addEventListener('pulled', async () => {
    // A language chosen offline reaches the account; a catalogue that failed to load is retried.
    await syncLanguageChoice().catch(() => false);
    if (!contractLoaded()) await loadContract();
    if (await applyLanguage()) render();
    else rerenderQuietly();
  });
  sync.addEventListener('change', drawChrome);
  db.addEventListener('versionchange', () => {
    drawUpdateBar(els.update, { message: t('The app was updated in another tab.'), action: t('Reload'), onTap: reloadSafely });
  });
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    deferredInstall = event;
    if (screen && screen.route === 'settings') render();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') worker.check();
  });
  setInterval(() => worker.check(), 30 * 60_000); // an app left open for days still hears of updates
  await render();
  if (session.user) askToPersist();
  sync.start();
}

/** A choice kept on the device until the account has it: "follow the browser" is one too. */
const FOLLOW_BROWSER = 'browser';

/** The language the person chose (here or on the account), or '' when the browser decides. */
async function languageChoice() {
  const user = session.user;
  const pending = user ? await db.getMeta(`locale:${user.id}`) : null;
  if (pending === FOLLOW_BROWSER) return '';
  return pending || (user && user.locale) || cookieLocale() || '';
}

async function applyLanguage() {
  const wanted = chooseLocale(await languageChoice());
  const before = currentLocale();
  const first = !document.documentElement.dataset.ready;
  if (wanted === before && !first) return false;
  const now = await loadLocale(wanted);
  document.documentElement.dataset.ready = '1';
  document.title = t('Rounds');
  els.brand.textContent = t('Rounds');
  els.nav.setAttribute('aria-label', t('Main'));
  return first || now !== before;
}

async function onSessionChange(event) {
  const { switched, changed } = event.detail || {};
  if (changed) await syncLanguageChoice();
  const relabelled = await applyLanguage();
  if (switched || relabelled || !session.expired) signingIn = false;
  if (switched || relabelled) await render();
  else drawChrome();
}

function drawChrome() {
  const s = sync.state();
  drawNav(els.nav, {
    signedIn: Boolean(session.user), waiting: s.pending, attention: s.needsAttention + s.conflicts,
    route: screen ? screen.route : '',
  });
  if (updateReady) drawUpdateBar(els.update, { message: updateMessage(), action: updateAction(), onTap: applyUpdate });
}

async function render() {
  const ticket = ++rendering;
  const route = parseRoute(location.hash);
  if (screen && screen.leave) await screen.leave();
  for (const url of ctx.urls.splice(0)) URL.revokeObjectURL(url);
  let result;
  try {
    result = await build(route);
  } catch (error) {
    console.error(error);
    result = h('div.notice.error', null, t('Something went wrong on this screen.'), ' ', String(error.message || error));
  }
  if (ticket !== rendering) {
    if (result && result.leave) await result.leave();
    return;
  }
  if (!result) result = h('div'); // a screen that moved on by itself (starting a round)
  const el = result instanceof HTMLElement ? result : result.el;
  const sameRoute = screen && screen.key === `${route.name}:${route.id}`;
  screen = { route: route.name, key: `${route.name}:${route.id}`, leave: result && result.leave, touched: false };
  const flash = flashMessage ? h('p.flash', { role: 'status' }, flashMessage) : null;
  flashMessage = null;
  if (els.view.dataset.snapshot) {
    delete els.view.dataset.snapshot;
    els.view.removeAttribute('aria-busy');
  }
  replace(els.view, flash, el);
  if (ticket === 1) performance.mark('rounds:drawn');
  if (route.name === 'home' && session.user && !signingIn) keepHomeSnapshot(el);
  if (!sameRoute) {
    scrollTo(0, 0);
    els.view.focus({ preventScroll: true });
  }
  drawChrome();
}

const HOME_SNAPSHOT = 'rounds.home';

/**
 * Keep a picture of the home screen for the next start: boot.js draws it before the modules
 * have run (inert), so the tiles show while the store opens. Only the signed-in user's home,
 * dropped on signing out.
 */
function keepHomeSnapshot(el) {
  const kept = () => {
    try {
      localStorage.setItem(HOME_SNAPSHOT, JSON.stringify({
        user: session.user ? session.user.id : null, view: el.outerHTML, nav: els.nav.innerHTML,
        brand: els.brand.textContent, lang: document.documentElement.lang,
      }));
    } catch (error) {
      // storage full or refused: the next start simply draws without it
    }
  };
  if (window.requestIdleCallback) requestIdleCallback(kept, { timeout: 2000 });
  else setTimeout(kept, 0);
}

function forgetHomeSnapshot() {
  try {
    localStorage.removeItem(HOME_SNAPSHOT);
  } catch (error) {
    // nothing kept
  }
}

function build(route) {
  if (!session.user || signingIn) {
    homeRead = null;
    return renderSignIn(ctx, { expired: Boolean(session.user) });
  }
  switch (route.name) {
    case 'home': {
      const read = homeRead;
      homeRead = null;
      return renderHome(ctx, read);
    }
    case 'site': return renderSite(ctx, route.id);
    case 'equipment': return renderEquipment(ctx, route.id);
    case 'equipment-edit': return renderEquipmentForm(ctx, { id: route.id });
    case 'equipment-new': return renderEquipmentForm(ctx, { siteId: route.id });
    case 'round': return renderRound(ctx, route.id);
    case 'round-handover': return renderHandover(ctx, route.id);
    case 'round-correct': return startCorrection(ctx, route.id);
    case 'round-start': return startRound(ctx, route.id, route.part);
    case 'round-new': return startUnscheduled(ctx, route.id, route.part);
    case 'outbox': return renderOutbox(ctx);
    case 'settings': return renderSettings(ctx);
    case 'fault': return renderFault(ctx, route.id);
    case 'parts': return renderParts(ctx, route.id);
    case 'scan': return renderScan(ctx);
    case 'tag': return renderTagLink(ctx, route.id);
    case 'leave': return renderLeaveList(ctx);
    case 'leave-new': return renderLeaveForm(ctx);
    case 'explanation-new': return renderExplanationForm(ctx);
    case 'explanation-for': return renderExplanationForm(ctx, { siteId: route.id, month: route.part });
    case 'checkin': return renderCheckin(ctx, { siteId: route.id });
    case 'checkin-tag': return renderCheckin(ctx, { token: route.id || '' });
    default: return h('div.empty', null, t('Nothing here.'), ' ', h('a', { href: '#/' }, t('My sites')));
  }
}

/** Fresh data arrived: redraw, unless the user is typing, on a form, or changed a field here. */
function rerenderQuietly() {
  if (!screen || screen.leave || signingIn || screen.touched) return;
  const active = document.activeElement;
  if (active && els.view.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return;
  render();
}

async function signedIn() {
  signingIn = false;
  await applyLanguage();
  await render();
  askToPersist();
  sync.run({ manual: true });
}

async function signOut({ keep = false, discard = false }) {
  const user = session.user;
  forgetHomeSnapshot();
  await session.signOutOnServer();
  if (keep) await db.setMeta('session', null); // the user's work waits on the device for them
  else await db.forgetUser(user.id, { discard });
  session.user = null;
  session.expired = false;
  await sync.refresh();
  location.hash = '#/';
  await render();
}

/**
 * Save the language the person picked on the device always, and on the account when the server
 * is reachable. '' gives the choice back to the browser (and forgets the browser's own choice).
 */
async function chooseLanguage(locale) {
  const user = session.user;
  if (!locale) forgetCookieLocale();
  await db.setMeta(`locale:${user.id}`, locale || FOLLOW_BROWSER);
  const saved = await syncLanguageChoice();
  const relabelled = await applyLanguage();
  if (currentLocale() !== chooseLocale(await languageChoice())) {
    // Offline, and this language's translations are not on the phone yet (only the user's
    // language comes with the app): kept as the choice, shown once a sync has fetched them.
    return { note: t('This language is not on this phone yet: it will show once you are connected.'), redrawn: false };
  }
  const note = saved ? t('Saved to your account.') : t('Saved on this device; your account follows when connected.');
  if (relabelled) {
    flashMessage = note;
    await render();
  }
  return { note, redrawn: relabelled };
}

async function syncLanguageChoice() {
  const user = session.user;
  if (!user) return false;
  const chosen = await db.getMeta(`locale:${user.id}`);
  if (!chosen) return false;
  const locale = chosen === FOLLOW_BROWSER ? null : chosen;
  try {
    const answer = await api.patch('/api/auth/me', { locale });
    if (!answer.ok) return false;
  } catch (error) {
    if (error instanceof NetworkError) return false;
    throw error;
  }
  session.user = { ...user, locale };
  await db.setMeta('session', session.user);
  await db.setMeta(`locale:${user.id}`, null); // the account holds it now
  return true;
}

async function askToPersist() {
  try {
    if (navigator.storage && navigator.storage.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch (error) {
    console.warn('persistent storage not granted', error);
  }
}

function onUpdateReady() {
  updateReady = true;
  drawChrome();
}

/** Keep what the user was typing, then switch to the new version (it reloads the page). */
async function applyUpdate() {
  if (screen && screen.leave) await screen.leave();
  screen = screen && { ...screen, leave: null };
  await worker.update();
}

async function reloadSafely() {
  if (screen && screen.leave) await screen.leave().catch(() => {});
  location.reload();
}

main().catch((error) => {
  console.error('Rounds did not start', error);
  replace(els.view, h('div.notice.error', null, String(error && error.message ? error.message : error)));
});
