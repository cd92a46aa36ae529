/**
 * How much notice a leave request gives, by the seeds' rule (as webapp/attendance/leave.py; both
 * run tests/leave_vectors.json): one or two days asked at least one day ahead, three or more at
 * least two days ahead, an emergency filed afterwards allowed and marked. Calendar days, both
 * ends included; "ahead" counts from the filing day at the site, not in UTC. A phone whose clock
 * is behind the newest server-signed time it holds is judged from that time instead.
 */

const DAY_MS = 86_400_000;

/** @param {string} iso YYYY-MM-DD @returns {number} days since 1970-01-01 */
function dayNumber(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/**
 * The calendar day of an instant in a time zone.
 * @param {Date} instant
 * @param {string} timeZone e.g. "Asia/Shanghai"
 * @returns {string} YYYY-MM-DD
 */
export function localDay(instant, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(instant);
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** @param {number} days @returns {number} */
export function neededNotice(days) {
  return days <= 2 ? 1 : 2;
}

/**
 * The instant the notice is judged from: the phone's clock, or the newest signed server time it
 * holds when the clock is behind it.
 * @param {Date} filedAt
 * @param {Date|null} [serverTime]
 * @returns {Date}
 */
export function judgedAt(filedAt, serverTime = null) {
  return serverTime && serverTime.getTime() > filedAt.getTime() ? serverTime : filedAt;
}

/**
 * The time a server stamp ("2026-12-02T23:30:00Z.<signature>") holds, or null.
 * @param {string} stamp
 * @returns {Date|null}
 */
export function stampTime(stamp) {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\./.exec(stamp || '');
  return match ? new Date(match[1]) : null;
}

/**
 * @param {string} start first day of leave, YYYY-MM-DD
 * @param {string} end last day of leave, YYYY-MM-DD
 * @param {Date} filedAt when the request is filed
 * @param {string} timeZone the site's time zone
 * @param {Date|null} [serverTime] the newest server-signed time the phone holds
 * @returns {{days: number, needed: number, ahead: number,
 *   status: 'on_time'|'short_notice'|'afterwards'}}
 */
export function leaveNotice(start, end, filedAt, timeZone, serverTime = null) {
  const first = dayNumber(start);
  const last = dayNumber(end);
  if (last < first) throw new RangeError('the leave ends before it starts');
  const days = last - first + 1;
  const needed = neededNotice(days);
  const ahead = first - dayNumber(localDay(judgedAt(filedAt, serverTime), timeZone));
  let status = 'on_time';
  if (ahead < 0) status = 'afterwards';
  else if (ahead < needed) status = 'short_notice';
  return { days, needed, ahead, status };
}
