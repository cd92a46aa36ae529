/**
 * The equipment register's fields (webapp/inventory/schemas.py EquipmentIn), with their labels
 * and input types. Labels are translated when asked for, after the catalogue has loaded.
 */

import { t } from './i18n.js';

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
 * @param {{locations?: Map<string, string>}} [context]
 * @returns {string}
 */
export function displayValue(name, value, context = {}) {
  if (value === null || value === undefined || value === '') return '—';
  if (name === 'system') return systems()[value] || String(value);
  if (name === 'status') return statuses()[value] || String(value);
  if (name === 'location_id') return (context.locations && context.locations.get(String(value))) || t('Unknown location');
  return String(value);
}
