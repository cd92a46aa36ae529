/**
 * A device's documents (manuals, connection diagrams): PDFs or images kept as attachments of
 * kind "document". Added offline like a photo: checked against the size limit before anything
 * is saved, hashed, stored in IndexedDB with the attachment's create mutation in one
 * transaction, and uploaded by the sync runner when the server has accepted the mutation.
 *
 * PDFs are kept byte for byte. An image already in a type the server takes (JPEG, PNG, WebP)
 * is kept as it is too, since a scaled-down wiring diagram can become unreadable; any other
 * image (HEIC, GIF, ...) is converted to JPEG the way photos are.
 */

import { AttachmentError, LIMITS, megabytes, newAttachment, preparePhoto, sha256Hex } from '../attachments.js';
import { t, tn } from '../i18n.js';
import { h } from './dom.js';
import { serverTime, size, when } from './format.js';

const KIND = 'document';
const ACCEPT = 'application/pdf,image/*';
/** Image types the server accepts for a document (webapp/sync/schemas.py ATTACHMENT_TYPES). */
const KEPT_IMAGES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

/**
 * Read a chosen file into what newAttachment() stores, or refuse it with a message the user
 * can act on. The size is checked before the file is read.
 * @param {File} file
 * @returns {Promise<{bytes:ArrayBuffer, mime:string, size:number, sha256:string, filename:string}>}
 */
export async function prepareDocument(file) {
  const limit = LIMITS[KIND];
  const name = String(file.name || '').slice(-200);
  const pdf = file.type === 'application/pdf' || (!file.type && /\.pdf$/i.test(name));
  if (!pdf && !file.type.startsWith('image/')) {
    throw new AttachmentError(t('Choose a PDF file or an image.'));
  }
  if (pdf || KEPT_IMAGES.has(file.type)) {
    if (file.size > limit) throw tooLarge(file.size, limit);
    if (!file.size) throw new AttachmentError(t('This file is empty.'));
    const bytes = await file.arrayBuffer();
    const head = new Uint8Array(bytes.slice(0, PDF_MAGIC.length));
    if (pdf && !PDF_MAGIC.every((b, i) => head[i] === b)) {
      throw new AttachmentError(t('This file is not a PDF.'));
    }
    return {
      bytes, mime: pdf ? 'application/pdf' : file.type, size: bytes.byteLength,
      sha256: await sha256Hex(bytes), filename: name || (pdf ? 'document.pdf' : 'document'),
    };
  }
  return preparePhoto(file, KIND);
}

function tooLarge(bytes, limit) {
  return new AttachmentError(t('This file is %(size)s; the limit is %(limit)s.', {
    size: megabytes(bytes), limit: megabytes(limit),
  }));
}

/**
 * The documents card of a device: those still on the phone (waiting or uploading), those on
 * the server, and a button to add one.
 * @param {import('./context.js').Context} ctx
 * @param {{item: object, blobs: object[], attachments: object[]}} data the device, its bytes
 *   on this phone (any kind) and the attachment records synced for it (any kind)
 * @returns {HTMLElement}
 */
export function documentsSection(ctx, { item, blobs, attachments }) {
  const local = blobs.filter((b) => b.kind === KIND);
  const waiting = new Set(local.map((b) => b.id));
  const remote = attachments.filter((a) => a.kind === KIND && !waiting.has(a.id))
    .sort((a, b) => String(b.updated_at || '').localeCompare(String(a.updated_at || '')));
  const offline = ctx.api.reachable === false;

  const input = h('input.visually-hidden', { type: 'file', accept: ACCEPT, 'data-testid': 'add-document' });
  const status = h('p.small', { role: 'status', 'data-testid': 'document-status' });
  const problem = h('p.error-text', { role: 'alert', 'data-testid': 'document-error' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    input.value = '';
    problem.textContent = '';
    if (!file) return;
    status.textContent = t('Saving…');
    try {
      const prepared = await prepareDocument(file);
      const attachment = newAttachment({
        ownerEntity: 'equipment', ownerId: item.id, kind: KIND, siteId: String(item.site_id || '') || null,
        label: `${item.name} · ${prepared.filename}`, photo: prepared,
      });
      await ctx.outbox.commit([], [attachment]);
    } catch (error) {
      status.textContent = '';
      if (error instanceof AttachmentError) {
        problem.textContent = error.message;
        return;
      }
      problem.textContent = t('Could not save on this device: %(error)s', { error: error.name || error.message });
      return;
    }
    ctx.flash(t('Document saved on this device. It will be sent when there is a connection.'));
    ctx.rerender();
  });

  const rows = [
    ...local.map((blob) => documentRow({
      id: blob.id, filename: blob.filename, mime: blob.mime, size: blob.size,
      note: blob.acked
        ? t('Uploading: %(pct)s', { pct: `${blob.size ? Math.floor((100 * (blob.received || 0)) / blob.size) : 0}%` })
        : t('Waiting to be sent'),
      error: blob.upload_error,
      open: (link) => {
        // The object URL is made on the first tap, not for every document when the screen opens.
        if (!link.dataset.url) {
          link.dataset.url = URL.createObjectURL(new Blob([blob.bytes], { type: blob.mime }));
          ctx.urls.push(link.dataset.url);
          link.href = link.dataset.url;
        }
      },
      state: 'device',
    })),
    ...remote.map((a) => documentRow({
      id: a.id, filename: a.filename, mime: a.mime, size: a.size,
      note: a.status === 'complete'
        ? [t('On the server'), when(serverTime(a.updated_at)), offline ? t('Connect to the network to open it.') : '']
          .filter(Boolean).join(' · ')
        : t('Not fully arrived on the server yet.'),
      href: a.status === 'complete' ? `/api/attachments/${encodeURIComponent(a.id)}/content` : null,
      state: a.status === 'complete' ? 'server' : 'incomplete',
    })),
  ];

  return h('section.card.documents', { 'data-testid': 'documents' },
    h('h2', null, t('Documents'),
      rows.length ? h('span.muted.small', null, ' · ', tn('%(num)d document', '%(num)d documents', rows.length)) : null),
    rows.length
      ? h('ul.rows.links', null, rows)
      : h('p.muted', null, t('No manuals or connection diagrams yet.')),
    h('label.btn.block.add-document', null, t('Add a document (PDF or image)'), input),
    h('p.muted.small', null, t('Up to %(limit)s. Works offline: it is sent when there is a connection.',
      { limit: megabytes(LIMITS[KIND]) })),
    status, problem);
}

function documentRow({ id, filename, mime, size: bytes, note, error, href, open, state }) {
  const kind = mime === 'application/pdf' ? 'PDF' : t('Image');
  const attrs = {
    href: href || '#', target: '_blank', rel: 'noopener', 'data-testid': 'document', 'data-id': id,
    'data-state': state, type: mime,
  };
  const link = h('a.row-link', attrs,
    h('span.row-main', null,
      h('strong', null, filename || t('Document')),
      h('span.muted.small', null, [kind, bytes ? size(bytes) : ''].filter(Boolean).join(' · ')),
      h('span.muted.small', null, note),
      error ? h('span.error-text.small', null, error) : null),
    h('span.row-side', null, h('span.badge.doc-kind', null, kind)));
  if (open) link.addEventListener('click', () => open(link));
  else if (!href) link.addEventListener('click', (event) => event.preventDefault());
  return h('li', null, link);
}
