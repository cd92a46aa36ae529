/**
 * Ages, times and sizes in the user's language.
 */

import { currentLocale, t, tn } from '../i18n.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago, roughly: "5 min", "2 h", "3 days".
 * @param {number} since a timestamp (ms)
 * @param {number} [now]
 * @returns {string}
 */
export function age(since, now = Date.now()) {
  const ms = Math.max(0, now - since);
  if (ms < MINUTE) return t('under a minute');
  if (ms < HOUR) return tn('%(num)d min', '%(num)d min', Math.floor(ms / MINUTE));
  if (ms < DAY) return tn('%(num)d h', '%(num)d h', Math.floor(ms / HOUR));
  return tn('%(num)d day', '%(num)d days', Math.floor(ms / DAY));
}

/**
 * A time of day, with the date when it is not today.
 * @param {number|null} ts
 * @returns {string}
 */
export function when(ts) {
  if (!ts) return t('never');
  const date = new Date(ts);
  const lang = currentLocale().replace('_', '-');
  const today = new Date().toDateString() === date.toDateString();
  const options = today
    ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(lang, options).format(date);
}

/**
 * Bytes as KB, MB or GB.
 * @param {number} bytes
 * @returns {string}
 */
export function size(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/**
 * A server timestamp as milliseconds. The server writes UTC without a zone designator
 * ("2026-11-21T08:52:00"); read as local time it would be off by eight hours in China.
 * @param {string|null|undefined} text
 * @returns {number|null}
 */
export function serverTime(text) {
  if (!text) return null;
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? null : ms;
}
