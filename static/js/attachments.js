/**
 * Photos: scaled on the device, checked against the size limit before the record is saved,
 * hashed, kept in IndexedDB, and uploaded in resumable chunks once the server has accepted the
 * attachment's create mutation. The bytes leave the device only when the server says complete.
 */

import { NetworkError } from './api.js';
import { t } from './i18n.js';
import { mutation } from './outbox.js';

export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.82;
/** The server's limits per kind (webapp/sync/schemas.py ATTACHMENT_KINDS). */
export const LIMITS = { photo: 5 * 2 ** 20, document: 20 * 2 ** 20, signature: 1 * 2 ** 20 };
/** Refuse to even decode absurd files: a phone photo is well under this. */
const MAX_INPUT = 40 * 2 ** 20;
export const CHUNK = 2 ** 20;

/** A file the user must replace; `message` is in the user's language. */
export class AttachmentError extends Error {}

/**
 * Scale a photo to at most 1600 px on its longest side as JPEG, and hash it.
 * @param {File} file from <input type="file" accept="image/*" capture="environment">
 * @param {string} [kind]
 * @returns {Promise<{bytes:ArrayBuffer, mime:string, size:number, sha256:string,
 *   width:number, height:number, filename:string}>}
 */
export async function preparePhoto(file, kind = 'photo') {
  if (!file.type.startsWith('image/')) throw new AttachmentError(t('This file is not a photo.'));
  if (file.size > MAX_INPUT) throw tooLarge(file.size, MAX_INPUT);
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new AttachmentError(t('This photo could not be read. Take it again.'));
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
  if (!blob) throw new AttachmentError(t('This photo could not be read. Take it again.'));
  if (blob.size > LIMITS[kind]) throw tooLarge(blob.size, LIMITS[kind]);
  const bytes = await blob.arrayBuffer();
  return {
    bytes, mime: 'image/jpeg', size: bytes.byteLength, sha256: await sha256Hex(bytes), width, height,
    filename: `${(file.name || 'photo').replace(/\.[^.]*$/, '').slice(0, 150)}.jpg`,
  };
}

function tooLarge(size, limit) {
  return new AttachmentError(t('This file is %(size)s; the limit is %(limit)s.', {
    size: megabytes(size), limit: megabytes(limit),
  }));
}

/** @param {number} bytes @returns {string} e.g. "2.4 MB" */
export function megabytes(bytes) {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/**
 * SHA-256 as lowercase hex.
 * @param {ArrayBuffer} bytes
 * @returns {Promise<string>}
 */
export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The create mutation and the stored bytes of a new attachment, to save with its record.
 * @param {{ownerEntity:string, ownerId:string, kind:string, label:string, siteId:string|null,
 *   photo:{bytes:ArrayBuffer, mime:string, size:number, sha256:string, filename:string}}} spec
 * @returns {{mutation: import('./outbox.js').Mutation, blob: object}}
 */
export function newAttachment({ ownerEntity, ownerId, kind, label, siteId, photo }) {
  const id = crypto.randomUUID();
  const meta = {
    owner_entity: ownerEntity, owner_id: ownerId, kind, filename: photo.filename,
    mime: photo.mime, size: photo.size, sha256: photo.sha256,
  };
  const m = mutation({ entity: 'attachment', id, op: 'create', changes: meta, label, siteId });
  return {
    mutation: m,
    blob: { id, ...meta, bytes: photo.bytes, mutation_id: m.mutation_id, acked: false, received: 0, created_at: Date.now() },
  };
}

/**
 * Upload every attachment whose record the server has accepted, resuming where the server
 * says it stopped. Stops at the first network failure (the caller backs off).
 * @param {import('./db.js').Database} db
 * @param {import('./api.js').Api} api
 * @param {string} userId
 * @returns {Promise<{uploaded:number, waiting:number}>}
 */
export async function uploadAll(db, api, userId) {
  let uploaded = 0;
  const ready = (await db.blobs(userId)).filter((b) => b.acked && !b.uploaded);
  for (const blob of ready) {
    if (await uploadOne(db, api, userId, blob)) uploaded += 1;
  }
  return { uploaded, waiting: ready.length - uploaded };
}

async function uploadOne(db, api, userId, blob) {
  const base = `/api/attachments/${encodeURIComponent(blob.id)}`;
  let start = 0;
  if (blob.started || blob.received > 0) {
    // Sent in part before (or the answer was lost): ask where the server stopped.
    const status = await api.get(`${base}/status`);
    if (status.status === 401) throw Object.assign(new Error('unauthenticated'), { status: 401 });
    if (!status.ok || !status.data || typeof status.data.received !== 'number') return false;
    if (status.data.status === 'complete') {
      await db.finishUpload(userId, blob.id);
      return true;
    }
    start = Math.min(Math.max(0, status.data.received), blob.size);
  } else {
    // Never sent: the server holds nothing, so the first piece goes without asking. Marked
    // first, so a crash or a lost answer leads to the status request next time.
    await db.setUploaded(blob.id, 0);
  }
  let restarted = false;
  while (start < blob.size) {
    const end = Math.min(start + CHUNK, blob.size);
    const answer = await api.request('PUT', `${base}/content`, {
      body: blob.bytes.slice(start, end),
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes ${start}-${end - 1}/${blob.size}`,
      },
      timeout: 120_000,
    });
    if (answer.status === 401) throw Object.assign(new Error('unauthenticated'), { status: 401 });
    if (answer.status === 422) {
      // The server refused the file. After a checksum failure it has thrown every byte away:
      // send it again from byte 0, once in this round (damage on the way is rare; if it
      // happens again, the next round tries again). The bytes stay on the phone either way.
      await db.setUploaded(blob.id, 0, answer.data?.error?.message || null);
      if (answer.data?.error?.code !== 'checksum' || restarted) return false;
      restarted = true;
      start = 0;
      continue;
    }
    if (!answer.ok || !answer.data || typeof answer.data.received !== 'number') {
      if (answer.status >= 500) throw new NetworkError(new Error(`HTTP ${answer.status}`));
      await db.setUploaded(blob.id, start, answer.data?.error?.message || null);
      return false;
    }
    if (answer.data.status === 'complete') {
      await db.finishUpload(userId, blob.id);
      return true;
    }
    start = Math.min(Math.max(answer.data.received, 0), blob.size);
    await db.setUploaded(blob.id, start);
    if (answer.data.received < end) return false; // the server did not take the whole chunk
  }
  return false;
}
