/**
 * The equipment register's fields (webapp/inventory/schemas.py EquipmentIn), with their labels
 * and input types. Labels are translated when asked for, after the catalogue has loaded.
 */

import { t, tn } from './i18n.js';

/** @returns {Record<string, string>} system value -> label */
export function systems() {
  return {
    audio: t('Audio'), video: t('Video'), central_control: t('Central control'),
    power: t('Power'), network: t('Network'), server: t('Server'), other: t('Other'),
  };
}

/** @returns {Record<string, string>} status value -> label */
export function statuses() {
  return {
    in_service: t('In service'), faulty: t('Faulty'), spare: t('Spare'), retired: t('Retired'),
  };
}

/** @returns {Record<string, string>} location kind -> label */
export function locationKinds() {
  return {
    machine_room: t('Machine room'), control_room: t('Control room'), server_room: t('Server room'),
    floor: t('Floor'), meeting_room: t('Meeting room'), other: t('Other'),
  };
}

/**
 * Every editable field, in the order of the register.
 * @returns {Array<{name:string, label:string, type:string, max?:number, required?:boolean,
 *   options?:Record<string,string>, help?:string, min?:number, wide?:boolean}>}
 */
export function equipmentFields() {
  return [
    { name: 'name', label: t('Name'), type: 'text', max: 200, required: true },
    { name: 'code', label: t('Asset number'), type: 'text', max: 50 },
    { name: 'location_id', label: t('Location'), type: 'location' },
    { name: 'system', label: t('System'), type: 'select', options: systems(), required: true },
    { name: 'status', label: t('Status'), type: 'select', options: statuses(), required: true },
    { name: 'brand', label: t('Brand'), type: 'text', max: 100 },
    { name: 'model', label: t('Model'), type: 'text', max: 100 },
    { name: 'serial_number', label: t('Serial number'), type: 'text', max: 100 },
    { name: 'manufacturer', label: t('Manufacturer'), type: 'text', max: 200 },
    { name: 'manufacturer_contact', label: t('Manufacturer contact'), type: 'text', max: 200 },
    { name: 'supplier', label: t('Supplier'), type: 'text', max: 200 },
    { name: 'installed_on', label: t('Installed on'), type: 'date' },
    {
      name: 'service_years', label: t('Years in use'), type: 'number', min: 0, max: 100,
      help: t('Only when the installation date is unknown'),
    },
    { name: 'warranty_until', label: t('Warranty until'), type: 'date' },
    { name: 'interfaces', label: t('Interfaces'), type: 'textarea', max: 2000, wide: true },
    { name: 'free_interfaces', label: t('Free interfaces'), type: 'textarea', max: 2000, wide: true },
    { name: 'fault_points', label: t('Common fault points'), type: 'textarea', max: 2000, wide: true },
    { name: 'notes', label: t('Notes'), type: 'textarea', max: 4000, wide: true },
  ];
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
