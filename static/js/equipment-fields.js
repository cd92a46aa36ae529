/**
 * The equipment register's fields: how the phone shows them (label, input, width) here, what the
 * server accepts (required, maximum length, choices, range) from the contract the server serves
 * (contract.js; webapp/inventory/schemas.py EquipmentIn). Labels are translated when asked for,
 * after the catalogue has loaded.
 */

import { fieldRules, labels, values as choiceValues } from './contract.js';
import { t, tn } from './i18n.js';

/** @returns {Record<string, string>} system value -> label */
export function systems() {
  return labels('equipment_system');
}

/** @returns {Record<string, string>} status value -> label */
export function statuses() {
  return labels('equipment_status');
}

/** @returns {Record<string, string>} location kind -> label */
export function locationKinds() {
  return labels('location_kind');
}

/** How each editable field is shown, in the order of the register. */
const PRESENTATION = () => [
  { name: 'name', label: t('Name'), type: 'text' },
  { name: 'code', label: t('Asset number'), type: 'text' },
  { name: 'location_id', label: t('Location'), type: 'location' },
  { name: 'system', label: t('System'), type: 'select' },
  { name: 'status', label: t('Status'), type: 'select' },
  { name: 'brand', label: t('Brand'), type: 'text' },
  { name: 'model', label: t('Model'), type: 'text' },
  { name: 'serial_number', label: t('Serial number'), type: 'text' },
  { name: 'manufacturer', label: t('Manufacturer'), type: 'text' },
  { name: 'manufacturer_contact', label: t('Manufacturer contact'), type: 'text' },
  { name: 'supplier', label: t('Supplier'), type: 'text' },
  { name: 'installed_on', label: t('Installed on'), type: 'date' },
  { name: 'service_years', label: t('Years in use'), type: 'number', help: t('Only when the installation date is unknown') },
  { name: 'warranty_until', label: t('Warranty until'), type: 'date' },
  { name: 'interfaces', label: t('Interfaces'), type: 'textarea', wide: true },
  { name: 'free_interfaces', label: t('Free interfaces'), type: 'textarea', wide: true },
  { name: 'fault_points', label: t('Common fault points'), type: 'textarea', wide: true },
  { name: 'notes', label: t('Notes'), type: 'textarea', wide: true },
];

/**
 * Every editable field, in the order of the register, with the server's rules.
 * @returns {Array<{name:string, label:string, type:string, max?:number, required?:boolean,
 *   options?:Record<string,string>, help?:string, min?:number, wide?:boolean, rule:object}>}
 */
export function equipmentFields() {
  const rules = fieldRules('equipment');
  return PRESENTATION().map((field) => {
    const rule = rules.get(field.name) || { name: field.name };
    return {
      ...field,
      rule,
      required: Boolean(rule.required),
      max: rule.max_length ?? rule.max,
      min: rule.min,
      options: rule.choices ? labels(rule.choices) : undefined,
    };
  });
}

/**
 * The value a new record starts with, as the server fills it in when it is not sent.
 * @param {string} form e.g. "equipment"
 * @param {string} name
 * @returns {any}
 */
export function fieldDefault(form, name) {
  const rule = fieldRules(form).get(name);
  return rule && 'default' in rule ? rule.default : null;
}

/**
 * A field's label by name (also for fields named in conflicts and outbox entries).
 * @param {string} name
 * @returns {string}
 */
export function fieldLabel(name) {
  if (name === 'site_id') return t('Site');
  const field = equipmentFields().find((f) => f.name === name);
  return field ? field.label : name;
}

/**
 * A value as a person reads it: choices by label, empty as a dash.
 * @param {string} name
 * @param {any} value
 * @param {{locations?: Map<string, string>, sites?: Map<string, string>}} [context]
 * @returns {string}
 */
export function displayValue(name, value, context = {}) {
  if (value === null || value === undefined || value === '') return '—';
  if (name === 'system') return systems()[value] || String(value);
  if (name === 'status') return statuses()[value] || String(value);
  if (name === 'location_id') return (context.locations && context.locations.get(String(value))) || t('Unknown location');
  if (name === 'site_id') return (context.sites && context.sites.get(String(value))) || t('A site not on this phone');
  return String(value);
}

/**
 * A local date as YYYY-MM-DD (the register's dates are calendar days, not instants).
 * @param {Date} [date]
 * @returns {string}
 */
export function isoDay(date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whole years in use: since the installation date when it is known (as the server's
 * Equipment.years_in_use counts them), else the years recorded by hand, else null.
 * @param {{installed_on?: string|null, service_years?: number|null}} item
 * @param {string} [today] YYYY-MM-DD
 * @returns {number|null}
 */
export function yearsInUse(item, today = isoDay()) {
  const installed = DAY.exec(String(item.installed_on || ''));
  const now = DAY.exec(today);
  if (installed && now) {
    let years = Number(now[1]) - Number(installed[1]);
    if (`${now[2]}-${now[3]}` < `${installed[2]}-${installed[3]}`) years -= 1;
    return Math.max(years, 0);
  }
  const recorded = item.service_years;
  return Number.isInteger(recorded) && recorded >= 0 ? recorded : null;
}

/**
 * Years in use as a person reads them: "4 years", "under a year", or a dash.
 * @param {{installed_on?: string|null, service_years?: number|null}} item
 * @param {string} [today]
 * @returns {string}
 */
export function yearsText(item, today = isoDay()) {
  const years = yearsInUse(item, today);
  if (years === null) return '—';
  if (years === 0 && item.installed_on) return t('Less than a year');
  return tn('%(num)d year', '%(num)d years', years);
}

/**
 * The warranty on a day: `in` (the last day included), `expired`, or `unknown`.
 * @param {{warranty_until?: string|null}} item
 * @param {string} [today] YYYY-MM-DD
 * @returns {{state: 'in'|'expired'|'unknown', until: string|null, text: string}}
 */
export function warrantyState(item, today = isoDay()) {
  const until = DAY.test(String(item.warranty_until || '')) ? String(item.warranty_until) : null;
  if (!until) return { state: 'unknown', until: null, text: t('Warranty not recorded') };
  if (until >= today) return { state: 'in', until, text: t('In warranty until %(date)s', { date: until }) };
  return { state: 'expired', until, text: t('Warranty expired on %(date)s', { date: until }) };
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Whether a text is a real calendar day written YYYY-MM-DD (as the server's Day field reads it).
 * @param {unknown} value
 * @returns {boolean}
 */
export function isDay(value) {
  const m = DAY.exec(typeof value === 'string' ? value : '');
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && days !== undefined && day >= 1 && day <= days;
}

/**
 * What is wrong with one value under the server's rule for its field, or null.
 * @param {{type:string, required?:boolean, nullable?:boolean, max_length?:number,
 *   choices?:string, min?:number, max?:number, default?:any}} rule
 * @param {any} value
 * @param {{partial?: boolean}} [options] a change of some fields: absent ones are not checked
 * @returns {string|null}
 */
export function fieldProblem(rule, value, { partial = false } = {}) {
  const empty = t('This field may not be empty.');
  if (value === undefined) return !partial && rule.required && !('default' in rule) ? empty : null;
  if (value === null) return rule.nullable ? null : empty;
  if (rule.type === 'text') {
    if (typeof value !== 'string') return t('Not a valid string.');
    if (rule.required && value.trim() === '') return empty;
    // Characters as the server counts them (code points), not UTF-16 units.
    if (rule.max_length !== undefined && [...value].length > rule.max_length) {
      return t('At most %(limit)d characters.', { limit: rule.max_length });
    }
    if (rule.choices && !choiceValues(rule.choices).includes(value)) {
      // In the person's words, as the server says it (validation.one_of).
      return t('Choose one of: %(allowed)s.', { allowed: Object.values(labels(rule.choices)).join(t(', ')) });
    }
    return null;
  }
  if (rule.type === 'integer') {
    const whole = typeof value === 'number' && Number.isInteger(value);
    if (rule.min !== undefined && (!whole || value < rule.min || value > rule.max)) {
      return t('Enter a number from %(low)d to %(high)d.', { low: rule.min, high: rule.max });
    }
    return whole ? null : t('Not a valid integer.');
  }
  if (rule.type === 'date') return isDay(value) ? null : t('Not a valid date.');
  if (rule.type === 'id') return typeof value === 'string' && UUID.test(value) ? null : t('Not a valid UUID.');
  return null;
}

/**
 * The server's checks of an equipment record, on the phone: field -> message. An installation
 * date is in the future after today on this phone's calendar (at 07:00 in China the UTC date is
 * still yesterday; the server refuses only dates after today in the latest time zone,
 * webapp/clock.py). The cases both sides must agree on are in tests/equipment_vectors.json.
 * @param {Record<string, any>} values
 * @param {{today?: string, partial?: boolean}} [options]
 * @returns {Record<string, string>}
 */
export function validateEquipment(values, { today = isoDay(), partial = false } = {}) {
  const problems = {};
  for (const rule of fieldRules('equipment').values()) {
    const problem = fieldProblem(rule, values[rule.name], { partial });
    if (problem) problems[rule.name] = problem;
  }
  if (!problems.installed_on && values.installed_on && values.installed_on > today) {
    problems.installed_on = t('The installation date is in the future.');
  }
  return problems;
}
