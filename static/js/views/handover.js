/**
 * Hand-over mode: the engineer gives the phone or a tablet to the client, who sees a read-only
 * summary of the round and the acceptance block only (domain §3), rates the service and signs
 * with a finger or a stylus. Signing seals the round on the device; it syncs like anything else.
 */

import { acceptanceProblems } from '../acceptance.js';
import { newAttachment, sha256Hex } from '../attachments.js';
import { clientSigns, expand, text } from '../checklist.js';
import { labelOf, maxLength, labels as vocabularyLabels } from '../contract.js';
import { t, tn } from '../i18n.js';
import { go } from '../router.js';
import { answersByKey, deviceTime, progress, signMutation } from '../rounds.js';
import { h, replace } from './dom.js';
import { loadRound } from './round.js';
import { signaturePad } from './signature-pad.js';

// What the client is told for each field the acceptance rule refuses (static/js/acceptance.js).
const PROBLEMS = {
  handover: () => t('Say whether attachments were handed over.'),
  satisfaction: () => t('Choose how satisfied you are.'),
  reasons: () => t('Say why you are not satisfied.'),
  comments: () => t('At most %(limit)d characters.', { limit: maxLength('acceptance', 'comments') }),
  signer: () => t('Write your name.'),
};

function radios(name, choices, testid) {
  return h('div.choices', { role: 'radiogroup', 'data-testid': testid },
    Object.entries(choices).map(([value, label]) => h('label.choice', null,
      h('input', { type: 'radio', name, value }), h('span', null, label))));
}

/**
 * @param {import('./context.js').Context} ctx
 * @param {string} id
 */
export async function renderHandover(ctx, id) {
  const data = await loadRound(ctx, id);
  if (!data || !data.version) {
    return h('div.empty', null, t('This round is not on this device.'));
  }
  const { round, version } = data;
  const back = () => go(`/rounds/${encodeURIComponent(id)}`);
  if (round.status !== 'submitted' || !clientSigns(version.content)) {
    const why = round.status === 'sealed' ? t('This round is already signed.')
      : !clientSigns(version.content) ? t('Submitted. The client does not sign this checklist.')
        : t('Submit the round before handing it over.');
    return h('section', null, h('div.notice', null, why),
      h('button.btn', { type: 'button', onclick: back }, t('Back')));
  }
  document.body.classList.add('handover-mode');
  const locale = ctx.locale();
  const content = version.content;
  const answers = answersByKey(data.answers);
  const p = progress(content, round, data.answers);
  const abnormal = expand(content, round.equipment_ids || []).filter((e) => answers[e.key]?.status === 'abnormal');
  const header = round.header || {};
  const labels = vocabularyLabels('answer_status', { short: true });

  const form = h('form.stack.acceptance', { novalidate: true });
  const errors = h('div.error-text', { role: 'alert', 'data-testid': 'acceptance-errors' });
  const accepted = h('input', { type: 'checkbox', name: 'accepted', 'data-testid': 'accepted' });
  const reasonsBox = h('fieldset.reasons', { hidden: true },
    h('legend', null, t('If unsatisfied, why?')),
    Object.entries(vocabularyLabels('reason')).map(([value, label]) => h('label.choice', null,
      h('input', { type: 'checkbox', name: 'reasons', value }), h('span', null, label))));
  const comments = h('textarea', { name: 'comments', maxlength: maxLength('acceptance', 'comments'), rows: '2' });
  const signer = h('input', { name: 'signer', maxlength: maxLength('acceptance', 'signer'), autocomplete: 'name', 'data-testid': 'signer', value: header.contact || '' });
  const pad = signaturePad();
  const satisfaction = radios('satisfaction', vocabularyLabels('satisfaction'), 'satisfaction');
  satisfaction.addEventListener('change', () => {
    reasonsBox.hidden = form.elements.satisfaction.value !== 'unsatisfied';
  });
  const signButton = h('button.btn.primary.block', { type: 'submit', 'data-testid': 'sign' }, t('Sign and confirm'));
  const againNotice = data.refused.some((e) => e.entity === 'round' && e.op === 'sign')
    ? h('p.notice', { 'data-testid': 'sign-again' }, t('The server did not accept the earlier signature because the round had changed. Please check the round above and sign again.'))
    : null;
  // Shown until the client has signed; the thank-you note then has its own way back.
  const backLink = h('p', null, h('button.btn.ghost.small', { type: 'button', onclick: back }, t('Back to the engineer')));

  form.append(
    h('label.check.big', null, accepted, h('span', null, t('The system has been accepted and works normally (confirming closes this service).'))),
    h('fieldset', null, h('legend', null, t('Attachments handed over')), radios('handover', vocabularyLabels('handover'), 'handover-choice')),
    h('fieldset', null, h('legend', null, t('Satisfaction')), satisfaction),
    reasonsBox,
    h('label', null, t('Comments'), comments),
    h('label', null, t('Your name'), signer),
    h('div.field', null, h('span.label', null, t('Signature')), pad.el,
      h('button.btn.small', { type: 'button', onclick: () => pad.clear() }, t('Clear'))),
    errors, signButton);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.elements.satisfaction.value;
    const reasons = [...form.querySelectorAll('input[name=reasons]:checked')].map((i) => i.value);
    const acceptance = {
      accepted: accepted.checked, handover: form.elements.handover.value, satisfaction: chosen,
      reasons: chosen === 'unsatisfied' ? reasons : [], comments: comments.value.trim(),
      signer: signer.value.trim(), signed_at: deviceTime(),
    };
    const problems = acceptanceProblems(acceptance).map((field) => PROBLEMS[field]());
    if (pad.isEmpty()) problems.push(t('Sign in the box with your finger or a stylus.'));
    if (problems.length) {
      replace(errors, h('ul', null, problems.map((m) => h('li', null, m))));
      return;
    }
    replace(errors);
    signButton.disabled = true;
    try {
      const bytes = await pad.toPng();
      const photo = { bytes, mime: 'image/png', size: bytes.byteLength, sha256: await sha256Hex(bytes), filename: 'signature.png' };
      const signature = newAttachment({
        ownerEntity: 'round', ownerId: round.id, kind: 'signature', siteId: round.site_id, photo,
        label: [text(content.title, locale), round.number].filter(Boolean).join(' '),
      });
      const digests = await photoDigests(ctx, data);
      digests.set(signature.mutation.id, photo.sha256);
      const { seal, mutation } = await signMutation({
        round, answers: data.answers, digests, acceptance, signatureId: signature.mutation.id,
        label: [text(content.title, locale), round.number].filter(Boolean).join(' '),
      });
      // A signature the server refused before is replaced by this one (its entry stays in the
      // device's log and its image on the server, where it was uploaded).
      const refusedSigns = data.refused.filter((e) => e.entity === 'round' && e.op === 'sign');
      await ctx.outbox.commitInOrder([signature.mutation, mutation], [signature.blob], undefined,
        refusedSigns.map((e) => e.mutation_id));
      backLink.remove();
      if (againNotice) againNotice.remove();
      replace(form, h('div.notice.sealed', { 'data-testid': 'signed' },
        h('p', null, h('strong', null, t('Thank you. The round is signed and sealed.'))),
        h('p.small', null, t('Seal'), ' ', h('code', null, seal)),
        h('p', null, t('Please hand the device back to the engineer.')),
        h('button.btn.block', { type: 'button', onclick: back }, t('Back to the engineer'))));
    } catch (error) {
      signButton.disabled = false;
      replace(errors, t('The signature could not be saved: %(reason)s', { reason: String(error.message || error) }));
    }
  });

  return {
    el: h('section.handover', { 'data-testid': 'handover-screen' },
      h('h1', null, text(content.title, locale)),
      h('p.muted', null, [round.number, header.client_name, header.service_time].filter(Boolean).join(' · ')),
      content.form === 'contact_form' ? formAnswers(content, answers, locale) : h('div.card.stack', null,
        h('p', null, t('%(done)d of %(total)d items checked', { done: p.answered, total: p.total }), ' · ',
          abnormal.length ? tn('%(num)d abnormal item', '%(num)d abnormal items', abnormal.length) : t('all normal')),
        abnormal.length ? h('ul.abnormal-list', null, abnormal.map((e) => {
          const device = e.equipment_id ? data.equipment.get(e.equipment_id) : null;
          const a = answers[e.key];
          return h('li', null, h('strong', null, [device ? `${device.name} · ` : '', text(e.item.label, locale)]),
            ' — ', labels[a.status], a.note ? `: ${a.note}` : '');
        })) : null,
        round.summary ? h('p', null, h('strong', null, t('Maintenance summary')), ' ', round.summary) : null,
        round.responsible ? h('p', null, h('strong', null, t('Person responsible')), ' ', round.responsible) : null),
      againNotice,
      form,
      backLink),
    leave: () => { document.body.classList.remove('handover-mode'); },
  };
}

/** A contact form's fields as the client reads them before signing: each label and its answer. */
function formAnswers(content, answers, locale) {
  return h('dl.facts.card', { 'data-testid': 'form-answers' }, expand(content, []).map((e) => {
    const a = answers[e.key];
    let shown = '—';
    if (a && a.status === 'na') {
      shown = labelOf('answer_status', 'na');
    } else if (a && e.item.kind === 'choice') {
      const option = (e.item.options || []).find((o) => o.key === a.value);
      shown = option ? text(option.label, locale) : String(a.value ?? '—');
    } else if (a && a.value !== null && a.value !== undefined && a.value !== '') {
      shown = String(a.value);
    }
    return [h('dt', null, text(e.item.label, locale)), h('dd', null, shown)];
  }));
}

/** The SHA-256 of every photo of the round, from the bytes on the device or the server's record. */
async function photoDigests(ctx, data) {
  const digests = new Map();
  for (const a of data.attachments) digests.set(String(a.id), a.sha256);
  for (const b of data.blobs) digests.set(String(b.id), b.sha256);
  for (const e of await ctx.outbox.entries()) {
    if (e.entity === 'attachment' && e.changes && e.changes.sha256) digests.set(String(e.id), e.changes.sha256);
  }
  return digests;
}
