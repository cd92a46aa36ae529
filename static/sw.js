/* Rounds service worker. Flask serves it at /app/sw.js with the version and the precache list
 * filled in below (webapp/pwa/views.py), so any change to a cached file makes a new worker.
 *
 * - Install: precache the shell, the app's bundle, styles, icons and the contract (the
 *   server's vocabularies and field rules) under a cache named from the version, and the
 *   translations of the user's language only (the one the shell preloads), plus fresh copies
 *   of any other language the device used under the older version. Another language is fetched
 *   and kept when the user picks it (online). No skipWaiting: a new version waits until the
 *   user taps "Update".
 * - Activate: delete the caches of older versions.
 * - Fetch: the shell for navigations under /app/ and to a tag's link (/t/<token>, opened from
 *   the phone's camera app), and the precached files those pages ask for, come from the cache
 *   (cache first, see docs/pwa.md). The worker is registered for the scope / (for /t/), so it
 *   also sees the office pages: those, their files and /api/ are never touched — they go to
 *   the network as if there were no worker. API data lives in IndexedDB, not here.
 * - Push: a notification from the server (docs/notifications.md) is shown as sent — title and
 *   body already in the person's language; a tap opens its screen in the app (an open app is
 *   asked to show it, else a new window opens at it).
 * - No state in globals: a worker can be stopped at any moment; the constants below are the
 *   only top-level values and never change while it runs.
 */

const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const CACHE = `rounds-${VERSION}`;
const SHELL = '/app/';
const CONTRACT = '/app/contract.json'; // vocabularies and field rules (docs/pwa.md)
const I18N = '/app/i18n/'; // one translation file per language: /app/i18n/<locale>.json
// The shell's <link rel=preload … href="/app/i18n/<locale>.json"> (webapp/pwa/views.py).
const SHELL_LANGUAGE = /href="(\/app\/i18n\/[A-Za-z_]+\.json)"/;
// A mark beside each language this device uses (`${USED}<locale>.json`, an empty entry): what a
// new version carries over. Caches of versions that precached every language have no marks.
const USED = '/app/i18n/used/';

/** Bypass the HTTP cache: a stale file under a new version name would break the app. */
function fresh(url) {
  return new Request(url, { cache: 'reload', credentials: 'same-origin' });
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE.map(fresh));
    const shell = await cache.match(SHELL, { ignoreVary: true });
    const named = shell && (await shell.text()).match(SHELL_LANGUAGE);
    if (named) await keepLanguage(cache, named[1]); // the user's language: to start offline
    await keepLanguages(cache);
  })());
});

/** Cache a language's file fresh from the network, marked as used on this device. */
async function keepLanguage(cache, path) {
  await cache.add(fresh(path));
  await cache.put(USED + path.slice(I18N.length), new Response(''));
}

/** Fresh copies of the languages this device used under older versions, where the network gives them. */
async function keepLanguages(cache) {
  const wanted = new Set();
  for (const name of await caches.keys()) {
    if (!name.startsWith('rounds-') || name === CACHE) continue;
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname;
      if (path.startsWith(USED)) wanted.add(I18N + path.slice(USED.length));
    }
  }
  await Promise.all([...wanted].map(async (path) => {
    if (await cache.match(path)) return;
    await keepLanguage(cache, path).catch(() => null); // offline or gone: fetched when picked
  }));
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await keepLanguages(cache); // one picked while this version waited to be switched to
    for (const name of await caches.keys()) {
      if (name.startsWith('rounds-') && name !== CACHE) await caches.delete(name);
    }
    // Take charge of the page that installed us, so its later fetches (a translation, an
    // icon) work offline too. An update only activates after the user tapped "Update".
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'SKIP_WAITING') self.skipWaiting();
  if (data.type === 'GET_VERSION' && event.ports[0]) event.ports[0].postMessage({ version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return; // never cached, never intercepted
  if (request.mode === 'navigate') {
    if (isAppPage(url.pathname)) event.respondWith(fromCache(SHELL, request));
    return;
  }
  if (!fromApp(request)) return;
  if (url.pathname.startsWith(I18N)) event.respondWith(translations(url.pathname, request));
  else if (url.pathname.startsWith('/static/') || url.pathname === CONTRACT) {
    event.respondWith(fromCache(url.pathname, request));
  }
});

/** The app's own pages: the shell under /app/ and a tag's link /t/<token>. */
function isAppPage(pathname) {
  if (pathname.startsWith(SHELL)) return pathname !== '/app/sw.js';
  return /^\/t\/[^/]+$/.test(pathname); // exactly the server's route /t/<token>
}

/**
 * Whether the app asked for this file: its pages, its scripts and the vendored decoder. The office pages' requests carry their own page as referrer (the
 * Referrer-Policy is same-origin) and go to the network untouched.
 */
function fromApp(request) {
  if (!request.referrer) return false;
  const path = new URL(request.referrer).pathname;
  return isAppPage(path) || path.startsWith('/static/js/') || path.startsWith('/static/vendor/');
}

/** The cached copy of this version; the network only for something not precached. */
async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreSearch: true, ignoreVary: true });
  if (hit) return hit;
  return fetch(request);
}

/**
 * A language's translations: the copy kept with this version, else the network's, kept for
 * offline (the user picked another language). Offline and not kept, the fetch fails and the
 * app says so (app.js chooseLanguage).
 */
async function translations(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreSearch: true, ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(key, response.clone());
    await cache.put(USED + key.slice(I18N.length), new Response(''));
  }
  return response;
}

self.addEventListener('push', (event) => {
  event.waitUntil(showPush(event.data));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openFrom(event.notification));
});

/** Show what the server sent: {id, title, body, url, tag}. */
async function showPush(data) {
  let message = {};
  try {
    message = data ? data.json() : {};
  } catch {
    message = {}; // not ours to read: still show something, a push must be visible
  }
  return self.registration.showNotification(message.title || 'Rounds', {
    body: message.body || '',
    tag: message.tag || message.id,
    icon: '/static/icons/icon-192.png',
    badge: '/static/icons/icon-192.png',
    data: { url: appLink(message.url), id: message.id },
  });
}

/** Only links into the app itself are followed; anything else opens the app's first page. */
function appLink(url) {
  try {
    const target = new URL(url, self.location.origin);
    if (target.origin === self.location.origin && target.pathname === SHELL) return target.href;
  } catch {
    // fall through
  }
  return new URL(SHELL, self.location.origin).href;
}

/** Open a notification's screen: in an app window already open if there is one, else anew. */
async function openFrom(notification) {
  const url = appLink(notification.data && notification.data.url);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).pathname === SHELL);
  if (open) {
    open.postMessage({ type: 'OPEN', url });
    if (open.focus) await open.focus().catch(() => null);
    return open;
  }
  return self.clients.openWindow(url);
}
