/**
 * The client's acceptance block (domain §3) as the hand-over screen checks it before signing:
 * the rule of the server's `Acceptance` schema (webapp/rounds/schemas.py), one for every form
 * the client signs — the daily round, the maintenance report and the customer service contact
 * form. Both sides run the shared cases of tests/acceptance_vectors.json. Pure; the allowed
 * values and lengths come from the contract (webapp/models/choices.py).
 */

import { maxLength, values } from './contract.js';

/** Fields in the order the hand-over screen names them. */
export const FIELDS = ['handover', 'satisfaction', 'reasons', 'comments', 'signer'];

/**
 * The fields of an acceptance block the server would refuse, in FIELDS order; [] when none.
 * @param {{accepted:boolean, handover:string, satisfaction:string, reasons:string[],
 *   comments:string, signer:string, signed_at:string}} a
 * @returns {string[]}
 */
export function acceptanceProblems(a) {
  const wrong = new Set();
  if (!values('handover').includes(a.handover)) wrong.add('handover');
  if (!values('satisfaction').includes(a.satisfaction)) wrong.add('satisfaction');
  const reasons = Array.isArray(a.reasons) ? a.reasons : [];
  const unsatisfied = a.satisfaction === 'unsatisfied';
  if (reasons.some((r) => !values('reason').includes(r)) || reasons.length > values('reason').length
    || new Set(reasons).size !== reasons.length || (unsatisfied && !reasons.length)
    || (!unsatisfied && reasons.length)) wrong.add('reasons');
  if (typeof a.comments !== 'string' || a.comments.length > maxLength('acceptance', 'comments')) wrong.add('comments');
  if (typeof a.signer !== 'string' || !a.signer.trim() || a.signer.length > maxLength('acceptance', 'signer')) {
    wrong.add('signer');
  }
  return FIELDS.filter((f) => wrong.has(f));
}
