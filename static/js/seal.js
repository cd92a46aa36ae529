/**
 * The seal of a signed round: the SHA-256 of its canonical content (docs/checklists.md,
 * "The seal"). webapp/rounds/seal.py writes the same bytes on the server; change both together.
 */

export const SEAL_VERSION = 1;

/**
 * JSON with keys sorted, no spaces, characters as themselves and numbers in their shortest form.
 * @param {any} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('not a finite number');
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
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
 * What the seal covers, from the device's copy of the round.
 * @param {object} round the round as the user sees it (after submission)
 * @param {object[]} answers its answers
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
      started_at: round.started_at,
      submitted_at: round.submitted_at || '',
      header: round.header || {},
      summary: round.summary || '',
      responsible: round.responsible || '',
      revision_of: id(round.revision_of ?? round.revision_of_id),
    },
    answers: answers.map((a) => ({
      item_key: a.item_key,
      equipment_id: id(a.equipment_id),
      status: a.status,
      value: a.value ?? null,
      note: a.note || '',
      photos: (a.photos || []).map(digest),
    })).sort((a, b) => (a.item_key < b.item_key ? -1 : a.item_key > b.item_key ? 1 : 0)),
    acceptance,
    signature: digest(signatureId),
  };
}

/** @returns {Promise<string>} */
export function sealHash(content) {
  return sha256Text(canonicalJson(content));
}
