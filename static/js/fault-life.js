/**
 * A fault's life, derived from its events by one rule (docs/faults.md, "A fault's life"), and
 * its service-level clocks. webapp/faults/life.py and webapp/faults/clock.py are the same rule on
 * the server; tests/fault_vectors.json runs against both. Change them together.
 *
 * Events are ordered by their time as the device wrote it, then by arrival on the server (not
 * yet sent: last), then by id. An event that makes no sense where it lands is kept and shown
 * with the reason it had no effect.
 */

export const KINDS = ['responded', 'on_site', 'waiting', 'resumed', 'resolved', 'confirmed',
  'closed', 'cancelled', 'assigned', 'escalated', 'reviewed'];
// Steps that record what was learnt (the case report): no effect on the life, at any time.
const RECORD_ONLY = ['reviewed'];
const OPEN_STAGES = ['reported', 'responded', 'on_site'];
const ENDED = ['closed', 'cancelled'];
const WARNING_SHARE = 0.8;
const DAY = 86400000;
const HORIZON_DAYS = 400;

/**
 * A device time ("2026-12-02T08:00:00.000Z", "...+08:00") as milliseconds since the epoch.
 * @param {string} text
 * @returns {number}
 */
export function instant(text) {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${text}`);
  return ms;
}

/** UTC to the second, as the server writes it. */
export function iso(ms) {
  if (ms === null || ms === undefined) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function compareEvents(a, b) {
  const ta = instant(a.at);
  const tb = instant(b.at);
  if (ta !== tb) return ta - tb;
  const sa = a.seq ? [0, a.seq] : [1, 0];
  const sb = b.seq ? [0, b.seq] : [1, 0];
  if (sa[0] !== sb[0]) return sa[0] - sb[0];
  if (sa[1] !== sb[1]) return sa[1] - sb[1];
  const ia = String(a.id);
  const ib = String(b.id);
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** Events in the one order of the rule. */
export function ordered(events) {
  return [...events].sort(compareEvents);
}

// --- the clock (webapp/faults/clock.py) ---------------------------------------------------------

const formatters = new Map();

function partsIn(ms, timeZone) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = {};
  for (const p of format.formatToParts(new Date(ms))) parts[p.type] = Number(p.value);
  return parts;
}

function offsetAt(ms, timeZone) {
  const p = partsIn(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Wall time `hh:mm` on the calendar day `dayMs` (UTC midnight of that date) in a zone. */
function wallTime(dayMs, hhmm, timeZone) {
  const [h, m] = hhmm.split(':').map(Number);
  const guess = dayMs + (h * 60 + m) * 60000;
  let ms = guess - offsetAt(guess, timeZone);
  ms = guess - offsetAt(ms, timeZone);
  return ms;
}

function dayKey(dayMs) {
  return new Date(dayMs).toISOString().slice(0, 10);
}

function working(dayMs, days) {
  const key = dayKey(dayMs);
  if (days && Object.prototype.hasOwnProperty.call(days, key)) return Boolean(days[key]);
  const weekday = new Date(dayMs).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

function* running(policy, since) {
  if (policy.round_the_clock) {
    yield [since, since + HORIZON_DAYS * DAY];
    return;
  }
  const p = partsIn(since, policy.timezone);
  let day = Date.UTC(p.year, p.month - 1, p.day);
  const last = day + HORIZON_DAYS * DAY;
  const periods = [...policy.periods].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  while (day <= last) {
    if (working(day, policy.days)) {
      for (const [start, end] of periods) {
        yield [wallTime(day, start, policy.timezone), wallTime(day, end, policy.timezone)];
      }
    }
    day += DAY;
  }
}

function* minus(spans, pauses) {
  for (const [start, end] of spans) {
    let pieces = [[start, end]];
    for (const [ps, pe] of pauses) {
      const cut = [];
      for (const [a, b] of pieces) {
        if (pe <= a || ps >= b) { cut.push([a, b]); continue; }
        if (a < ps) cut.push([a, ps]);
        if (pe < b) cut.push([pe, b]);
      }
      pieces = cut;
    }
    yield* pieces;
  }
}

function closedPauses(pauses, now) {
  return pauses.map(([s, e]) => [s, e ?? now]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** Clock time between start and until, in ms (running time only, pauses left out). */
export function used(start, until, policy, pauses) {
  if (until <= start) return 0;
  let total = 0;
  for (const [a, b] of minus(running(policy, start), closedPauses(pauses, until))) {
    if (b <= start) continue;
    if (a >= until) break;
    total += Math.min(b, until) - Math.max(a, start);
  }
  return total;
}

/** When `limitMs` of clock time after start is used up; null while a pause is open. */
export function due(start, limitMs, policy, pauses, now) {
  if (pauses.some(([, e]) => e === null || e === undefined)) return null;
  let left = limitMs;
  for (const [from, b] of minus(running(policy, start), closedPauses(pauses, now ?? start))) {
    if (b <= start) continue;
    const a = Math.max(from, start);
    if (b - a >= left) return a + left;
    left -= b - a;
  }
  return null;
}

function clockFigures(start, minutes, now, policy, pauses, stopped) {
  const limit = minutes * 60000;
  const spent = used(start, stopped ?? now, policy, pauses);
  const breached = spent > limit;
  return {
    limit_s: minutes * 60,
    used_s: Math.floor(spent / 1000),
    due: iso(due(start, limit, policy, pauses, now)),
    stopped: stopped !== null,
    breached,
    warning: !breached && spent >= limit * WARNING_SHARE,
  };
}

// --- the rule -----------------------------------------------------------------------------------

/**
 * The fault as its events make it, read at `now` (ms).
 * @param {{reported_at: string, assignee_id?: string|null}} fault
 * @param {Array<{id: string, kind: string, at: string, seq?: number|null, details?: object}>} events
 * @param {object} policy respond_minutes, resolve_minutes, round_the_clock, periods, timezone,
 *   days, waiting_stops_clock
 * @param {number} now
 */
export function derive(fault, events, policy, now) {
  let stage = 'reported';
  const times = {
    responded_at: null, on_site_at: null, resolved_at: null, confirmed_at: null,
    closed_at: null, cancelled_at: null,
  };
  let assignee = fault.assignee_id ?? null;
  let escalatedTo = null;
  let waitingSince = null;
  let waitingFor = null;
  const pauses = [];
  const effects = [];
  const closePause = (at) => {
    if (waitingSince !== null) {
      pauses.push([waitingSince, at]);
      waitingSince = null;
      waitingFor = null;
    }
  };

  for (const event of ordered(events)) {
    const { kind, at } = event;
    const details = event.details || {};
    let why = null;
    if (RECORD_ONLY.includes(kind)) {
      // counts as it is, also after the fault ended
    } else if (ENDED.includes(stage)) {
      why = 'after_end';
    } else if (kind === 'assigned') {
      assignee = details.assignee_id ?? null;
    } else if (kind === 'escalated') {
      escalatedTo = details.to ?? null;
      if (details.assignee_id) assignee = details.assignee_id;
    } else if (kind === 'responded') {
      if (stage !== 'reported') why = 'already';
      else { stage = 'responded'; times.responded_at = at; }
    } else if (kind === 'on_site') {
      if (stage !== 'reported' && stage !== 'responded') why = 'already';
      else {
        times.responded_at = times.responded_at || at;
        stage = 'on_site';
        times.on_site_at = at;
      }
    } else if (kind === 'waiting') {
      if (!OPEN_STAGES.includes(stage)) why = 'already';
      else if (waitingSince !== null) why = 'already';
      else { waitingSince = at; waitingFor = details.waiting_for ?? null; }
    } else if (kind === 'resumed') {
      if (waitingSince === null) why = 'not_waiting';
      else closePause(at);
    } else if (kind === 'resolved') {
      if (!OPEN_STAGES.includes(stage)) why = 'already';
      else {
        closePause(at);
        times.responded_at = times.responded_at || at;
        stage = 'resolved';
        times.resolved_at = at;
      }
    } else if (kind === 'confirmed') {
      if (stage === 'resolved') { stage = 'confirmed'; times.confirmed_at = at; }
      else why = OPEN_STAGES.includes(stage) ? 'not_yet' : 'already';
    } else if (kind === 'closed') {
      if (stage === 'resolved' || stage === 'confirmed') { stage = 'closed'; times.closed_at = at; }
      else why = 'not_yet';
    } else if (kind === 'cancelled') {
      if (!OPEN_STAGES.includes(stage)) why = 'already'; // a resolved fault is closed instead
      else {
        closePause(at);
        stage = 'cancelled';
        times.cancelled_at = at;
      }
    }
    effects.push({ id: String(event.id), applied: why === null, why });
  }

  if (waitingSince !== null) pauses.push([waitingSince, null]);
  const status = waitingSince !== null ? 'waiting' : stage;
  const start = instant(fault.reported_at);
  const spans = pauses.map(([a, b]) => [instant(a), b ? instant(b) : null]);
  const cancelled = times.cancelled_at ? instant(times.cancelled_at) : null;
  const responded = times.responded_at ? instant(times.responded_at) : cancelled;
  const resolved = times.resolved_at ? instant(times.resolved_at) : cancelled;
  return {
    status,
    ...times,
    assignee_id: assignee,
    escalated_to: escalatedTo,
    waiting_for: waitingFor,
    pauses,
    events: effects,
    respond: clockFigures(start, policy.respond_minutes, now, policy, [], responded),
    resolve: clockFigures(start, policy.resolve_minutes, now, policy,
      policy.waiting_stops_clock ? spans : [], resolved),
  };
}
