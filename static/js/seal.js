/**
 * The seal of a signed round: the SHA-256 of its canonical content (docs/checklists.md,
 * "The seal"). webapp/rounds/seal.py writes the same bytes on the server; change both together.
 * The shared cases in tests/seal_vectors.json run against both.
 */

export const SEAL_VERSION = 1;

/**
 * A number as the shortest digits that read back the same, never with an exponent
 * (1e21 -> "1000000000000000000000", 1e-7 -> "0.0000001", -0 -> "0").
 * @param {number} value
 * @returns {string}
 */
export function numberText(value) {
  if (!Number.isFinite(value)) throw new Error('not a finite number');
  if (value === 0) return '0';
  const shortest = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!match) return shortest;
  const [, sign, first, rest = '', exponent] = match;
  const digits = first + rest;
  const point = 1 + Number(exponent); // where the decimal point goes in `digits`
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A string as JSON, refusing lone surrogates (UTF-8 cannot carry them; Python refuses too). */
function stringText(value) {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
      throw new Error('a lone surrogate cannot be written in UTF-8');
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) throw new Error('a lone surrogate cannot be written in UTF-8');
  }
  return JSON.stringify(value);
}

/**
 * Compare two strings by Unicode code point, as Python sorts (JavaScript's own sort compares
 * UTF-16 units, which puts 😀 before ｆ).
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
export function byCodePoint(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

/**
 * JSON with keys sorted by code point, no spaces, characters as themselves and numbers in
 * their shortest form without an exponent; NaN, infinities and lone surrogates are refused.
 * @param {any} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return stringText(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((k) => `${stringText(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new Error(`cannot seal a ${typeof value}`);
}

/**
 * @param {string} text
 * @returns {Promise<string>} lower-case hex SHA-256 of the UTF-8 bytes
 */
export async function sha256Text(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const id = (v) => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * The device an answer is about, read from its item key ("look@<equipment id>"). The key is
 * the one source on both sides: answers are stored here without the id, and the server fills
 * its column from the same key.
 * @param {string} itemKey
 * @returns {string|null}
 */
export function equipmentOf(itemKey) {
  const at = itemKey.indexOf('@');
  return at < 0 ? null : itemKey.slice(at + 1);
}

/**
 * What the seal covers, from the device's copy of the round.
 * @param {object} round the round as the user sees it (after submission)
 * @param {object[]} answers its answers (item_key, status, value, note, photos)
 * @param {Map<string,string>} digests attachment id -> sha256, for every photo and the signature
 * @param {object} acceptance the acceptance block exactly as it is sent
 * @param {string} signatureId
 */
export function sealedContent(round, answers, digests, acceptance, signatureId) {
  const digest = (attachmentId) => {
    const value = digests.get(String(attachmentId));
    if (!value) throw new Error(`photo ${attachmentId} is not on this device`);
    return value;
  };
  // A contact form started from a fault: the client's signature confirms that fault, so the
  // seal covers which one. Only when set, so the seals of every other round read as before.
  const fault = id(round.fault_id) ? { fault_id: id(round.fault_id) } : {};
  return {
    v: SEAL_VERSION,
    round: {
      id: String(round.id),
      template_version_id: id(round.template_version_id),
      site_id: id(round.site_id),
      location_id: id(round.location_id),
      equipment_id: id(round.equipment_id),
      equipment_ids: (round.equipment_ids || []).map(String),
      period: round.period || '',
      started_at: round.started_at ?? null,
      submitted_at: round.submitted_at || '',
      header: round.header || {},
      summary: round.summary || '',
      responsible: round.responsible || '',
      revision_of: id(round.revision_of ?? round.revision_of_id),
      ...fault,
    },
    answers: answers.map((a) => ({
      item_key: a.item_key,
      equipment_id: equipmentOf(a.item_key),
      status: a.status ?? null,
      value: a.value ?? null,
      note: a.note || '',
      photos: (a.photos || []).map(digest),
    })).sort((a, b) => byCodePoint(a.item_key, b.item_key)),
    acceptance,
    signature: digest(signatureId),
  };
}

/** @returns {Promise<string>} */
export function sealHash(content) {
  return sha256Text(canonicalJson(content));
}
