/**
 * Runs before the app's bundle (a deferred classic script, first in the shell): starts fetching
 * the translations this device showed last time, so that they come from the worker's cache
 * while the bundle does, not after it. On a device that has shown none yet, the language the
 * server named in the shell (its <link rel=preload>, already on its way) is the guess. i18n.js
 * takes the answer when it wants that locale and fetches its own otherwise (a language changed
 * elsewhere).
 *
 * Then, on the home screen, it draws the picture of home the app kept last time it drew it
 * (app.js keepHomeSnapshot: the signed-in user's tiles, in their language), until the app has
 * opened its store and draws home itself over it. Home holds links only: a tap on one in the
 * picture changes the route, and the app, once started, draws the screen it names (from its
 * own data, so a link the data no longer has shows as such). Signing out forgets the picture.
 */
(function prefetchCatalogue() {
  let locale = null;
  try {
    locale = window.localStorage.getItem('rounds.locale');
  } catch (error) {
    // storage refused (private mode): the server's guess below
  }
  if (!locale) {
    const hint = document.querySelector('link[rel=preload][data-locale]');
    locale = hint && hint.getAttribute('data-locale');
  }
  if (!/^(zh_Hans|zh_Hant|en)$/.test(locale || '')) return;
  window.__roundsCatalogue = {
    locale,
    response: fetch('/app/i18n/' + locale + '.json', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; }),
  };
}());

(function drawHomeSnapshot() {
  if (location.pathname !== '/app/' || !/^(#\/?)?$/.test(location.hash)) return;
  let snapshot = null;
  try {
    snapshot = JSON.parse(window.localStorage.getItem('rounds.home') || 'null');
  } catch (error) {
    return;
  }
  const view = document.getElementById('view');
  if (!snapshot || typeof snapshot.view !== 'string' || !view || !view.querySelector('.booting')) return;
  // The app's own markup, as app.js serialised it (text escaped by the browser).
  view.innerHTML = snapshot.view;
  view.dataset.snapshot = '1';
  view.setAttribute('aria-busy', 'true'); // the app has not drawn it yet
  if (typeof snapshot.nav === 'string') document.getElementById('nav').innerHTML = snapshot.nav;
  if (typeof snapshot.brand === 'string') document.getElementById('brand').textContent = snapshot.brand;
  if (typeof snapshot.lang === 'string') document.documentElement.lang = snapshot.lang;
}());
