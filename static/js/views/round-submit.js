/**
 * The end of the round screen: the maintenance summary and the person responsible (kept as a
 * draft while typed), the list of items still missing, and one submission however often the
 * button is tapped — or, once submitted, the way to the client's signature.
 */

import { clientSigns, text } from '../checklist.js';
import { maxLength } from '../contract.js';
import { t, tn } from '../i18n.js';
import { missingItems, submitMutations } from '../rounds.js';
import { h, replace } from './dom.js';

/**
 * @param {import('./context.js').Context} ctx
 * @param {{id:string, data:object, round:object, content:object, locale:string, isReport:boolean,
 *   answers:Record<string, object>, severities:Record<string, string>, cards:Map<string, HTMLElement>,
 *   settled:() => Promise<void>}} screen
 * @returns {Promise<HTMLElement>}
 */
export async function submitPanel(ctx, screen) {
  const { id, round, isReport } = screen;
  const fields = await summaryFields(ctx, screen);
  const missingBox = h('div.missing', { role: 'alert', 'data-testid': 'missing' });
  const signs = clientSigns(screen.content);
  return h('div.card.stack.submit-panel', null,
    isReport ? [
      h('label', { for: 'round-summary' }, t('Maintenance summary')), fields.summary,
      h('label', { for: 'round-responsible' }, t('Person responsible')), fields.responsible,
    ] : null,
    missingBox,
    round.status === 'in_progress' ? submitButton(ctx, screen, fields, missingBox) : null,
    round.status === 'submitted' && signs
      ? h('a.btn.primary.block', { href: `#/rounds/${encodeURIComponent(id)}/handover`, 'data-testid': 'handover' },
        t('Hand over to the client to sign'))
      : null,
    round.status === 'submitted' ? h('p.muted', null, signs
      ? t('Submitted. Answers can still be corrected until the round is signed.')
      : t('Submitted. The client does not sign this checklist.')) : null);
}

/** The summary and the person responsible, restored from and kept in a draft. */
async function summaryFields(ctx, { id, round }) {
  const userId = ctx.userId();
  const key = `round:${id}:submit`;
  const draft = (await ctx.db.draft(userId, key)) || {
    summary: round.summary || '', responsible: round.responsible || ctx.session.user.display_name || '',
  };
  const summary = h('textarea', { id: 'round-summary', maxlength: maxLength('round_submit', 'summary'), rows: '3' }, draft.summary);
  const responsible = h('input', { id: 'round-responsible', maxlength: maxLength('round_submit', 'responsible'), value: draft.responsible });
  const keep = () => ctx.db.saveDraft(userId, key, { summary: summary.value, responsible: responsible.value });
  summary.addEventListener('input', keep);
  responsible.addEventListener('input', keep);
  return { summary, responsible, key };
}

/**
 * One submission however often the button is tapped: a second tap while the first is being
 * saved joins it, the button stays disabled, and faults already raised are not raised again.
 */
function submitButton(ctx, screen, fields, missingBox) {
  let submitting = null;
  const button = h('button.btn.primary.block', {
    type: 'button', 'data-testid': 'submit-round', onclick: () => submit(),
  }, t('Submit'));
  function submit() {
    if (!submitting) {
      button.disabled = true;
      submitting = submitOnce(ctx, screen, fields, missingBox).finally(() => {
        submitting = null;
        button.disabled = false;
      });
    }
    return submitting;
  }
  return button;
}

async function submitOnce(ctx, screen, fields, missingBox) {
  const { id, data, round, content, locale, answers, severities } = screen;
  await screen.settled();
  const missing = missingItems(content, round, Object.values(answers));
  if (missing.length) {
    showMissing(screen, missingBox, missing);
    return;
  }
  replace(missingBox);
  const userId = ctx.userId();
  const held = await ctx.db.record(userId, 'round', id);
  if (held && held.local && held.local.status && held.local.status !== 'in_progress') {
    ctx.rerender(); // submitted meanwhile (another tab): nothing to send again
    return;
  }
  const equipmentNames = new Map([...data.equipment].map(([k, v]) => [k, v.name]));
  const mutations = submitMutations({
    content, round, answers: Object.values(answers), summary: fields.summary.value.trim(),
    responsible: fields.responsible.value.trim(), equipmentNames, locale,
    faults: await ctx.db.list(userId, 'fault'), severities,
    label: [text(content.title, locale), round.number].filter(Boolean).join(' '),
  });
  await ctx.outbox.commitInOrder(mutations, [], fields.key);
  const faults = mutations.length - 1;
  ctx.flash(faults
    ? tn('Submitted. %(num)d fault was raised from abnormal items.', 'Submitted. %(num)d faults were raised from abnormal items.', faults)
    : t('Submitted.'));
  ctx.rerender();
}

/** Name every item still missing, each a link to its card, and flag the cards. */
function showMissing({ data, locale, cards }, missingBox, missing) {
  const reasons = { unanswered: t('not answered'), note: t('needs a note'), photo: t('needs a photo') };
  replace(missingBox,
    h('p', null, h('strong', null, tn('%(num)d item still needs attention:', '%(num)d items still need attention:', missing.length))),
    h('ul', null, missing.map((m) => {
      const device = m.equipment_id ? data.equipment.get(m.equipment_id) : null;
      return h('li', null, h('button.linklike', {
        type: 'button', 'data-key': m.key, onclick: () => goToCard(cards.get(m.key)),
      }, [device ? `${device.name} · ` : '', text(m.label, locale), ' — ', reasons[m.reason]]));
    })));
  for (const card of cards.values()) card.classList.remove('flagged');
  for (const m of missing) cards.get(m.key).classList.add('flagged');
  missingBox.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function goToCard(card) {
  card.scrollIntoView({ behavior: 'smooth', block: 'center' });
  card.classList.add('flagged');
  const first = card.querySelector('button, input, textarea');
  if (first) first.focus({ preventScroll: true });
}
