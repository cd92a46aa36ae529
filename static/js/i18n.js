/**
 * Translations: the server's catalogues as JSON (/app/i18n/<locale>.json), cached by the worker.
 *
 * Messages are English msgids, as in the Python code; placeholders follow Python's
 * `%(name)s` / `%(num)d`. A missing translation falls back to the English msgid.
 */

export const LOCALES = ['zh_Hans', 'zh_Hant', 'en'];

let current = { locale: 'en', messages: {} };

/**
 * Map browser language tags onto our three catalogues, as the server does (webapp/i18n.py).
 * @param {readonly string[]} tags e.g. navigator.languages
 * @returns {string|null}
 */
export function matchLanguage(tags) {
  for (const value of tags || []) {
    const tag = String(value).replace(/_/g, '-').toLowerCase();
    if (tag.startsWith('zh')) {
      const parts = tag.split('-');
      // The script, said outright (zh-Hans-HK), wins over the region.
      if (parts.includes('hans') || parts.includes('hant')) return parts.includes('hant') ? 'zh_Hant' : 'zh_Hans';
      return ['tw', 'hk', 'mo'].some((region) => parts.includes(region)) ? 'zh_Hant' : 'zh_Hans';
    }
    if (tag.startsWith('en')) return 'en';
  }
  return null;
}

/** The cookie the server's language switch sets (webapp/i18n.py LANG_COOKIE). */
export const LANG_COOKIE = 'rounds_lang';

/**
 * The language chosen in this browser before signing in (the sign-in page's switch), if any.
 * @returns {string|null}
 */
export function cookieLocale() {
  const found = document.cookie.split(';').map((part) => part.trim().split('='))
    .find(([name]) => name === LANG_COOKIE);
  return found && LOCALES.includes(found[1]) ? found[1] : null;
}

/** Forget the browser's language choice: the browser's own languages decide again. */
export function forgetCookieLocale() {
  document.cookie = `${LANG_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
}

/**
 * The language to show, by the server's rule (webapp/i18n.py `select_locale`): the user's own
 * choice, else one made in this browser (the language cookie), else the browser's languages,
 * else English. Nothing but a person's choice ever pins a language.
 * @param {string|null|undefined} userLocale
 * @returns {string}
 */
export function chooseLocale(userLocale) {
  if (userLocale && LOCALES.includes(userLocale)) return userLocale;
  return cookieLocale() || browserLocale();
}

/**
 * The language of this browser alone, without anyone's choice.
 * @returns {string}
 */
export function browserLocale() {
  const tags = navigator.languages && navigator.languages.length
    ? navigator.languages : [navigator.language];
  return matchLanguage(tags) || 'en';
}

/**
 * Load a catalogue and make it current; sets <html lang>. Offline it comes from the worker's
 * cache; if even that fails the app speaks English rather than not starting.
 * @param {string} locale
 * @returns {Promise<string>} the locale in use (the previous one if this one could not load)
 */
export async function loadLocale(locale) {
  let messages = null;
  try {
    const body = await (takePrefetched(locale) || fetchCatalogue(locale));
    if (body && body.messages && typeof body.messages === 'object') messages = body.messages;
  } catch (error) {
    console.warn('translations unavailable', locale, error);
  }
  if (!messages && locale !== 'en') return current.locale; // keep what we have; retry later
  current = { locale, messages: messages || {} };
  document.documentElement.lang = htmlLang(locale);
  rememberLocale(locale);
  return locale;
}

async function fetchCatalogue(locale) {
  const response = await fetch(`/app/i18n/${locale}.json`, { credentials: 'same-origin' });
  return response.ok ? response.json() : null;
}

/** The catalogue boot.js began fetching before the bundle arrived, if it is this locale's. */
function takePrefetched(locale) {
  const early = globalThis.__roundsCatalogue;
  globalThis.__roundsCatalogue = null; // used once: a later change of language fetches anew
  return early && early.locale === locale ? early.response : null;
}

/** What boot.js prefetches at the next start. */
function rememberLocale(locale) {
  try {
    localStorage.setItem('rounds.locale', locale);
  } catch (error) {
    // storage refused: the next start takes the language the shell preloads
  }
}

/** @returns {string} the catalogue in use, e.g. "zh_Hans" */
export function currentLocale() {
  return current.locale;
}

/**
 * BCP 47 tag for <html lang>.
 * @param {string} locale
 * @returns {string}
 */
export function htmlLang(locale) {
  return locale.replace('_', '-');
}

/**
 * Fill Python-style placeholders: %(name)s, %(num)d.
 * @param {string} text
 * @param {Record<string, unknown>} [vars]
 * @returns {string}
 */
export function format(text, vars) {
  if (!vars) return text;
  return text.replace(/%\((\w+)\)([sd])/g, (whole, name, kind) => {
    if (!(name in vars)) return whole;
    const value = vars[name];
    return kind === 'd' ? String(Math.trunc(Number(value))) : String(value ?? '');
  });
}

/**
 * Translate a message.
 * @param {string} msgid English source text
 * @param {Record<string, unknown>} [vars]
 * @returns {string}
 */
export function t(msgid, vars) {
  const found = current.messages[msgid];
  return format(typeof found === 'string' && found ? found : msgid, vars);
}

/**
 * Translate a message with plural forms; `num` is available as a placeholder.
 * @param {string} singular
 * @param {string} plural
 * @param {number} n
 * @param {Record<string, unknown>} [vars]
 * @returns {string}
 */
export function tn(singular, plural, n, vars) {
  const all = { num: n, ...(vars || {}) };
  const forms = current.messages[singular];
  if (Array.isArray(forms) && forms.length) {
    return format(forms[Math.min(pluralIndex(current.locale, n), forms.length - 1)], all);
  }
  return format(n === 1 ? singular : plural, all);
}

function pluralIndex(locale, n) {
  return locale.startsWith('zh') ? 0 : (n === 1 ? 0 : 1);
}
