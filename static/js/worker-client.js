/**
 * The page's side of the service worker: register it, notice a new version waiting, and
 * switch to it only when the user asks (then reload once the new worker has taken over).
 */

/**
 * Register /app/sw.js for the scope / (it answers only /app/ and /t/ pages, see sw.js).
 * @param {(ready: boolean) => void} onUpdate called with true when a new version is waiting
 * @returns {Promise<{update: () => Promise<void>, version: () => Promise<string|null>,
 *   check: () => void}>}
 */
export async function registerWorker(onUpdate) {
  const none = { update: async () => {}, version: async () => null, check: () => {} };
  if (!('serviceWorker' in navigator)) return none;
  let registration;
  try {
    // Scope / (the server allows it): a tag's link /t/<token> then opens the app offline too.
    registration = await navigator.serviceWorker.register('/app/sw.js', { scope: '/' });
  } catch (error) {
    console.warn('service worker not registered', error);
    return none;
  }
  forgetOldScope();
  // A tapped notification: the worker asks the app already open to show its screen.
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.type === 'OPEN' && typeof data.url === 'string') openScreen(data.url);
  });
  let requested = false;
  const announce = () => {
    // A waiting worker while another controls the page is an update; the very first install
    // (no controller yet) is not.
    if (registration.waiting && navigator.serviceWorker.controller) onUpdate(true);
  };
  announce();
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    if (!installing) return;
    installing.addEventListener('statechange', () => {
      if (installing.state === 'installed') announce();
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only a switch the user asked for reloads the page; never on its own.
    if (requested) location.reload();
  });
  return {
    /** Switch to the waiting version: the caller has saved what the user was typing. */
    async update() {
      if (!registration.waiting) return;
      requested = true;
      registration.waiting.postMessage({ type: 'SKIP_WAITING' });
    },
    /** The version of the worker in charge, asked of the worker itself. */
    version() {
      const worker = registration.active || navigator.serviceWorker.controller;
      if (!worker) return Promise.resolve(null);
      return new Promise((resolve) => {
        const channel = new MessageChannel();
        const timer = setTimeout(() => resolve(null), 3000);
        channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data && event.data.version); };
        worker.postMessage({ type: 'GET_VERSION' }, [channel.port2]);
      });
    },
    /** Look for a new version (the browser also does on navigations). */
    check() {
      registration.update().catch(() => {});
    },
  };
}

/** Earlier versions registered for /app/; that registration would go on serving /app/. */
async function forgetOldScope() {
  try {
    for (const registration of await navigator.serviceWorker.getRegistrations()) {
      if (new URL(registration.scope).pathname === '/app/') await registration.unregister();
    }
  } catch (error) {
    console.warn('old service worker not removed', error);
  }
}

/**
 * Show the app's screen named by a notification's link (/app/#/faults/<id>), only for links
 * into this app; anything else is ignored.
 * @param {string} link
 */
export function openScreen(link) {
  const url = new URL(link, location.origin);
  if (url.origin !== location.origin || url.pathname !== '/app/' || !url.hash.startsWith('#/')) return;
  if (location.hash !== url.hash) location.hash = url.hash;
}
