/**
 * The equipment form's draft: what the user typed, kept in IndexedDB as they type (a moment
 * after the last key, and at once when the app is hidden), so a reload, a crash or an app update
 * loses nothing.
 */

import { equipmentFields, fieldDefault } from '../equipment-fields.js';

const DRAFT_DELAY_MS = 250;

/**
 * A new draft: the record as the device holds it (or the defaults of a new one), with the
 * changes of a refused entry the user is retrying.
 * @param {{version:number, local:object}|null} rec
 * @param {string|undefined} siteId the site of a new record
 * @param {{id:string, changes:object, mutation_id:string}|undefined} retry
 */
export function startDraft(rec, siteId, retry) {
  const fields = equipmentFields().map((f) => f.name);
  const pick = (data) => Object.fromEntries(fields.map((name) => [name, data[name] ?? null]));
  if (!rec) {
    const defaults = Object.fromEntries(fields.map((name) => [name, fieldDefault('equipment', name)]));
    const initial = { ...pick(defaults), site_id: siteId };
    const values = { ...initial, ...(retry ? retry.changes : {}) };
    return { id: retry ? retry.id : crypto.randomUUID(), initial, values, base_version: 0, supersedes: retry?.mutation_id };
  }
  const initial = pick(rec.local);
  return {
    initial,
    values: { ...initial, ...(retry ? retry.changes : {}) },
    base_version: rec.version,
    supersedes: retry ? retry.mutation_id : undefined,
  };
}

/**
 * Keep a draft while a form is edited.
 * @param {import('./context.js').Context} ctx
 * @param {{form:HTMLFormElement, key:string, draft:object, collect:() => void}} spec
 * @returns {{saveNow:() => Promise<void>, saveSoon:() => void, cancel:() => void, stop:() => void,
 *   waiting:() => boolean}}
 */
export function keepDraft(ctx, { form, key, draft, collect }) {
  const userId = ctx.userId();
  let timer = null;
  const saveNow = async () => {
    clearTimeout(timer);
    timer = null;
    collect();
    await ctx.db.saveDraft(userId, key, draft);
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => saveNow().catch((e) => console.error('draft not saved', e)), DRAFT_DELAY_MS);
  };
  form.addEventListener('input', saveSoon);
  form.addEventListener('change', saveSoon);
  const onHide = () => { if (document.visibilityState === 'hidden' && timer) saveNow(); };
  document.addEventListener('visibilitychange', onHide);
  return {
    saveNow,
    saveSoon,
    /** Drop a save still to come (the form is being saved for real). */
    cancel: () => {
      clearTimeout(timer);
      timer = null;
    },
    /** The form is left: hiding the app no longer saves (a save still to come is the caller's). */
    stop: () => document.removeEventListener('visibilitychange', onHide),
    waiting: () => timer !== null,
  };
}
