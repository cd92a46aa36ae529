/**
 * QR tags: reading what a scan gave, checking the server's signature offline, and finding the
 * tagged record in the phone's own store.
 *
 * A tag's text is `<origin>/t/<token>` (or a bare token). The token is base64url, without
 * padding, of payload (18 bytes) + signature (64 bytes), in exactly one spelling:
 *   payload   = version (1) | kind (1 equipment, 2 location) | tag id (16 bytes, a UUID)
 *   signature = Ed25519 over the ASCII bytes "rounds-tag" followed by the payload
 * The public key comes from GET /api/tags/key and is kept in the store's meta (`tag-key`), so a
 * phone that has been online once can tell a forged label in a basement with no signal.
 *
 * The server reads tokens and links by the same rules (webapp/tags/signing.py, /t/<token>);
 * tests/tag_vectors.json holds the cases both run, so neither accepts what the other refuses.
 */

const VERSION = 1;
const KINDS = { 1: 'equipment', 2: 'location' };
const PAYLOAD_BYTES = 18;
const SIGNATURE_BYTES = 64;
const TOKEN_CHARS = 110; // 82 bytes in base64url without padding
const CONTEXT = new TextEncoder().encode('rounds-tag');
const TOKEN = /^[A-Za-z0-9_-]+$/;
const LINK_PATH = /^\/t\/([^/]+)$/;
const KEY_META = 'tag-key';

/**
 * @typedef {{ok: true, kind: string, tagId: string, token: string}} TagRead
 * @typedef {{ok: false, reason: 'not-ours'|'malformed'}
 *   | {ok: false, reason: 'forged'|'unverified', kind: string, tagId: string, token: string}} TagRefusal
 *   `unverified`: well formed, but this phone cannot check the signature (no key yet, or a
 *   browser without Ed25519); the store decides then.
 */

/**
 * The token of a tag link's path, read as the server's route /t/<token> reads it: exactly one
 * segment after /t/, percent-escapes decoded, nothing trimmed. Null for any other path.
 * @param {string} pathname e.g. "/t/AQE..." (as `URL.pathname` gives it)
 * @returns {string|null}
 */
export function tokenOfPath(pathname) {
  const match = LINK_PATH.exec(String(pathname || ''));
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null; // a broken escape: the server cannot read it either
  }
}

/**
 * The token in a scanned text, or why there is none: a bare token (spaces around it ignored),
 * or a link to this app's origin whose path is a tag's (`tokenOfPath`).
 * @param {string} text what the QR code holds
 * @param {string} origin this app's origin, e.g. "https://rounds.example.cn"
 * @returns {{token: string}|{reason: 'not-ours'}}
 */
export function tokenOf(text, origin) {
  const value = String(text || '').trim();
  if (TOKEN.test(value)) return { token: value };
  let url;
  try {
    url = new URL(value);
  } catch {
    return { reason: 'not-ours' };
  }
  if (url.origin !== origin) return { reason: 'not-ours' };
  const token = tokenOfPath(url.pathname);
  return token === null ? { reason: 'not-ours' } : { token };
}

/**
 * Bytes of unpadded base64url, or null when the text is not that.
 * @param {string} text
 * @returns {Uint8Array|null}
 */
export function fromBase64url(text) {
  if (!TOKEN.test(text) || text.length % 4 === 1) return null;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary;
  try {
    binary = atob(base64);
  } catch {
    return null;
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Unpadded base64url of some bytes.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toBase64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function uuidOf(bytes) {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A token's parts when it is the one canonical spelling of a known format, checked in the order
 * of webapp/tags/signing.py `read_token`: exactly 110 base64url characters whose last one has
 * its 4 unused bits zero (atob ignores them, so the spelling is compared after decoding), then
 * the format version and the kind. The signature is not checked here.
 * @param {string} token
 * @returns {{ok: true, kind: string, tagId: string, payload: Uint8Array, signature: Uint8Array}
 *   | {ok: false, reason: 'malformed'}}
 */
export function parseToken(token) {
  const malformed = { ok: false, reason: 'malformed' };
  if (typeof token !== 'string' || token.length !== TOKEN_CHARS || !TOKEN.test(token)) return malformed;
  const bytes = fromBase64url(token);
  if (!bytes || bytes.length !== PAYLOAD_BYTES + SIGNATURE_BYTES) return malformed;
  if (toBase64url(bytes) !== token) return malformed; // one tag, one spelling
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  const kind = KINDS[payload[1]];
  if (payload[0] !== VERSION || !kind) return malformed;
  return { ok: true, kind, tagId: uuidOf(payload.subarray(2)), payload, signature: bytes.subarray(PAYLOAD_BYTES) };
}

const imported = new Map();

/** The public key as a CryptoKey, or null when this browser has no Ed25519. */
async function publicKey(raw) {
  if (!imported.has(raw)) {
    imported.set(raw, (async () => {
      const bytes = fromBase64url(raw);
      if (!bytes || bytes.length !== 32 || !globalThis.crypto || !crypto.subtle) return null;
      try {
        return await crypto.subtle.importKey('raw', bytes, { name: 'Ed25519' }, false, ['verify']);
      } catch (error) {
        console.warn('Ed25519 is not available here; tags are checked against the store', error);
        return null;
      }
    })());
  }
  return imported.get(raw);
}

/**
 * Check a token: its form, then its signature with the server's public key.
 * @param {string} token
 * @param {{key?: string|null}} [options] `key`: base64url of the raw public key
 * @returns {Promise<TagRead|TagRefusal>}
 */
export async function readToken(token, { key = null } = {}) {
  const parsed = parseToken(token);
  if (!parsed.ok) return parsed;
  const read = { kind: parsed.kind, tagId: parsed.tagId, token };
  const cryptoKey = key ? await publicKey(key) : null;
  if (!cryptoKey) return { ok: false, reason: 'unverified', ...read };
  const signed = new Uint8Array(CONTEXT.length + PAYLOAD_BYTES);
  signed.set(CONTEXT);
  signed.set(parsed.payload, CONTEXT.length);
  let valid = false;
  try {
    valid = await crypto.subtle.verify({ name: 'Ed25519' }, cryptoKey, parsed.signature, signed);
  } catch {
    valid = false;
  }
  return valid ? { ok: true, ...read } : { ok: false, reason: 'forged', ...read };
}

/**
 * Read and check a scanned text.
 * @param {string} text
 * @param {{origin: string, key?: string|null}} options `key`: base64url of the raw public key
 * @returns {Promise<TagRead|TagRefusal>}
 */
export async function readTag(text, { origin, key = null }) {
  const found = tokenOf(text, origin);
  if (!found.token) return { ok: false, reason: 'not-ours' };
  return readToken(found.token, { key });
}

/**
 * Where a scanned text leads on this phone.
 *
 * A tag record synced from the server with exactly this token is trusted even when the
 * signature could not be checked (no key yet, a browser without Ed25519, a key the server
 * replaced): the server itself handed it over. Otherwise the signature decides between
 * "forged" and "not on this phone". A tag's revocation reaches the phone with the next sync.
 * @param {import('./db.js').Database} db
 * @param {string} userId
 * @param {string} text
 * @param {string} origin
 * @returns {Promise<{path: string, kind: string, tag: object}|{reason: string}>} reason:
 *   not-ours | malformed | forged | revoked | not-here | gone
 */
export async function openTag(db, userId, text, origin) {
  const key = await db.getMeta(KEY_META);
  return follow(db, userId, await readTag(text, { origin, key: key && key.key }));
}

/**
 * Where a tag's link leads (/t/<token> opened from the camera app, the token as `tokenOfPath`
 * read it): the same answers as `openTag`, without a scanned text's leniency.
 * @param {import('./db.js').Database} db
 * @param {string} userId
 * @param {string|null} token
 * @returns {Promise<{path: string, kind: string, tag: object}|{reason: string}>}
 */
export async function openToken(db, userId, token) {
  if (token === null || token === undefined) return { reason: 'not-ours' };
  const key = await db.getMeta(KEY_META);
  return follow(db, userId, await readToken(token, { key: key && key.key }));
}

async function follow(db, userId, read) {
  if (!read.ok && (read.reason === 'not-ours' || read.reason === 'malformed')) return { reason: read.reason };
  const rec = await db.record(userId, 'tag', read.tagId);
  const tag = rec && rec.local;
  // Unknown here: a valid signature means a real tag of a site this phone does not hold (or
  // not synced yet); one that cannot be checked can only be "not here" too.
  if (!tag) return { reason: read.reason === 'forged' ? 'forged' : 'not-here' };
  // Known id, but neither a valid signature nor the server's own token: someone changed it.
  if (!read.ok && tag.token !== read.token) return { reason: 'forged' };
  if (tag.status === 'revoked') return { reason: 'revoked', tag };
  const entity = tag.target_entity === 'location' ? 'location' : 'equipment';
  const targetId = String(tag.target_id);
  const target = await db.record(userId, entity, targetId);
  if (!target || !target.local) return { reason: target && target.server_deleted ? 'gone' : 'not-here', tag };
  const path = entity === 'equipment'
    ? `/equipment/${encodeURIComponent(targetId)}`
    : `/sites/${encodeURIComponent(String(target.local.site_id || tag.site_id))}`;
  return { path, kind: entity, tag };
}

/**
 * Fetch the tag-signing public key and keep it on the device. Quietly does nothing offline
 * or when the server does not answer properly; the stored key stays.
 * @param {{db: import('./db.js').Database, api: import('./api.js').Api}} deps
 * @returns {Promise<boolean>} whether a key was stored
 */
export async function refreshTagKey({ db, api }) {
  try {
    const answer = await api.get('/api/tags/key', { timeout: 10_000 });
    const data = answer.ok && answer.data;
    if (!data || data.alg !== 'Ed25519' || typeof data.key !== 'string') return false;
    const bytes = fromBase64url(data.key);
    if (!bytes || bytes.length !== 32) return false;
    const held = await db.getMeta(KEY_META);
    if (!held || held.key !== data.key) await db.setMeta(KEY_META, { alg: data.alg, key: data.key, at: Date.now() });
    return true;
  } catch (error) {
    if (error && error.name === 'NetworkError') return false;
    throw error;
  }
}

/**
 * Keep the key fresh: after every pull (the phone is online and signed in then).
 * @param {{db: import('./db.js').Database, api: import('./api.js').Api,
 *   sync: EventTarget}} deps
 */
export function keepTagKey({ db, api, sync }) {
  sync.addEventListener('pulled', () => {
    refreshTagKey({ db, api }).catch((error) => console.warn('tag key not refreshed', error));
  });
}
