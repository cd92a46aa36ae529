/**
 * Saving a file the user keeps: work exported from the phone (unsent or refused changes, with
 * their photos and signatures in base64), made on the device, offline too.
 */

import { h } from './dom.js';

/**
 * Offer a JSON document as a download named `<stem>-<date and time>.json`.
 * @param {string} stem
 * @param {object} data
 */
export function downloadJson(stem, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const link = h('a', { href: url, download: `${stem}-${stamp}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * @param {ArrayBuffer} buffer
 * @returns {string} base64
 */
export function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
