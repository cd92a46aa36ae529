/**
 * The equipment form (edit, or register new): every editable field with the right input,
 * a nameplate photo, and a draft in IndexedDB kept as the user types, so a reload, a crash or
 * an app update loses nothing. Saving writes one outbox entry with only the changed fields.
 */

import { AttachmentError, newAttachment, preparePhoto } from '../attachments.js';
import { equipmentFields, isoDay } from '../equipment-fields.js';
import { t } from '../i18n.js';
import { go } from '../router.js';
import { h, replace } from './dom.js';
import { size } from './format.js';

const DRAFT_DELAY_MS = 250;

/**
 * @param {import('./context.js').Context} ctx
 * @param {{id?: string, siteId?: string}} target an existing record, or the site of a new one
 * @returns {Promise<{el: HTMLElement, leave: () => Promise<void>}|HTMLElement>}
 */
export async function renderEquipmentForm(ctx, { id, siteId }) {
  const userId = ctx.userId();
  const creating = !id;
  const draftKey = creating ? `equipment-new:${siteId}` : `equipment:${id}`;
  const rec = creating ? null : await ctx.db.record(userId, 'equipment', id);
  if (!creating && (!rec || !rec.local)) {
    return h('div.empty', null, t('This equipment is not on this device.'));
  }
  const retry = ctx.memory.take(`retry:${draftKey}`);
  let draft = await ctx.db.draft(userId, draftKey);
  const restored = Boolean(draft);
  if (!draft) draft = startDraft(rec, siteId, retry);
  const site = String(creating ? draft.values.site_id || siteId : rec.local.site_id || '');
  const locations = (await ctx.db.list(userId, 'location')).filter((l) => String(l.site_id) === site)
    .sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh'));

  const form = h('form.stack', { novalidate: true, 'data-testid': 'equipment-form' });
  const errors = new Map();
  const inputs = new Map();
  const grid = h('div.form-grid', null, equipmentFields().map((field) => {
    const input = control(field, draft.values[field.name], locations);
    inputs.set(field.name, input);
    const error = h('span.error-text', { id: `err-${field.name}`, role: 'alert' });
    errors.set(field.name, error);
    return h('div.field', { class: field.wide ? 'span' : '' },
      h('label', { for: `f-${field.name}` }, field.label, field.required ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null),
      input, field.help ? h('span.muted.small', null, field.help) : null, error);
  }));

  const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'f-photo' });
  const photoBox = h('div.photo-box');
  const photoError = h('span.error-text', { role: 'alert' });
  const showPhoto = () => {
    if (!draft.photo) return replace(photoBox);
    const url = URL.createObjectURL(new Blob([draft.photo.bytes], { type: draft.photo.mime }));
    ctx.urls.push(url);
    return replace(photoBox, h('img', { src: url, alt: t('Nameplate photo') }),
      h('span.muted.small', null, size(draft.photo.size)),
      h('button.btn.small', { type: 'button', onclick: () => { draft.photo = null; showPhoto(); saveSoon(); } }, t('Remove photo')));
  };
  photoInput.addEventListener('change', async () => {
    const file = photoInput.files && photoInput.files[0];
    photoError.textContent = '';
    if (!file) return;
    try {
      draft.photo = await preparePhoto(file, 'photo'); // size checked here, before any save
      showPhoto();
      await saveNow();
    } catch (error) {
      if (!(error instanceof AttachmentError)) throw error;
      photoError.textContent = error.message;
    }
    photoInput.value = '';
  });
  showPhoto();

  let timer = null;
  const collect = () => {
    for (const [name, input] of inputs) draft.values[name] = readValue(name, input);
  };
  const saveNow = async () => {
    clearTimeout(timer);
    timer = null;
    collect();
    await ctx.db.saveDraft(userId, draftKey, draft);
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => saveNow().catch((e) => console.error('draft not saved', e)), DRAFT_DELAY_MS);
  };
  form.addEventListener('input', saveSoon);
  form.addEventListener('change', saveSoon);
  const onHide = () => { if (document.visibilityState === 'hidden' && timer) saveNow(); };
  document.addEventListener('visibilitychange', onHide);
  let saved = false;

  const formError = h('p.error-text', { role: 'alert' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    collect();
    const problems = validate(draft.values);
    for (const [name, el] of errors) el.textContent = problems[name] || '';
    for (const [name, input] of inputs) input.setAttribute('aria-invalid', problems[name] ? 'true' : 'false');
    if (Object.keys(problems).length) {
      formError.textContent = t('Please correct the marked fields.');
      inputs.get(Object.keys(problems)[0]).focus();
      return;
    }
    formError.textContent = '';
    const recordId = creating ? draft.id : id;
    const label = draft.values.name;
    const attachments = draft.photo ? [newAttachment({
      ownerEntity: 'equipment', ownerId: recordId, kind: 'photo', label, siteId: site, photo: draft.photo,
    })] : [];
    saved = true;
    clearTimeout(timer);
    try {
      if (creating) {
        await ctx.outbox.create({ entity: 'equipment', id: recordId, values: draft.values, label, attachments, draftKey });
      } else {
        await ctx.outbox.update({
          entity: 'equipment', record: { id, site_id: site }, baseVersion: draft.base_version,
          initial: draft.initial, values: draft.values, label, attachments, draftKey, supersedes: draft.supersedes,
        });
      }
    } catch (error) {
      // Nothing was written (one transaction); the draft still holds every value.
      saved = false;
      await saveNow().catch(() => {});
      formError.textContent = t('Could not save on this device: %(error)s', { error: error.name || error.message });
      return;
    }
    ctx.flash(t('Saved on this device. It will be sent when there is a connection.'));
    go(`/equipment/${encodeURIComponent(recordId)}`, { replace: true });
  });

  const discardDraft = async () => {
    await ctx.db.dropDraft(userId, draftKey);
    saved = true;
    go(creating ? `/sites/${encodeURIComponent(site)}/new` : `/equipment/${encodeURIComponent(id)}/edit`, { replace: true });
  };
  const back = creating ? `#/sites/${encodeURIComponent(site)}` : `#/equipment/${encodeURIComponent(id)}`;
  replace(form,
    grid,
    h('div.field.span', null,
      h('label', { for: 'f-photo' }, t('Nameplate photo')), photoInput, photoBox, photoError),
    formError,
    h('div.form-actions', null,
      h('button.btn.primary.block', { type: 'submit', 'data-testid': 'save' }, t('Save')),
      h('a.btn.block', { href: back }, t('Cancel'))));

  const el = h('section', null,
    h('p.crumbs', null, h('a', { href: back }, creating ? t('Back to the site') : rec.local.name)),
    h('h1', null, creating ? t('Register equipment') : t('Edit equipment')),
    restored ? h('p.notice', { 'data-testid': 'draft-restored' }, t('What you typed before is restored.'), ' ',
      h('button.btn.small', { type: 'button', onclick: discardDraft }, t('Start over'))) : null,
    draft.supersedes ? h('p.notice', null, t('Saving sends a new change in place of the refused one.')) : null,
    form);
  return {
    el,
    async leave() {
      document.removeEventListener('visibilitychange', onHide);
      if (!saved && timer) await saveNow();
    },
  };
}

function startDraft(rec, siteId, retry) {
  const fields = equipmentFields().map((f) => f.name);
  const pick = (data) => Object.fromEntries(fields.map((name) => [name, data[name] ?? null]));
  if (!rec) {
    const initial = { ...pick({ system: 'other', status: 'in_service' }), site_id: siteId };
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

function control(field, value, locations) {
  const common = { id: `f-${field.name}`, name: field.name, 'aria-describedby': `err-${field.name}` };
  if (field.type === 'textarea') {
    return h('textarea', { ...common, maxlength: field.max, rows: 3, value: value ?? '' });
  }
  if (field.type === 'select' || field.type === 'location') {
    const options = field.type === 'location'
      ? [['', t('Without a location')], ...locations.map((l) => [l.id, l.name])]
      : Object.entries(field.options);
    // A value the list does not know (a location not on the device yet) stays as it is:
    // a form must never change a field the user did not touch.
    if (value && !options.some(([v]) => v === String(value))) {
      options.push([String(value), field.type === 'location' ? t('Unknown location') : String(value)]);
    }
    return h('select', common, options.map(([v, label]) => h('option', { value: v, selected: String(value ?? '') === v }, label)));
  }
  if (field.type === 'number') {
    return h('input', { ...common, type: 'number', inputmode: 'numeric', min: field.min, max: field.max, step: 1, value: value ?? '' });
  }
  if (field.type === 'date') {
    // The picker offers no day after today (the phone's own calendar) for an installation.
    return h('input', { ...common, type: 'date', max: field.name === 'installed_on' ? isoDay() : null, value: value ?? '' });
  }
  return h('input', { ...common, type: 'text', maxlength: field.max, required: field.required, value: value ?? '' });
}

function readValue(name, input) {
  const raw = input.value;
  if (name === 'location_id' || input.type === 'date') return raw || null;
  if (input.type === 'number') return raw === '' ? null : Number(raw);
  return raw.trim();
}

function validate(values) {
  const problems = {};
  // Today on this phone's calendar: at 07:00 in China the UTC date is still yesterday. The
  // server refuses only dates after today in the latest time zone (webapp/clock.py).
  const today = isoDay();
  for (const field of equipmentFields()) {
    const value = values[field.name];
    if (field.required && (value === null || value === '')) problems[field.name] = t('This field may not be empty.');
    else if (field.max && typeof value === 'string' && field.type !== 'number' && value.length > field.max) {
      problems[field.name] = t('At most %(limit)d characters.', { limit: field.max });
    }
  }
  const years = values.service_years;
  if (years !== null && (!Number.isInteger(years) || years < 0 || years > 100)) {
    problems.service_years = t('Enter a number from %(low)d to %(high)d.', { low: 0, high: 100 });
  }
  if (values.installed_on && values.installed_on > today) {
    problems.installed_on = t('The installation date is in the future.');
  }
  return problems;
}
