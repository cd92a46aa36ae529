/**
 * Check-ins and check-outs made offline and signed with a passkey (docs/checkins.md).
 *
 * The record's canonical bytes are the seal's canonical JSON (seal.js) of its signed fields;
 * webapp/checkins/record.py writes the same bytes on the server, and the shared cases in
 * tests/checkin_vectors.json run against both. The passkey signs SHA-256 of those bytes: the
 * challenge is made here, so no network is needed.
 */

import { fieldRules } from './contract.js';
import { canonicalJson } from './seal.js';
import { PasskeyError, getPasskey, passkeysSupported, toBase64url } from './passkeys.js';

export const CHECKIN_VERSION = 2; // 2: with purpose, people, escorts (record.py)
const TYPE = 'rounds-checkin';
const SERVER_TIME_META = 'serverTime';

const idOrNull = (v) => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * The fields the passkey signs (`content` in record.py).
 * The access fields (a restricted room, 机房出入登记) are always there, empty elsewhere.
 * @param {{id:string, user_id:string, site_id:string, location_id?:string|null,
 *   tag_token?:string, kind:'in'|'out', device_time:string, server_time?:string,
 *   purpose?:string, people?:number|null, escorts?:string[]}} record
 */
export function checkinContent(record) {
  return {
    type: TYPE,
    v: CHECKIN_VERSION,
    id: String(record.id),
    user_id: String(record.user_id),
    site_id: String(record.site_id),
    location_id: idOrNull(record.location_id),
    tag_token: record.tag_token || '',
    kind: record.kind,
    device_time: record.device_time,
    server_time: record.server_time || '',
    purpose: record.purpose || '',
    people: record.people === null || record.people === undefined ? null : Number(record.people),
    escorts: (record.escorts || []).map(String),
  };
}

/**
 * What is wrong with the access record of a check-in at a restricted room, by the server's
 * contract (form "checkin_access": webapp/checkins/schemas.py CheckInAccess) and its rule (the
 * purpose and the number of people are required there). No limit is written here.
 * @param {{purpose:string, people:number|null, escorts:string[]}} access
 * @returns {{field:string, problem:string, limit?:number}[]}
 */
export function accessProblems(access) {
  const length = (text) => [...text].length; // code points, as the server counts
  const rules = fieldRules('checkin_access');
  const rule = (name) => rules.get(name) || {};
  const problems = [];
  const purpose = rule('purpose');
  if (!access.purpose.trim()) problems.push({ field: 'purpose', problem: 'required' });
  else if (purpose.max_length !== undefined && length(access.purpose) > purpose.max_length) {
    problems.push({ field: 'purpose', problem: 'too_long', limit: purpose.max_length });
  }
  const people = rule('people');
  if (access.people === null || !Number.isInteger(access.people)) {
    problems.push({ field: 'people', problem: 'required', min: people.min, max: people.max });
  } else if ((people.min !== undefined && access.people < people.min)
    || (people.max !== undefined && access.people > people.max)) {
    problems.push({ field: 'people', problem: 'range', min: people.min, max: people.max });
  }
  const escorts = rule('escorts');
  if (escorts.max_items !== undefined && access.escorts.length > escorts.max_items) {
    problems.push({ field: 'escorts', problem: 'too_many', limit: escorts.max_items });
  }
  if (escorts.item_max_length !== undefined
    && access.escorts.some((name) => length(name) > escorts.item_max_length)) {
    problems.push({ field: 'escorts', problem: 'too_long', limit: escorts.item_max_length });
  }
  return problems;
}

/** The escorted people typed one per line (or separated by commas): trimmed, none empty. */
export function escortNames(text) {
  return String(text || '').split(/[\n,，、;；]/).map((name) => name.trim()).filter(Boolean);
}

/** @returns {Uint8Array} the UTF-8 bytes the passkey signs the hash of */
export function canonicalBytes(record) {
  return new TextEncoder().encode(canonicalJson(checkinContent(record)));
}

/** @returns {Promise<Uint8Array>} SHA-256 of the bytes: the WebAuthn challenge */
export async function challengeOf(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export function hex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The phone's clock as ISO 8601 with its own offset (what the engineer's phone showed). */
export function localIso(date = new Date()) {
  const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** The newest server-signed time this phone holds ('' before the first pull). */
export async function heldServerTime(db) {
  const held = await db.getMeta(SERVER_TIME_META);
  return (held && held.stamp) || '';
}

/** Keep the stamp of each pull answer (sync.js calls this). */
export async function keepServerTime(db, stamp) {
  if (typeof stamp === 'string' && stamp) await db.setMeta(SERVER_TIME_META, { stamp, at: Date.now() });
}

/**
 * Build a check-in, and ask a passkey to sign it. `access`: {purpose, people, escorts} at a
 * restricted room (checked by `accessProblems` first). No passkey here, or the person cancels: the
 * record is kept unsigned (`assertion` null) with the reason, never lost.
 * @returns {Promise<{id: string, changes: object, signed: boolean, reason: string|null}>}
 */
export async function makeCheckin({
  db, userId, siteId, locationId = null, tagToken = '', kind, rpId, access = null,
}) {
  const record = {
    id: crypto.randomUUID(),
    user_id: userId,
    site_id: siteId,
    location_id: locationId,
    tag_token: tagToken || '',
    kind,
    device_time: localIso(),
    server_time: await heldServerTime(db),
    purpose: access ? access.purpose : '',
    people: access ? access.people : null,
    escorts: access ? access.escorts : [],
  };
  const bytes = canonicalBytes(record);
  const challenge = await challengeOf(bytes);
  let assertion = null;
  let reason = null;
  if (!passkeysSupported()) {
    reason = 'unsupported';
  } else {
    try {
      assertion = await getPasskey({
        challenge: toBase64url(challenge),
        rpId,
        userVerification: 'required',
        timeout: 120000,
        allowCredentials: [],
      });
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      reason = error.reason;
    }
  }
  const { id, ...fields } = record; // the id travels as the mutation's record id
  const changes = { ...fields, canonical: toBase64url(bytes), assertion };
  return { id, changes, signed: Boolean(assertion), reason };
}
