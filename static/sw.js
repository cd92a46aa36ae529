/* Rounds service worker. Flask serves it at /app/sw.js with the version and the precache list
 * filled in below (webapp/pwa/views.py), so any change to a cached file makes a new worker.
 *
 * - Install: precache the shell, modules, styles, icons, translations and the contract (the
 *   server's vocabularies and field rules) under a cache named
 *   from the version. No skipWaiting: a new version waits until the user taps "Update".
 * - Activate: delete the caches of older versions.
 * - Fetch: the shell for navigations under /app/ and to a tag's link (/t/<token>, opened from
 *   the phone's camera app), and the precached files those pages ask for, come from the cache
 *   (cache first, see docs/pwa.md). The worker is registered for the scope / (for /t/), so it
 *   also sees the office pages: those, their files and /api/ are never touched — they go to
 *   the network as if there were no worker. API data lives in IndexedDB, not here.
 * - No state in globals: a worker can be stopped at any moment; the constants below are the
 *   only top-level values and never change while it runs.
 */

const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const CACHE = `rounds-${VERSION}`;
const SHELL = '/app/';
const CONTRACT = '/app/contract.json'; // vocabularies and field rules (docs/pwa.md)

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Bypass the HTTP cache: a stale module under a new version name would break the app.
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload', credentials: 'same-origin' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
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
  if ((url.pathname.startsWith('/static/') || url.pathname.startsWith('/app/i18n/')
    || url.pathname === CONTRACT) && fromApp(request)) {
    event.respondWith(fromCache(url.pathname, request));
  }
});

/** The app's own pages: the shell under /app/ and a tag's link /t/<token>. */
function isAppPage(pathname) {
  if (pathname.startsWith(SHELL)) return pathname !== '/app/sw.js';
  return /^\/t\/[^/]+$/.test(pathname); // exactly the server's route /t/<token>
}

/**
 * Whether the app asked for this file: its pages, its modules (which import each other) and
 * the vendored decoder. The office pages' requests carry their own page as referrer (the
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
  const hit = await cache.match(key, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}
