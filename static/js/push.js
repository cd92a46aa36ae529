/**
 * Notifications on this phone (docs/notifications.md): the browser's push subscription, made
 * only when the person taps "Notify me on this phone" in Settings — never on load — and kept by
 * the server for this signed-in device. The server says what to show, in the person's language;
 * the service worker shows it (static/sw.js, "push").
 */

/** What this browser can do: 'unsupported', 'denied', 'default' or 'granted'. */
export function permission() {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return 'unsupported';
  }
  return Notification.permission;
}

async function registration() {
  return navigator.serviceWorker.ready;
}

/** This browser's current subscription, or null. */
export async function current() {
  if (permission() === 'unsupported') return null;
  return (await registration()).pushManager.getSubscription();
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * Ask the browser (its permission prompt, then its push service) and tell the server.
 * Resolves with {ok: true} or {ok: false, reason: 'denied'|'refused'|'network'|'server', answer}.
 * @param {import('./api.js').Api} api
 */
export async function subscribe(api) {
  const asked = await Notification.requestPermission();
  if (asked !== 'granted') return { ok: false, reason: 'denied' };
  const key = await api.get('/api/push/key', { timeout: 10_000 });
  if (!key.ok || !key.data) return { ok: false, reason: 'server', answer: key };
  let subscription;
  try {
    subscription = await (await registration()).pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: keyBytes(key.data.public_key),
    });
  } catch (error) {
    return { ok: false, reason: 'refused', error };
  }
  const answer = await api.post('/api/push/subscriptions', subscription.toJSON(), { timeout: 15_000 });
  if (!answer.ok) return { ok: false, reason: 'server', answer };
  return { ok: true };
}

/**
 * Stop notifications on this phone: the server forgets the subscription, the browser drops it.
 * @param {import('./api.js').Api} api
 */
export async function unsubscribe(api) {
  const subscription = await current();
  if (!subscription) return { ok: true };
  const answer = await api.request('DELETE', '/api/push/subscriptions', {
    json: { endpoint: subscription.endpoint }, timeout: 15_000,
  });
  if (!answer.ok && answer.status !== 404) return { ok: false, reason: 'server', answer };
  await subscription.unsubscribe();
  return { ok: true };
}
