/**
 * Doing a round on the phone: every answer is stored the moment it is given (closing the app
 * or a dead battery loses nothing), photos come from the camera and are scaled on the device,
 * progress is shown, and submission names the items still missing. Works with the network off.
 */

import { AttachmentError, newAttachment, preparePhoto } from '../attachments.js';
import { checkAnswer, clientSigns, expand, text } from '../checklist.js';
import { t, tn } from '../i18n.js';
import { go } from '../router.js';
import {
  answerMutation, answersByKey, missingItems, progress, submitMutations,
} from '../rounds.js';
import { confirmAction, h, replace } from './dom.js';
import { describeChange } from './outbox.js';

export const SENSES = () => ({
  look: t('Look'), listen: t('Listen'), smell: t('Smell'), touch: t('Touch'),
  function: t('Function test'), measure: t('Measurement'),
});
export const STATUS_LABELS = () => ({ normal: t('Normal'), abnormal: t('Abnormal'), na: t('N/A') });
const SEVERITIES = () => ({ low: t('Low'), medium: t('Medium'), high: t('High'), critical: t('Critical') });

/**
 * Everything a round screen needs, read from the device's store.
 * @returns {Promise<object|null>}
 */
export async function loadRound(ctx, id) {
  const userId = ctx.userId();
  const rec = await ctx.db.record(userId, 'round', id);
  if (!rec || !rec.local) return null;
  // A round made here and not yet synced has no status of its own: it is under way.
  const round = { status: 'in_progress', ...rec.local, id, _version: rec.version, _pending: rec.pending };
  const [versionRec, answers, equipment, templates, blobs, attachments, faults, sites, entries] = await Promise.all([
    ctx.db.record(userId, 'template_version', String(round.template_version_id)),
    ctx.db.children(userId, id),
    ctx.db.list(userId, 'equipment'),
    ctx.db.list(userId, 'template'),
    ctx.db.blobsOf(userId, id),
    ctx.db.list(userId, 'attachment'),
    ctx.db.list(userId, 'fault'),
    ctx.db.list(userId, 'site'),
    ctx.outbox.entries(),
  ]);
  const version = versionRec && versionRec.local;
  const template = version && templates.find((tpl) => tpl.id === String(version.template_id));
  return {
    round, version, template, answers, blobs, faults,
    attachments: attachments.filter((a) => String(a.owner_id) === id),
    equipment: new Map(equipment.map((e) => [e.id, e])),
    site: sites.find((s) => s.id === String(round.site_id)),
    refused: entries.filter((e) => (e.id === id || e.changes?.round_id === id) && e.status === 'needs_attention'),
  };
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} id
 */
export async function renderRound(ctx, id) {
  const data = await loadRound(ctx, id);
  if (!data) {
    return h('section', null, h('p.crumbs', null, h('a', { href: '#/' }, t('Home'))),
      h('div.empty', null, t('This round is not on this device.')));
  }
  if (!data.version) {
    return h('section', null, h('div.empty', null,
      t('The checklist of this round is not on this device yet. Connect to the network once to download it.')));
  }
  const { round, version, site } = data;
  const locale = ctx.locale();
  const content = version.content;
  const userId = ctx.userId();
  const entries = expand(content, round.equipment_ids || []);
  const answers = answersByKey(data.answers);
  const photoUrls = photoSources(ctx, data);
  const sealed = round.status === 'sealed';
  const readOnly = sealed;
  const severityKey = `round:${id}:severity`;
  const severities = (await ctx.db.draft(userId, severityKey)) || {};
  const raised = (await ctx.db.list(userId, 'fault')).filter((f) => String(f.round_id || '') === String(id));
  const submitKey = `round:${id}:submit`;
  const submitDraft = (await ctx.db.draft(userId, submitKey)) || {
    summary: round.summary || '', responsible: round.responsible || ctx.session.user.display_name || '',
  };

  // Saves go one after another: an item answered twice quickly is created once, then updated.
  let queue = Promise.resolve();
  const progressEl = h('div.round-progress', { role: 'status', 'aria-live': 'polite' });
  const drawProgress = () => {
    const p = progress(content, round, Object.values(answers));
    replace(progressEl,
      h('progress', { max: String(p.total || 1), value: String(p.answered) }),
      h('span', null, t('%(done)d of %(total)d answered', { done: p.answered, total: p.total })),
      p.abnormal ? h('span.badge.abnormal', null, tn('%(num)d abnormal', '%(num)d abnormal', p.abnormal)) : null);
  };
  drawProgress();

  function save(entry, next, extra = {}) {
    const run = async () => {
      const existing = answers[entry.key] || null;
      const label = `${text(content.title, locale)} · ${text(entry.item.label, locale)}`;
      const m = answerMutation(round, entry, existing, next, label);
      await ctx.outbox.commitInOrder([...(extra.before || []), m], extra.blobs || []);
      answers[entry.key] = {
        ...(existing || {}), ...m.changes, item_key: entry.key, id: m.id,
        equipment_id: entry.equipment_id, _version: existing ? existing._version : 0,
      };
      drawProgress();
    };
    queue = queue.then(run, run);
    return queue;
  }

  /** One tap for a device where all is well: its unanswered checks become normal, together. */
  function allNormal(members) {
    const run = async () => {
      const todo = members.filter((e) => e.item.kind === 'check' && !(answers[e.key] && answers[e.key].status));
      if (!todo.length) return;
      const made = todo.map((e) => [e, answerMutation(round, e, null, { status: 'normal', value: null, note: '', photos: [] },
        `${text(content.title, locale)} · ${text(e.item.label, locale)}`)]);
      await ctx.outbox.commitInOrder(made.map(([, m]) => m));
      for (const [e, m] of made) {
        answers[e.key] = { ...m.changes, item_key: e.key, id: m.id, equipment_id: e.equipment_id, _version: 0 };
        cards.get(e.key).redraw(answers[e.key]);
      }
      drawProgress();
    };
    queue = queue.then(run, run);
    return queue;
  }

  const cards = new Map();
  const sectionEls = [];
  const groups = [];
  let lastSection = null;
  let lastDevice = null;
  let group = null;
  for (const entry of entries) {
    if (entry.section !== lastSection || entry.equipment_id !== lastDevice) {
      lastSection = entry.section;
      lastDevice = entry.equipment_id;
      const device = entry.equipment_id ? data.equipment.get(entry.equipment_id) : null;
      group = h('div.round-items');
      const members = [];
      groups.push(members);
      sectionEls.push(h('section.round-section', null,
        h('h2', null, text(entry.section.title, locale)),
        device ? h('div.device-name', null, h('strong', null, device.name),
          device.code ? h('span.muted', null, ` ${device.code}`) : null,
          readOnly ? null : h('button.btn.small', {
            type: 'button', 'data-testid': 'all-normal',
            onclick: () => allNormal(members),
          }, t('All normal'))) : null,
        group));
    }
    groups[groups.length - 1].push(entry);
    const card = itemCard(ctx, {
      entry, answer: answers[entry.key], locale, readOnly, photoUrls, severities,
      onAnswer: (next, extra) => save(entry, next, extra),
      onSeverity: async (value) => {
        severities[entry.key] = value;
        await ctx.db.saveDraft(userId, severityKey, severities);
      },
      round, site,
    });
    cards.set(entry.key, card);
    group.append(card);
  }

  const missingBox = h('div.missing', { role: 'alert', 'data-testid': 'missing' });
  const summary = h('textarea', { id: 'round-summary', maxlength: '4000', rows: '3' }, submitDraft.summary);
  const responsible = h('input', { id: 'round-responsible', maxlength: '100', value: submitDraft.responsible });
  const keepSubmitDraft = () => ctx.db.saveDraft(userId, submitKey,
    { summary: summary.value, responsible: responsible.value });
  summary.addEventListener('input', keepSubmitDraft);
  responsible.addEventListener('input', keepSubmitDraft);
  const isReport = (data.template && data.template.form === 'maintenance_report') || content.form === 'maintenance_report';
  const signs = clientSigns(content);

  // One submission however often the button is tapped: a second tap while the first is being
  // saved joins it, the button stays disabled, and faults already raised are not raised again.
  let submitting = null;
  const submitButton = h('button.btn.primary.block', {
    type: 'button', 'data-testid': 'submit-round', onclick: () => submit(),
  }, t('Submit'));

  function submit() {
    if (!submitting) {
      submitButton.disabled = true;
      submitting = submitOnce().finally(() => {
        submitting = null;
        submitButton.disabled = false;
      });
    }
    return submitting;
  }

  async function submitOnce() {
    await queue;
    const missing = missingItems(content, round, Object.values(answers));
    if (missing.length) {
      showMissing(missing);
      return;
    }
    replace(missingBox);
    const held = await ctx.db.record(userId, 'round', id);
    if (held && held.local && held.local.status && held.local.status !== 'in_progress') {
      ctx.rerender(); // submitted meanwhile (another tab): nothing to send again
      return;
    }
    const equipmentNames = new Map([...data.equipment].map(([k, v]) => [k, v.name]));
    const mutations = submitMutations({
      content, round, answers: Object.values(answers), summary: summary.value.trim(),
      responsible: responsible.value.trim(), equipmentNames, locale,
      faults: await ctx.db.list(userId, 'fault'), severities,
      label: [text(content.title, locale), round.number].filter(Boolean).join(' '),
    });
    await ctx.outbox.commitInOrder(mutations, [], submitKey);
    const faults = mutations.length - 1;
    ctx.flash(faults
      ? tn('Submitted. %(num)d fault was raised from abnormal items.', 'Submitted. %(num)d faults were raised from abnormal items.', faults)
      : t('Submitted.'));
    ctx.rerender();
  }

  function showMissing(missing) {
    const reasons = { unanswered: t('not answered'), note: t('needs a note'), photo: t('needs a photo') };
    replace(missingBox,
      h('p', null, h('strong', null, tn('%(num)d item still needs attention:', '%(num)d items still need attention:', missing.length))),
      h('ul', null, missing.map((m) => {
        const device = m.equipment_id ? data.equipment.get(m.equipment_id) : null;
        return h('li', null, h('button.linklike', {
          type: 'button', 'data-key': m.key,
          onclick: () => {
            const card = cards.get(m.key);
            card.scrollIntoView({ behavior: 'smooth', block: 'center' });
            card.classList.add('flagged');
            const first = card.querySelector('button, input, textarea');
            if (first) first.focus({ preventScroll: true });
          },
        }, [device ? `${device.name} · ` : '', text(m.label, locale), ' — ', reasons[m.reason]]));
      })));
    for (const card of cards.values()) card.classList.remove('flagged');
    for (const m of missing) cards.get(m.key).classList.add('flagged');
    missingBox.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  const status = {
    in_progress: t('In progress'), submitted: t('Submitted'), sealed: t('Signed and sealed'),
  }[round.status] || round.status;
  const header = round.header || {};
  const el = h('section.round', { 'data-testid': 'round' },
    h('p.crumbs', null, h('a', { href: '#/' }, t('Home')),
      site ? [' › ', h('a', { href: `#/sites/${encodeURIComponent(site.id)}` }, site.name)] : null),
    h('div.titlebar', null, h('h1', null, text(content.title, locale)),
      h('span.badge', { class: `round-${round.status}` }, status)),
    h('p.muted', null, round.number ? `${t('Report number')} ${round.number}` : t('The report number is given when the round reaches the server.'),
      ' · ', t('Version %(num)d', { num: version.number })),
    isReport ? h('dl.facts.card.small', null,
      h('dt', null, t('Client')), h('dd', null, header.client_name || '—'),
      h('dt', null, t('Contact')), h('dd', null, [header.contact, header.phone].filter(Boolean).join(' ') || '—'),
      h('dt', null, t('Address')), h('dd', null, header.address || '—'),
      h('dt', null, t('Service time')), h('dd', null, header.service_time || '—')) : null,
    data.refused.map((entry) => h('div.notice.error', { 'data-testid': 'round-refused' },
      h('strong', null, t('The server refused a change:')), ' ', describeChange(entry), t(': '),
      entry.last_error || t('No reason given.'), ' ',
      h('a', { href: '#/outbox' }, t('See the outbox')))),
    sealed ? sealedNotice(ctx, round) : null,
    raised.length ? h('section.card.round-faults', { 'data-testid': 'round-faults' },
      h('h2', null, t('Faults raised')),
      h('ul.rows.links', null, raised.map((f) => h('li', null,
        h('a.row-link', { href: `#/faults/${encodeURIComponent(f.id)}`, 'data-fault': f.id },
          h('strong', null, f.number || t('Number given when it reaches the server')), ' ',
          h('span.small', null, f.description)))))) : null,
    progressEl,
    sectionEls,
    readOnly ? null : h('div.card.stack.submit-panel', null,
      isReport ? [
        h('label', { for: 'round-summary' }, t('Maintenance summary')), summary,
        h('label', { for: 'round-responsible' }, t('Person responsible')), responsible,
      ] : null,
      missingBox,
      round.status === 'in_progress' ? submitButton : null,
      round.status === 'submitted' && signs
        ? h('a.btn.primary.block', { href: `#/rounds/${encodeURIComponent(id)}/handover`, 'data-testid': 'handover' },
          t('Hand over to the client to sign'))
        : null,
      round.status === 'submitted' ? h('p.muted', null, signs
        ? t('Submitted. Answers can still be corrected until the round is signed.')
        : t('Submitted. The client does not sign this checklist.')) : null));
  // Not redrawn under the user's thumb when a pull lands; pending saves finish before leaving.
  return { el, leave: () => queue };
}

function sealedNotice(ctx, round) {
  return h('div.notice.sealed', { 'data-testid': 'sealed' },
    h('p', null, h('strong', null, t('Signed by %(name)s. This record is sealed and can no longer be changed.',
      { name: (round.acceptance && round.acceptance.signer) || '—' }))),
    h('p.small.seal', null, t('Seal'), ' ', h('code', null, round.seal_hash)),
    round.number && navigator.onLine
      ? h('p', null, h('a.btn.small', { href: `/api/rounds/${encodeURIComponent(round.id)}/report.pdf`, target: '_blank', rel: 'noopener' }, t('Report (PDF)')))
      : null,
    h('button.btn.small', {
      type: 'button', 'data-testid': 'correct',
      onclick: () => go(`/rounds/${encodeURIComponent(round.id)}/correct`),
    }, t('Start a correction')));
}

/** Object URLs for the round's photos still on the device (uploaded ones come from the server). */
function photoSources(ctx, data) {
  const urls = new Map();
  for (const blob of data.blobs) {
    const url = URL.createObjectURL(new Blob([blob.bytes], { type: blob.mime }));
    ctx.urls.push(url);
    urls.set(blob.id, url);
  }
  for (const a of data.attachments) {
    if (!urls.has(a.id) && a.status === 'complete') urls.set(a.id, `/api/attachments/${encodeURIComponent(a.id)}/content`);
  }
  return urls;
}

/**
 * One item with its answer controls.
 */
function itemCard(ctx, { entry, answer, locale, readOnly, photoUrls, severities, onAnswer, onSeverity, round, site }) {
  const item = entry.item;
  const current = { status: answer?.status || null, value: answer?.value ?? null, note: answer?.note || '', photos: [...(answer?.photos || [])] };
  const card = h('article.round-item', { id: `item-${entry.key}`, 'data-key': entry.key, 'data-testid': 'round-item' });
  const errorEl = h('p.error-text', { role: 'alert' });
  const abnormalBox = h('div.abnormal-box');
  const labels = STATUS_LABELS();

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
    card.dataset.status = current.status || '';
    drawStatus();
    drawAbnormal();
    await onAnswer({ ...current }, extra);
    card.classList.remove('flagged');
    return true;
  }

  const statusButtons = h('div.segmented', { role: 'group', 'aria-label': t('Answer') });
  function drawStatus() {
    const choices = item.kind === 'check' ? ['normal', 'abnormal', 'na'] : ['na'];
    replace(statusButtons, choices.map((s) => h('button.btn.seg', {
      type: 'button', 'data-status': s, 'aria-pressed': String(current.status === s), disabled: readOnly,
      onclick: () => commit({ status: current.status === s && s === 'na' && item.kind !== 'check' ? null : s }),
    }, labels[s])));
  }

  let valueEl = null;
  if (item.kind === 'count_pair') {
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
    valueEl = h('div.counts', null, item.counts.map((c, i) => h('label.count', null, text(c.label, locale), inputs[i])));
  } else if (item.kind === 'measurement') {
    const reading = h('input', { type: 'text', inputmode: 'decimal', 'data-field': 'reading', disabled: readOnly,
      value: current.value && current.value.reading !== undefined ? String(current.value.reading) : '' });
    const rated = item.nominal === null || item.nominal === undefined
      ? h('input', { type: 'text', inputmode: 'decimal', 'data-field': 'nominal', disabled: readOnly,
        value: current.value && current.value.nominal !== undefined ? String(current.value.nominal) : '' })
      : null;
    const verdict = h('span.verdict', { 'aria-live': 'polite' });
    const saveReading = () => {
      if (reading.value.trim() === '' || (rated && rated.value.trim() === '')) return;
      const parse = (s) => (/^[-+]?\d+(\.\d+)?$/.test(s.trim()) ? Number(s.trim()) : s.trim());
      const value = { reading: parse(reading.value) };
      if (rated) value.nominal = parse(rated.value);
      commit({ value, status: null });
    };
    reading.addEventListener('change', saveReading);
    if (rated) rated.addEventListener('change', saveReading);
    valueEl = h('div.measure', null,
      h('label', null, t('Reading (%(unit)s)', { unit: item.unit || '' }), reading),
      rated ? h('label', null, t('Rated value (%(unit)s)', { unit: item.unit || '' }), rated)
        : h('span.muted', null, t('Rated value %(value)s %(unit)s', { value: item.nominal, unit: item.unit || '' })),
      h('span.muted', null, t('Tolerance ±%(tol)s %(unit)s', { tol: item.tolerance, unit: item.unit || '' })),
      verdict);
  } else if (item.kind === 'text') {
    const area = h(item.multiline ? 'textarea' : 'input', { maxlength: '2000', disabled: readOnly, 'data-field': 'text',
      value: typeof current.value === 'string' ? current.value : '' });
    if (item.multiline) area.textContent = typeof current.value === 'string' ? current.value : '';
    area.addEventListener('change', () => commit({ value: area.value, status: null }));
    valueEl = area;
  } else if (item.kind === 'choice') {
    valueEl = h('div.segmented', { role: 'group' }, (item.options || []).map((o) => h('button.btn.seg', {
      type: 'button', 'data-option': o.key, 'aria-pressed': String(current.value === o.key), disabled: readOnly,
      onclick: (event) => {
        for (const b of event.currentTarget.parentElement.children) b.setAttribute('aria-pressed', String(b === event.currentTarget));
        commit({ value: o.key, status: null });
      },
    }, text(o.label, locale))));
  }

  const photoBox = h('div.photos');
  const photoInput = h('input.visually-hidden', { type: 'file', accept: 'image/*', capture: 'environment', 'data-testid': 'photo-input' });
  const photoError = h('span.error-text', { role: 'alert' });
  photoInput.addEventListener('change', async () => {
    const file = photoInput.files && photoInput.files[0];
    photoInput.value = '';
    if (!file) return;
    photoError.textContent = t('Preparing the photo…');
    try {
      const photo = await preparePhoto(file, 'photo');
      const attachment = newAttachment({
        ownerEntity: 'round', ownerId: round.id, kind: 'photo', siteId: round.site_id, photo,
        label: `${t('Photo')} · ${text(item.label, locale)}`,
      });
      photoUrls.set(attachment.mutation.id, URL.createObjectURL(new Blob([photo.bytes], { type: photo.mime })));
      ctx.urls.push(photoUrls.get(attachment.mutation.id));
      photoError.textContent = '';
      const status = current.status || (item.kind === 'photo' ? 'normal' : null);
      const ok = await commit({ photos: [...current.photos, attachment.mutation.id], status },
        { before: [attachment.mutation], blobs: [attachment.blob] });
      if (!ok) photoError.textContent = t('Answer the item first, then add photos.');
      drawPhotos();
    } catch (error) {
      photoError.textContent = error instanceof AttachmentError ? error.message : t('This photo could not be saved.');
    }
  });
  function drawPhotos() {
    replace(photoBox, current.photos.map((pid) => (photoUrls.get(pid)
      ? h('img.thumb', { src: photoUrls.get(pid), alt: t('Photo') })
      : h('span.thumb.missing', null, t('Photo')))),
    readOnly ? null : h('button.btn.small', { type: 'button', 'data-testid': 'add-photo', onclick: () => photoInput.click() }, t('Add photo')),
    photoInput, photoError);
  }

  const note = h('textarea', { rows: '2', maxlength: '2000', 'data-field': 'note', disabled: readOnly, placeholder: t('What is wrong?') }, current.note);
  note.addEventListener('change', () => commit({ note: note.value }));
  function drawAbnormal() {
    const abnormal = current.status === 'abnormal';
    const needs = item.abnormal_requires || [];
    const showPhotos = item.kind === 'photo' || abnormal || current.photos.length;
    if (!abnormal && !showPhotos) return replace(abnormalBox);
    drawPhotos();
    const severity = h('select', { 'data-field': 'severity', disabled: readOnly,
      onchange: (event) => onSeverity(event.target.value) },
    Object.entries(SEVERITIES()).map(([k, v]) => h('option', { value: k, selected: (severities[entry.key] || 'medium') === k }, v)));
    return replace(abnormalBox,
      abnormal ? h('label', null, h('span', null, t('Note'), needs.includes('note') ? h('span.req', null, ' *') : null), note) : null,
      abnormal ? h('label', null, t('Fault severity'), severity) : null,
      showPhotos ? h('div', null, needs.includes('photo') && abnormal ? h('span.small', null, t('A photo is required'), h('span.req', null, ' *')) : null, photoBox) : null);
  }

  /** Show an answer saved elsewhere on the screen (All normal). */
  card.redraw = (saved) => {
    Object.assign(current, { status: saved.status, value: saved.value ?? null, note: saved.note || '', photos: [...(saved.photos || [])] });
    card.dataset.status = current.status || '';
    drawStatus();
    drawAbnormal();
    card.classList.remove('flagged');
  };
  card.dataset.status = current.status || '';
  drawStatus();
  drawAbnormal();
  const sense = item.sense ? SENSES()[item.sense] : null;
  card.append(...[
    h('div.item-head', null,
      sense ? h('span.sense', { class: `sense-${item.sense}` }, sense) : null,
      h('h3', null, text(item.label, locale), (item.required ?? true) ? h('span.req', { 'aria-label': t('required') }, ' *') : null)),
    item.hint ? h('p.muted.small', null, text(item.hint, locale)) : null,
    valueEl, statusButtons, errorEl, abnormalBox].filter(Boolean));
  return card;
}

/**
 * Start a correction of a sealed round: a new revision that refers to it, with its answers
 * copied so that only what was wrong needs changing.
 */
export async function startCorrection(ctx, id) {
  const data = await loadRound(ctx, id);
  if (!data || data.round.status !== 'sealed') return go(`/rounds/${encodeURIComponent(id)}`, { replace: true });
  if (!confirmAction(t('Start a correction of this signed round? The signed one stays as it is.'))) {
    return go(`/rounds/${encodeURIComponent(id)}`, { replace: true });
  }
  const { newRound } = await import('../rounds.js');
  const { round, version } = data;
  const create = newRound({
    version, siteId: round.site_id, scheduleId: round.schedule_id || null, locationId: round.location_id || null,
    equipmentIds: round.equipment_ids || [], period: round.period || '', header: round.header || {},
    label: `${text(version.content.title, ctx.locale())} · ${t('Correction')}`, revisionOf: round.id,
  });
  const copy = { ...round, id: create.id, site_id: round.site_id };
  const entries = expand(version.content, round.equipment_ids || []);
  const byKey = answersByKey(data.answers);
  const answers = entries.filter((e) => byKey[e.key]).map((e) => answerMutation(copy, e, null, {
    ...byKey[e.key], photos: [],
  }, t('Correction')));
  await ctx.outbox.commitInOrder([create, ...answers]);
  return go(`/rounds/${encodeURIComponent(create.id)}`, { replace: true });
}
