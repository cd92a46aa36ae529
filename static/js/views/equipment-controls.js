/**
 * The inputs of the equipment form, one per field kind, and how a value is read back from each.
 */

import { isoDay } from '../equipment-fields.js';
import { t } from '../i18n.js';
import { h } from './dom.js';

/**
 * The input for one field.
 * @param {{name:string, type:string, max?:number, min?:number, required?:boolean,
 *   options?:Record<string,string>}} field
 * @param {any} value
 * @param {Array<{id:string, name:string}>} locations the site's locations on the device
 * @returns {HTMLElement}
 */
export function control(field, value, locations) {
  const common = { id: `f-${field.name}`, name: field.name, 'aria-describedby': `err-${field.name}` };
  if (field.type === 'textarea') {
    return h('textarea', { ...common, maxlength: field.max, rows: 3, value: value ?? '' });
  }
  if (field.type === 'select' || field.type === 'location') return select(common, field, value, locations);
  if (field.type === 'number') {
    return h('input', { ...common, type: 'number', inputmode: 'numeric', min: field.min, max: field.max, step: 1, value: value ?? '' });
  }
  if (field.type === 'date') {
    // The picker offers no day after today (the phone's own calendar) for an installation.
    return h('input', { ...common, type: 'date', max: field.name === 'installed_on' ? isoDay() : null, value: value ?? '' });
  }
  return h('input', { ...common, type: 'text', maxlength: field.max, required: field.required, value: value ?? '' });
}

function select(common, field, value, locations) {
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

/**
 * A field's value as the form holds it: text trimmed, no date or location as null, a number.
 * @param {string} name
 * @param {HTMLInputElement|HTMLSelectElement|HTMLTextAreaElement} input
 * @returns {any}
 */
export function readValue(name, input) {
  const raw = input.value;
  if (name === 'location_id' || input.type === 'date') return raw || null;
  if (input.type === 'number') return raw === '' ? null : Number(raw);
  return raw.trim();
}
