/**
 * The round screen's answers as they are given: each one goes to the outbox at once, one after
 * another (an item answered twice quickly is created once, then updated), and the progress bar
 * follows them.
 */

import { text } from '../checklist.js';
import { t, tn } from '../i18n.js';
import { answerMutation, progress } from '../rounds.js';
import { h, replace } from './dom.js';

/** The answered count, the bar and the abnormal count, redrawn after every save. */
export function progressBar(content, round, answers) {
  const el = h('div.round-progress', { role: 'status', 'aria-live': 'polite' });
  const draw = () => {
    const p = progress(content, round, Object.values(answers));
    replace(el,
      h('progress', { max: String(p.total || 1), value: String(p.answered) }),
      h('span', null, t('%(done)d of %(total)d answered', { done: p.answered, total: p.total })),
      p.abnormal ? h('span.badge.abnormal', null, tn('%(num)d abnormal', '%(num)d abnormal', p.abnormal)) : null);
  };
  draw();
  return { el, draw };
}

/**
 * Saving answers in order.
 * @param {import('./context.js').Context} ctx
 * @param {{round:object, content:object, locale:string, answers:Record<string, object>,
 *   onSaved:() => void}} state `answers` (by item key) is kept up to date here
 * @returns {{save:(entry:object, next:object, extra?:object) => Promise<void>,
 *   allNormal:(members:object[], cards:Map<string, HTMLElement>) => Promise<void>,
 *   settled:() => Promise<void>}}
 */
export function answerWriter(ctx, { round, content, locale, answers, onSaved }) {
  let queue = Promise.resolve();
  const inOrder = (run) => {
    queue = queue.then(run, run);
    return queue;
  };
  const label = (entry) => `${text(content.title, locale)} · ${text(entry.item.label, locale)}`;

  const save = (entry, next, extra = {}) => inOrder(async () => {
    const existing = answers[entry.key] || null;
    const m = answerMutation(round, entry, existing, next, label(entry));
    await ctx.outbox.commitInOrder([...(extra.before || []), m], extra.blobs || []);
    answers[entry.key] = {
      ...(existing || {}), ...m.changes, item_key: entry.key, id: m.id,
      equipment_id: entry.equipment_id, _version: existing ? existing._version : 0,
    };
    onSaved();
  });

  /** One tap for a device where all is well: its unanswered checks become normal, together. */
  const allNormal = (members, cards) => inOrder(async () => {
    const todo = members.filter((e) => e.item.kind === 'check' && !(answers[e.key] && answers[e.key].status));
    if (!todo.length) return;
    const made = todo.map((e) => [e, answerMutation(round, e, null,
      { status: 'normal', value: null, note: '', photos: [] }, label(e))]);
    await ctx.outbox.commitInOrder(made.map(([, m]) => m));
    for (const [e, m] of made) {
      answers[e.key] = { ...m.changes, item_key: e.key, id: m.id, equipment_id: e.equipment_id, _version: 0 };
      cards.get(e.key).redraw(answers[e.key]);
    }
    onSaved();
  });

  return { save, allNormal, settled: () => queue };
}
