/**
 * The phone–server contract: the server's vocabularies and the rules of the fields the phone
 * edits (webapp/models/choices.py, the server's schemas), read from /app/contract.json, which
 * the worker precaches with the shell. Nothing here is copied from the server: a vocabulary or a
 * maximum length changes there, and the phone receives it as an app update.
 *
 * Labels arrive as English msgids and are translated here, when asked for, through the current
 * catalogue (i18n.js), so the three languages work offline.
 */

import { t } from './i18n.js';

export const CONTRACT_URL = '/app/contract.json';

/** @type {{vocabularies: Record<string, Array<{value:string, label:string, short?:string}>>,
 *   fields: Record<string, Array<object>>}} */
let current = { vocabularies: {}, fields: {} };
let loaded = false;

/**
 * Fetch the contract (from the worker's cache when offline) and make it current.
 * @returns {Promise<boolean>} whether a contract is in use
 */
export async function loadContract() {
  try {
    const response = await fetch(CONTRACT_URL, { credentials: 'same-origin' });
    if (response.ok) useContract(await response.json());
  } catch (error) {
    console.warn('contract unavailable', error);
  }
  return loaded;
}

/**
 * Make a contract current (loadContract, and tests that hold the server's).
 * @param {{vocabularies?: object, fields?: object}} body
 */
export function useContract(body) {
  if (!body || typeof body.vocabularies !== 'object' || typeof body.fields !== 'object') return;
  current = { vocabularies: body.vocabularies, fields: body.fields };
  loaded = true;
}

/** @returns {boolean} */
export function contractLoaded() {
  return loaded;
}

/**
 * A vocabulary in the server's order, labels in the current language.
 * @param {string} name e.g. "severity"
 * @param {{short?: boolean}} [options] the shorter label where there is one (buttons, badges)
 * @returns {Array<{value: string, label: string}>}
 */
export function vocabulary(name, { short = false } = {}) {
  return (current.vocabularies[name] || []).map((entry) => ({
    value: entry.value, label: t(short && entry.short ? entry.short : entry.label),
  }));
}

/**
 * A vocabulary as value -> label.
 * @param {string} name
 * @param {{short?: boolean}} [options]
 * @returns {Record<string, string>}
 */
export function labels(name, options) {
  return Object.fromEntries(vocabulary(name, options).map((e) => [e.value, e.label]));
}

/**
 * The label of one value; the value itself when the vocabulary does not know it.
 * @param {string} name
 * @param {string|null|undefined} value
 * @param {{short?: boolean}} [options]
 * @returns {string}
 */
export function labelOf(name, value, options) {
  if (value === null || value === undefined || value === '') return '';
  return labels(name, options)[value] ?? String(value);
}

/**
 * The values of a vocabulary.
 * @param {string} name
 * @returns {string[]}
 */
export function values(name) {
  return (current.vocabularies[name] || []).map((e) => e.value);
}

/**
 * The most characters the server takes in a field (for an input's maxlength).
 * @param {string} form e.g. "round_submit"
 * @param {string} field e.g. "summary"
 * @returns {number|undefined}
 */
export function maxLength(form, field) {
  const rule = (current.fields[form] || []).find((r) => r.name === field);
  return rule ? rule.max_length : undefined;
}

/**
 * What the server checks of a form's fields, by field name.
 * @param {string} form e.g. "equipment"
 * @returns {Map<string, {name:string, type:string, required:boolean, nullable:boolean,
 *   max_length?:number, choices?:string, min?:number, max?:number, default?:any}>}
 */
export function fieldRules(form) {
  return new Map((current.fields[form] || []).map((rule) => [rule.name, rule]));
}
