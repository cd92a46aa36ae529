/**
 * Runs before the app's modules (a deferred classic script, first in the shell): starts fetching
 * the translations this device showed last time, so that they come from the worker's cache
 * while the modules do, not after them. i18n.js takes the answer when it wants that locale and
 * fetches its own otherwise (the first start on a device, or a language changed elsewhere).
 */
(function prefetchCatalogue() {
  let locale = null;
  try {
    locale = window.localStorage.getItem('rounds.locale');
  } catch (error) {
    return; // storage refused (private mode): nothing to guess from
  }
  if (!/^(zh_Hans|zh_Hant|en)$/.test(locale || '')) return;
  window.__roundsCatalogue = {
    locale,
    response: fetch('/app/i18n/' + locale + '.json', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; }),
  };
}());
