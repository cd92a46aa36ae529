/**
 * The equipment form (edit, or register new): every editable field with the right input,
 * a nameplate photo, and a draft in IndexedDB kept as the user types, so a reload, a crash or
 * an app update loses nothing. Saving writes one outbox entry with only the changed fields.
 */

import { AttachmentError, newAttachment, preparePhoto } from '../attachments.js';
import { equipmentFields, validateEquipment } from '../equipment-fields.js';
import { t } from '../i18n.js';
import { go } from '../router.js';
import { h, replace } from './dom.js';
import { control, readValue } from './equipment-controls.js';
import { keepDraft, startDraft } from './equipment-draft.js';
import { size } from './format.js';

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
  const grid = fieldGrid(draft, locations);
  const collect = () => {
    for (const [name, input] of grid.inputs) draft.values[name] = readValue(name, input);
  };
  const keeper = keepDraft(ctx, { form, key: draftKey, draft, collect });
  const photo = nameplatePhoto(ctx, draft, keeper);
  const target = { creating, id, site, draftKey, back: '' };
  target.back = creating ? `#/sites/${encodeURIComponent(site)}` : `#/equipment/${encodeURIComponent(id)}`;
  const saving = saveOnSubmit(ctx, { form, draft, grid, collect, keeper, target });

  const discardDraft = async () => {
    await ctx.db.dropDraft(userId, draftKey);
    saving.done();
    go(creating ? `/sites/${encodeURIComponent(site)}/new` : `/equipment/${encodeURIComponent(id)}/edit`, { replace: true });
  };
  replace(form,
    grid.el,
    h('div.field.span', null,
      h('label', { for: 'f-photo' }, t('Nameplate photo')), photo.input, photo.box, photo.error),
    saving.error,
    h('div.form-actions', null,
      h('button.btn.primary.block', { type: 'submit', 'data-testid': 'save' }, t('Save')),
      h('a.btn.block', { href: target.back }, t('Cancel'))));

  const el = h('section', null,
    h('p.crumbs', null, h('a', { href: target.back }, creating ? t('Back to the site') : rec.local.name)),
    h('h1', null, creating ? t('Register equipment') : t('Edit equipment')),
    restored ? h('p.notice', { 'data-testid': 'draft-restored' }, t('What you typed before is restored.'), ' ',
      h('button.btn.small', { type: 'button', onclick: discardDraft }, t('Start over'))) : null,
    draft.supersedes ? h('p.notice', null, t('Saving sends a new change in place of the refused one.')) : null,
    form);
  return {
    el,
    async leave() {
      keeper.stop();
      if (!saving.isDone() && keeper.waiting()) await keeper.saveNow();
    },
  };
}

/** Every field with its label, input and error line; `inputs` and `errors` by field name. */
function fieldGrid(draft, locations) {
  const errors = new Map();
  const inputs = new Map();
  const el = h('div.form-grid', null, equipmentFields().map((field) => {
    const input = control(field, draft.values[field.name], locations);
    inputs.set(field.name, input);
    const error = h('span.error-text', { id: `err-${field.name}`, role: 'alert' });
    errors.set(field.name, error);
    return h('div.field', { class: field.wide ? 'span' : '' },
      h('label', { for: `f-${field.name}` }, field.label, field.required ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null),
      input, field.help ? h('span.muted.small', null, field.help) : null, error);
  }));
  /** Show the problems found (field -> message); true when there are none. */
  const show = (problems) => {
    for (const [name, error] of errors) error.textContent = problems[name] || '';
    for (const [name, input] of inputs) input.setAttribute('aria-invalid', problems[name] ? 'true' : 'false');
    const first = Object.keys(problems).find((name) => inputs.has(name));
    if (first) inputs.get(first).focus();
    return Object.keys(problems).length === 0;
  };
  return { el, inputs, show };
}

/** The nameplate photo: taken, scaled and kept with the draft until the form is saved. */
function nameplatePhoto(ctx, draft, keeper) {
  const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'f-photo' });
  const box = h('div.photo-box');
  const error = h('span.error-text', { role: 'alert' });
  const show = () => {
    if (!draft.photo) return replace(box);
    const url = URL.createObjectURL(new Blob([draft.photo.bytes], { type: draft.photo.mime }));
    ctx.urls.push(url);
    return replace(box, h('img', { src: url, alt: t('Nameplate photo') }),
      h('span.muted.small', null, size(draft.photo.size)),
      h('button.btn.small', { type: 'button', onclick: () => { draft.photo = null; show(); keeper.saveSoon(); } }, t('Remove photo')));
  };
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    error.textContent = '';
    if (!file) return;
    try {
      draft.photo = await preparePhoto(file, 'photo'); // size checked here, before any save
      show();
      await keeper.saveNow();
    } catch (failure) {
      if (!(failure instanceof AttachmentError)) throw failure;
      error.textContent = failure.message;
    }
    input.value = '';
  });
  show();
  return { input, box, error };
}

/**
 * Saving: check every field as the server would, then one outbox entry with only the changed
 * fields (or the whole new record) and the photo, in one transaction.
 */
function saveOnSubmit(ctx, { form, draft, grid, collect, keeper, target }) {
  const error = h('p.error-text', { role: 'alert' });
  let saved = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    collect();
    if (!grid.show(validateEquipment(draft.values, { partial: !target.creating }))) {
      error.textContent = t('Please correct the marked fields.');
      return;
    }
    error.textContent = '';
    saved = true;
    keeper.cancel();
    try {
      await writeOutbox(ctx, draft, target);
    } catch (failure) {
      // Nothing was written (one transaction); the draft still holds every value.
      saved = false;
      await keeper.saveNow().catch(() => {});
      error.textContent = t('Could not save on this device: %(error)s', { error: failure.name || failure.message });
      return;
    }
    ctx.flash(t('Saved on this device. It will be sent when there is a connection.'));
    go(`/equipment/${encodeURIComponent(target.creating ? draft.id : target.id)}`, { replace: true });
  });
  return { error, done: () => { saved = true; }, isDone: () => saved };
}

async function writeOutbox(ctx, draft, { creating, id, site, draftKey }) {
  const recordId = creating ? draft.id : id;
  const label = draft.values.name;
  const attachments = draft.photo ? [newAttachment({
    ownerEntity: 'equipment', ownerId: recordId, kind: 'photo', label, siteId: site, photo: draft.photo,
  })] : [];
  if (creating) {
    await ctx.outbox.create({ entity: 'equipment', id: recordId, values: draft.values, label, attachments, draftKey });
  } else {
    await ctx.outbox.update({
      entity: 'equipment', record: { id, site_id: site }, baseVersion: draft.base_version,
      initial: draft.initial, values: draft.values, label, attachments, draftKey, supersedes: draft.supersedes,
    });
  }
}
