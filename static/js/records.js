/**
 * Pure rules for the device's copy of records: which site a record belongs to, how pending
 * edits are laid over the server's data (a rebase), and what a server answer means.
 * No storage and no network here, so the rules are easy to read and to test.
 */

/** Answer statuses a push result may carry (docs/sync-protocol.md, "Push"). */
export const STATUSES = new Set(['applied', 'duplicate', 'conflict', 'rejected']);

/**
 * The site a record belongs to, used to drop a whole site when it leaves the user's scope.
 * @param {string} entity
 * @param {string} id
 * @param {Record<string, any>|null|undefined} data
 * @returns {string|null}
 */
export function siteOf(entity, id, data) {
  if (entity === 'site') return id;
  return data && data.site_id ? String(data.site_id) : null;
}

/**
 * The record a record belongs to, for listing children quickly (an answer's round).
 * @param {string} entity
 * @param {Record<string, any>|null|undefined} data
 * @returns {string|null}
 */
export function parentOf(entity, data) {
  if (entity === 'answer' && data && data.round_id) return String(data.round_id);
  if (entity === 'fault_event' && data && data.fault_id) return String(data.fault_id);
  return null;
}

/** What an operation other than create/update/delete does to the record as the user sees it. */
const STATUS_AFTER = { submit: 'submitted', sign: 'sealed', withdraw: 'withdrawn' };

/**
 * The record as the user should see it: the server's data with the pending edits on top, in
 * the order they were made.
 * @param {string} id
 * @param {Record<string, any>|null} server the last data the server sent (null: none, or deleted)
 * @param {Array<{client_seq:number, op:string, changes:Record<string, any>}>} pending
 * @returns {Record<string, any>|null} null when the record does not exist (or is deleted)
 */
export function rebase(id, server, pending) {
  let local = server ? { ...server } : null;
  for (const entry of [...pending].sort((a, b) => a.client_seq - b.client_seq)) {
    if (entry.op === 'create') local = { ...(local || {}), ...entry.changes, id };
    else if (entry.op === 'update' && local) local = { ...local, ...entry.changes };
    else if (entry.op === 'delete') local = null;
    else if (STATUS_AFTER[entry.op] && local) {
      local = { ...local, ...entry.changes, status: STATUS_AFTER[entry.op] };
    }
  }
  return local;
}

/**
 * The device's copy of a record after a pulled change: the server's data (or its tombstone)
 * becomes the base and the pending edits are laid on top again (a rebase). The caller has
 * already checked that the change is not older than the copy held.
 * @param {{version:number, server:Record<string, any>|null, server_deleted:boolean,
 *   local:Record<string, any>|null, site_id:string|null, pending:number}} rec the copy held,
 *   or a blank one; left unchanged
 * @param {{entity:string, id:string, version:number, deleted?:boolean,
 *   data?:Record<string, any>}} change one element of a pull page's `changes`
 * @param {Array<{client_seq:number, op:string, changes:Record<string, any>}>} pending the
 *   record's pending outbox entries
 * @returns {object} the new copy, to store in place of `rec`
 */
export function pulledRecord(rec, change, pending) {
  const server = change.deleted ? null : { ...change.data, id: change.id };
  const local = rebase(change.id, server, pending);
  const siteId = siteOf(change.entity, change.id, change.data) || rec.site_id;
  return {
    ...rec,
    version: change.version,
    server_deleted: Boolean(change.deleted),
    server,
    local,
    pending: pending.length,
    site_id: siteOf(change.entity, change.id, local || server) || siteId,
    parent_id: parentOf(change.entity, local || server) || rec.parent_id || null,
  };
}

/**
 * What the server now holds after answering one of our mutations, until the next pull tells
 * us exactly: our changes, except conflicting fields, where the server kept its value.
 * @param {Record<string, any>|null} server
 * @param {{op:string, changes:Record<string, any>, id:string}} entry
 * @param {{status:string, conflicts?:Array<{field:string, kept:any}>}} answer
 * @returns {Record<string, any>|null}
 */
export function serverAfter(server, entry, answer) {
  if (answer.status === 'rejected') return server;
  if (exactData(answer)) return { ...answer.data, id: entry.id };
  if (entry.op === 'delete') return null;
  const next = { ...(server || {}), ...entry.changes, id: entry.id };
  if (STATUS_AFTER[entry.op]) next.status = STATUS_AFTER[entry.op];
  for (const conflict of answer.conflicts || []) {
    if (conflict && typeof conflict.field === 'string') next[conflict.field] = conflict.kept;
  }
  return next;
}

/**
 * The record as the server stored it, when the answer says it is exactly our change on the
 * version we edited (then the pull does not send it back: docs/sync-protocol.md, "No echo").
 * @param {{status:string, data?:any, server_seq?:any}} answer
 * @returns {boolean}
 */
export function exactData(answer) {
  return answer.status === 'applied' && Boolean(answer.data) && typeof answer.data === 'object'
    && !Array.isArray(answer.data) && Number.isInteger(answer.server_seq);
}

/**
 * Change numbers as the pull's `held` ranges (`1001-1500,1503`), at most `max` ranges, the
 * lowest first (the rest simply come back, as any change would).
 * @param {number[]} seqs
 * @param {number} [max]
 * @returns {string}
 */
export function heldRanges(seqs, max = 200) {
  const parts = [];
  for (const seq of [...new Set(seqs)].sort((a, b) => a - b)) {
    const last = parts[parts.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else if (parts.length < max) parts.push([seq, seq]);
    else break;
  }
  return parts.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',');
}

/**
 * The answer to act on: a duplicate stands for the first answer the server gave.
 * @param {Record<string, any>} result one element of a push answer's `results`
 * @returns {{status:string, version?:number, conflicts?:any[], error?:any}}
 */
export function effectiveAnswer(result) {
  if (result.status !== 'duplicate') return result;
  const first = result.first;
  if (first && typeof first === 'object' && STATUSES.has(first.status) && first.status !== 'duplicate') {
    return { ...first, mutation_id: result.mutation_id };
  }
  // The server has it but did not say how it went: it holds the mutation, so it is not ours
  // to resend; treat it as applied and let the next pull show the truth.
  return { ...result, status: 'applied' };
}

/**
 * What becomes of an outbox entry once the server answered it: `sent` (gone from the outbox),
 * `needs_attention` (refused: the user decides) or `conflict` (kept until resolved). The cases
 * the server must agree with are in tests/status_vectors.json.
 * @param {{status:string}} answer the effective answer (effectiveAnswer)
 * @returns {'sent'|'needs_attention'|'conflict'}
 */
export function entryAfter(answer) {
  if (answer.status === 'rejected') return 'needs_attention';
  if (answer.status === 'conflict') return 'conflict';
  return 'sent';
}

/**
 * Whether a push answer is well formed: a JSON object with a results array of answers.
 * A captive portal's HTML page or any other body is not, and acknowledges nothing.
 * @param {any} body
 * @returns {boolean}
 */
export function isPushAnswer(body) {
  return Boolean(body) && typeof body === 'object' && Array.isArray(body.results)
    && body.results.every((r) => r && typeof r === 'object'
      && typeof r.mutation_id === 'string' && STATUSES.has(r.status));
}

/**
 * Whether a pull answer is well formed.
 * @param {any} body
 * @returns {boolean}
 */
export function isPullAnswer(body) {
  return Boolean(body) && typeof body === 'object' && Array.isArray(body.changes)
    && typeof body.has_more === 'boolean'
    && (body.cursor === null || body.cursor === undefined || typeof body.cursor === 'string')
    && body.changes.every((c) => c && typeof c === 'object' && typeof c.entity === 'string'
      && typeof c.id === 'string' && Number.isInteger(c.version));
}

/**
 * The fields whose values differ, compared as the API would see them.
 * @param {Record<string, any>} before
 * @param {Record<string, any>} after
 * @returns {Record<string, any>}
 */
export function changedFields(before, after) {
  const changes = {};
  for (const [key, value] of Object.entries(after)) {
    if (!sameValue(before[key], value)) changes[key] = value;
  }
  return changes;
}

function sameValue(a, b) {
  const norm = (v) => (v === undefined || v === '' ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}
