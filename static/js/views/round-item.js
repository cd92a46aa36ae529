/**
 * One checklist item on the round screen: its heading, the control for its kind of answer, the
 * status buttons, and — when abnormal — the note, the fault's severity and the photos. Every
 * change is checked by the checklist rules (checklist.js) before it is handed to `onAnswer`,
 * which stores it.
 */

import { AttachmentError, newAttachment, preparePhoto } from '../attachments.js';
import { MAX_TEXT, checkAnswer, text } from '../checklist.js';
import { labels, maxLength, vocabulary } from '../contract.js';
import { t } from '../i18n.js';
import { h, replace } from './dom.js';

/**
 * @param {import('./context.js').Context} ctx
 * @param {{entry:object, answer:object|undefined, locale:string, readOnly:boolean,
 *   photoUrls:Map<string,string>, severities:Record<string,string>,
 *   onAnswer:(next:object, extra?:object) => Promise<void>, onSeverity:(value:string) => void,
 *   round:object}} spec
 * @returns {HTMLElement} the card, with `redraw(saved)` for an answer saved elsewhere
 */
export function itemCard(ctx, spec) {
  const { entry, answer, locale, readOnly } = spec;
  const item = entry.item;
  const current = {
    status: answer?.status || null, value: answer?.value ?? null, note: answer?.note || '',
    photos: [...(answer?.photos || [])],
  };
  const card = h('article.round-item', { id: `item-${entry.key}`, 'data-key': entry.key, 'data-testid': 'round-item' });
  const errorEl = h('p.error-text', { role: 'alert' });
  const view = { ctx, item, entry, locale, readOnly, current };

  async function commit(next, extra) {
    const candidate = { ...current, ...next };
    if (candidate.status === 'na') candidate.value = null;
    const checked = checkAnswer(item, candidate);
    if (checked.errors) {
      errorEl.textContent = Object.values(checked.errors).flat().join(' ');
      return false;
    }
    errorEl.textContent = '';
    candidate.status = checked.status;
    Object.assign(current, candidate);
    redraw();
    await spec.onAnswer({ ...current }, extra);
    card.classList.remove('flagged');
    return true;
  }

  const status = statusControl(view, commit);
  const abnormal = abnormalControl({ ...view, ...spec }, commit);
  function redraw() {
    card.dataset.status = current.status || '';
    status.draw();
    abnormal.draw();
  }

  /** Show an answer saved elsewhere on the screen (All normal). */
  card.redraw = (saved) => {
    Object.assign(current, {
      status: saved.status, value: saved.value ?? null, note: saved.note || '', photos: [...(saved.photos || [])],
    });
    redraw();
    card.classList.remove('flagged');
  };
  redraw();
  card.append(...[
    itemHead(item, locale),
    item.hint ? h('p.muted.small', null, text(item.hint, locale)) : null,
    valueControl(view, commit), status.el, errorEl, abnormal.el].filter(Boolean));
  return card;
}

/** The item's sense (look, listen, …), its label and whether it must be answered. */
function itemHead(item, locale) {
  const sense = item.sense ? labels('sense')[item.sense] : null;
  return h('div.item-head', null,
    sense ? h('span.sense', { class: `sense-${item.sense}` }, sense) : null,
    h('h3', null, text(item.label, locale),
      (item.required ?? true) ? h('span.req', { 'aria-label': t('required') }, ' *') : null));
}

/** Normal / abnormal / not applicable for a check; only "not applicable" for other kinds. */
function statusControl({ item, readOnly, current }, commit) {
  const names = labels('answer_status', { short: true });
  const el = h('div.segmented', { role: 'group', 'aria-label': t('Answer') });
  const draw = () => {
    const choices = item.kind === 'check' ? ['normal', 'abnormal', 'na'] : ['na'];
    replace(el, choices.map((s) => h('button.btn.seg', {
      type: 'button', 'data-status': s, 'aria-pressed': String(current.status === s), disabled: readOnly,
      onclick: () => commit({ status: current.status === s && s === 'na' && item.kind !== 'check' ? null : s }),
    }, names[s])));
  };
  return { el, draw };
}

/** The input for the item's kind of answer (a check has none: its status is the answer). */
function valueControl(view, commit) {
  const controls = {
    count_pair: countControl, measurement: measurementControl, text: textControl, choice: choiceControl,
  };
  const control = controls[view.item.kind];
  return control ? control(view, commit) : null;
}

function countControl({ item, locale, readOnly, current }, commit) {
  const inputs = item.counts.map((c) => h('input', {
    type: 'number', inputmode: 'numeric', min: '0', step: '1', 'data-count': c.key, disabled: readOnly,
    value: current.value && current.value[c.key] !== undefined ? String(current.value[c.key]) : '',
    'aria-label': text(c.label, locale),
  }));
  const saveCounts = () => {
    if (inputs.some((i) => i.value === '')) return;
    const value = Object.fromEntries(item.counts.map((c, i) => [c.key, Number(inputs[i].value)]));
    commit({ value, status: null });
  };
  inputs.forEach((i) => i.addEventListener('change', saveCounts));
  return h('div.counts', null, item.counts.map((c, i) => h('label.count', null, text(c.label, locale), inputs[i])));
}

/** A number as typed: a number when it reads as one, else the text (the rules say what is wrong). */
function reading(s) {
  return /^[-+]?\d+(\.\d+)?$/.test(s.trim()) ? Number(s.trim()) : s.trim();
}

function measurementControl({ item, readOnly, current }, commit) {
  const held = (field) => (current.value && current.value[field] !== undefined ? String(current.value[field]) : '');
  const input = (field) => h('input', { type: 'text', inputmode: 'decimal', 'data-field': field, disabled: readOnly, value: held(field) });
  const measured = input('reading');
  const rated = item.nominal === null || item.nominal === undefined ? input('nominal') : null;
  const save = () => {
    if (measured.value.trim() === '' || (rated && rated.value.trim() === '')) return;
    const value = { reading: reading(measured.value) };
    if (rated) value.nominal = reading(rated.value);
    commit({ value, status: null });
  };
  measured.addEventListener('change', save);
  if (rated) rated.addEventListener('change', save);
  const unit = item.unit || '';
  return h('div.measure', null,
    h('label', null, t('Reading (%(unit)s)', { unit }), measured),
    rated ? h('label', null, t('Rated value (%(unit)s)', { unit }), rated)
      : h('span.muted', null, t('Rated value %(value)s %(unit)s', { value: item.nominal, unit })),
    h('span.muted', null, t('Tolerance ±%(tol)s %(unit)s', { tol: item.tolerance, unit })),
    h('span.verdict', { 'aria-live': 'polite' }));
}

function textControl({ item, readOnly, current }, commit) {
  const held = typeof current.value === 'string' ? current.value : '';
  const area = h(item.multiline ? 'textarea' : 'input', { maxlength: MAX_TEXT, disabled: readOnly, 'data-field': 'text', value: held });
  if (item.multiline) area.textContent = held;
  area.addEventListener('change', () => commit({ value: area.value, status: null }));
  return area;
}

function choiceControl({ item, locale, readOnly, current }, commit) {
  return h('div.segmented', { role: 'group' }, (item.options || []).map((o) => h('button.btn.seg', {
    type: 'button', 'data-option': o.key, 'aria-pressed': String(current.value === o.key), disabled: readOnly,
    onclick: (event) => {
      for (const b of event.currentTarget.parentElement.children) b.setAttribute('aria-pressed', String(b === event.currentTarget));
      commit({ value: o.key, status: null });
    },
  }, text(o.label, locale))));
}

/** The note, the fault's severity and the photos: shown for an abnormal answer or a photo item. */
function abnormalControl(spec, commit) {
  const { item, entry, readOnly, current, severities, onSeverity } = spec;
  const el = h('div.abnormal-box');
  const photos = photoControl(spec, commit);
  const note = h('textarea', { rows: '2', maxlength: maxLength('answer', 'note'), 'data-field': 'note', disabled: readOnly, placeholder: t('What is wrong?') }, current.note);
  note.addEventListener('change', () => commit({ note: note.value }));
  const draw = () => {
    const abnormal = current.status === 'abnormal';
    const needs = item.abnormal_requires || [];
    const showPhotos = item.kind === 'photo' || abnormal || current.photos.length;
    if (!abnormal && !showPhotos) return replace(el);
    photos.draw();
    const severity = h('select', { 'data-field': 'severity', disabled: readOnly,
      onchange: (event) => onSeverity(event.target.value) },
    vocabulary('severity').map(({ value, label }) => h('option', { value, selected: (severities[entry.key] || 'medium') === value }, label)));
    return replace(el,
      abnormal ? h('label', null, h('span', null, t('Note'), needs.includes('note') ? h('span.req', null, ' *') : null), note) : null,
      abnormal ? h('label', null, t('Fault severity'), severity) : null,
      showPhotos ? h('div', null, needs.includes('photo') && abnormal ? h('span.small', null, t('A photo is required'), h('span.req', null, ' *')) : null, photos.el) : null);
  };
  return { el, draw };
}

/** The item's photos and the button that takes one, scaled and stored on the device. */
function photoControl({ ctx, item, locale, readOnly, current, photoUrls, round }, commit) {
  const el = h('div.photos');
  const input = h('input.visually-hidden', { type: 'file', accept: 'image/*', capture: 'environment', 'data-testid': 'photo-input' });
  const error = h('span.error-text', { role: 'alert' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    input.value = '';
    if (!file) return;
    error.textContent = t('Preparing the photo…');
    try {
      const photo = await preparePhoto(file, 'photo');
      const attachment = newAttachment({
        ownerEntity: 'round', ownerId: round.id, kind: 'photo', siteId: round.site_id, photo,
        label: `${t('Photo')} · ${text(item.label, locale)}`,
      });
      photoUrls.set(attachment.mutation.id, URL.createObjectURL(new Blob([photo.bytes], { type: photo.mime })));
      ctx.urls.push(photoUrls.get(attachment.mutation.id));
      error.textContent = '';
      const status = current.status || (item.kind === 'photo' ? 'normal' : null);
      const ok = await commit({ photos: [...current.photos, attachment.mutation.id], status },
        { before: [attachment.mutation], blobs: [attachment.blob] });
      if (!ok) error.textContent = t('Answer the item first, then add photos.');
      draw();
    } catch (failure) {
      error.textContent = failure instanceof AttachmentError ? failure.message : t('This photo could not be saved.');
    }
  });
  function draw() {
    replace(el, current.photos.map((pid) => (photoUrls.get(pid)
      ? h('img.thumb', { src: photoUrls.get(pid), alt: t('Photo') })
      : h('span.thumb.missing', null, t('Photo')))),
    readOnly ? null : h('button.btn.small', { type: 'button', 'data-testid': 'add-photo', onclick: () => input.click() }, t('Add photo')),
    input, error);
  }
  return { el, draw };
}
