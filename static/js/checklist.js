/**
 * The rules of a checklist's answers on the device: the mirror of webapp/checklists/content.py.
 *
 * Every function here does what its Python namesake does, in the same order, so the device and
 * the server agree on what an answer means; tests/checklist_vectors.json runs against both.
 * The contract is docs/checklists.md.
 */

import { t } from './i18n.js';

export const LANGS = ['zh_Hans', 'zh_Hant', 'en'];
export const STATUSES = ['normal', 'abnormal', 'na'];
export const MAX_TEXT = 2000;
const LIMIT = 1e9;
const SCALE = 1e6; // six decimals
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BLANK = /^[ \t\n\r\f\v\u00a0\u3000]*$/;

// -- numbers -----------------------------------------------------------------------------------

/** The nearest integer, halves upwards (written out so that it is the server's rule too). */
function roundHalfUp(value) {
  const low = Math.floor(value);
  return value - low >= 0.5 ? low + 1 : low;
}

/** The number in millionths, exact for every number the rules let through. */
function scaled(value) {
  return roundHalfUp(value * SCALE);
}

function isNumber(value) {
  return typeof value === 'number';
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Why `value` may not be stored as a number, or null: finite, at most 6 decimals, |x| < 1e9.
 * @param {unknown} value
 * @returns {string|null}
 */
export function numberError(value) {
  if (!isNumber(value)) return t('Enter a number.');
  if (!Number.isFinite(value)) {
    return t('Special numeric values (nan or infinity) are not permitted.');
  }
  if (Math.abs(value) >= LIMIT) return t('The number must be between -999999999 and 999999999.');
  if (roundHalfUp(value * SCALE) / SCALE !== value) return t('At most 6 decimals.');
  return null;
}

/**
 * @param {unknown} value
 * @returns {boolean} whether the value may be stored as a number (see numberError)
 */
export function isNumberOk(value) {
  return numberError(value) === null;
}

function isWhole(value) {
  return isNumber(value) && Number.isInteger(value);
}

/** No text: not a string, or only spaces (the same spaces as on the server). */
function isBlank(value) {
  return typeof value !== 'string' || BLANK.test(value);
}

/** Length in characters (code points), as Python counts. */
function length(value) {
  return [...value].length;
}

// -- texts -------------------------------------------------------------------------------------

/**
 * The text in `locale`, else Simplified Chinese, else English, else "".
 * @param {unknown} obj a {zh_Hans, zh_Hant, en} object
 * @param {string} locale
 * @returns {string}
 */
export function text(obj, locale) {
  if (typeof obj === 'string') return obj;
  if (!isObject(obj)) return '';
  for (const lang of [locale, 'zh_Hans', 'en']) {
    const value = obj[lang];
    if (!isBlank(value)) return value;
  }
  return '';
}

// -- rounds ------------------------------------------------------------------------------------

/**
 * Whether a round of this content is closed by the client's acceptance and signature: yes
 * unless the template says "none" (client_signs in content.py).
 * @param {{acceptance?: string}} content
 * @returns {boolean}
 */
export function clientSigns(content) {
  return (content && content.acceptance) !== 'none';
}

/**
 * The questions of a round in order; a repeated section once per device, device by device.
 * @param {{sections?: object[]}} content
 * @param {unknown[]} equipmentIds
 * @returns {{key: string, item: object, section: object, equipment_id: string|null}[]}
 */
export function expand(content, equipmentIds) {
  const entries = [];
  for (const section of content.sections || []) {
    if (section.repeat === 'equipment') {
      for (const equipmentId of equipmentIds || []) {
        const eid = String(equipmentId);
        for (const item of section.items) {
          entries.push({ key: `${item.key}@${eid}`, item, section, equipment_id: eid });
        }
      }
    } else {
      for (const item of section.items) {
        entries.push({ key: item.key, item, section, equipment_id: null });
      }
    }
  }
  return entries;
}

/**
 * The entry of `expand` answered under `itemKey`, or null when the round has no such item.
 * @returns {{key: string, item: object, section: object, equipment_id: string|null}|null}
 */
export function find(content, equipmentIds, itemKey) {
  return expand(content, equipmentIds).find((entry) => entry.key === itemKey) || null;
}

/**
 * The status an answer stands for, or the reasons it does not fit the item.
 * For every kind but `check` the status follows from the value, and a given status must agree.
 * @param {object} item
 * @param {{status?: string, value?: unknown, note?: unknown, photos?: unknown}} answer
 * @returns {{status: string} | {errors: Record<string, string[]>}}
 */
export function checkAnswer(item, answer) {
  if (!isObject(answer)) return { errors: { answer: [t('Not a valid mapping type.')] } };
  const errors = {};
  const status = answer.status ?? null;
  const value = answer.value ?? null;
  const note = answer.note ?? null;
  const photos = answer.photos ?? null;
  const kind = item.kind;
  if (note !== null && typeof note !== 'string') {
    errors.note = [t('Not a valid string.')];
  } else if (note !== null && length(note) > MAX_TEXT) {
    errors.note = [t('At most %(limit)d characters.', { limit: MAX_TEXT })];
  }
  if (photos !== null && (
    !Array.isArray(photos) || photos.some((p) => typeof p !== 'string' || !UUID.test(p))
  )) {
    errors.photos = [t('Give a list of photo ids.')];
  } else if (photos !== null && new Set(photos.map((p) => p.toLowerCase())).size !== photos.length) {
    errors.photos = [t('A photo appears twice.')];
  }
  let derived = null;
  if (status !== null && !STATUSES.includes(status)) {
    errors.status = [t('Choose one of: %(allowed)s.', { allowed: STATUSES.join(', ') })];
  } else if (status === 'na') {
    if (value !== null) errors.value = [t('A question that does not apply takes no value.')];
    derived = 'na';
  } else if (kind === 'check' || kind === 'photo') {
    if (value !== null) errors.value = [t('This kind of item takes no value.')];
    if (kind === 'check') {
      if (status === null) errors.status = [t('Say whether it is normal or abnormal.')];
      derived = status;
    } else {
      derived = 'normal';
    }
  } else if (kind === 'count_pair') {
    derived = countPair(item, value, errors);
  } else if (kind === 'measurement') {
    derived = measurement(item, value, errors);
  } else if (kind === 'text') {
    if (value !== null && typeof value !== 'string') {
      errors.value = [t('Not a valid string.')];
    } else if (value !== null && length(value) > MAX_TEXT) {
      errors.value = [t('At most %(limit)d characters.', { limit: MAX_TEXT })];
    }
    derived = 'normal';
  } else if (kind === 'choice') {
    const keys = item.options.map((option) => option.key);
    if (typeof value !== 'string' || !keys.includes(value)) {
      errors.value = [t('Choose one of the options.')];
    } else {
      derived = (item.abnormal_options || []).includes(value) ? 'abnormal' : 'normal';
    }
  }
  if (derived !== null && status !== null && status !== derived && !('status' in errors)) {
    errors.status = [disagrees(derived)];
  }
  if (Object.keys(errors).length) return { errors };
  return { status: derived };
}

function disagrees(derived) {
  if (derived === 'abnormal') return t('By its value this answer is abnormal.');
  return t('By its value this answer is normal.');
}

function hasValueErrors(errors) {
  return Object.keys(errors).some((key) => key.startsWith('value'));
}

function countPair(item, value, errors) {
  const keys = item.counts.map((count) => count.key);
  if (!isObject(value)) {
    errors.value = [t('Give both counts.')];
    return null;
  }
  for (const name of Object.keys(value)) {
    if (!keys.includes(name)) {
      (errors.value ||= []).push(t('Unknown count: %(key)s.', { key: name }));
    }
  }
  for (const key of keys) {
    const count = value[key] ?? null;
    if (count === null) {
      errors[`value.${key}`] = [t('Give this count.')];
    } else if (!isWhole(count) || count < 0) {
      errors[`value.${key}`] = [t('Give a whole number, 0 or more.')];
    } else if (count >= LIMIT) {
      errors[`value.${key}`] = [t('The number must be between -999999999 and 999999999.')];
    }
  }
  if (hasValueErrors(errors)) return null;
  const trigger = item.abnormal_if ?? null;
  return trigger !== null && value[trigger] > 0 ? 'abnormal' : 'normal';
}

function measurement(item, value, errors) {
  if (!isObject(value)) {
    errors.value = [t('Give the reading.')];
    return null;
  }
  const own = item.nominal ?? null;
  for (const name of Object.keys(value)) {
    if (name !== 'reading' && (name !== 'nominal' || own !== null)) {
      (errors.value ||= []).push(t('Unknown field: %(key)s.', { key: name }));
    }
  }
  const reading = value.reading ?? null;
  if (reading === null) {
    errors['value.reading'] = [t('Give the reading.')];
  } else if (numberError(reading)) {
    errors['value.reading'] = [numberError(reading)];
  }
  let nominal = own;
  if (own === null) {
    nominal = value.nominal ?? null;
    if (nominal === null) {
      errors['value.nominal'] = [t('Give the rated value.')];
    } else if (numberError(nominal)) {
      errors['value.nominal'] = [numberError(nominal)];
    }
  }
  if (hasValueErrors(errors)) return null;
  const off = Math.abs(scaled(reading) - scaled(nominal));
  return off > scaled(item.tolerance) ? 'abnormal' : 'normal';
}

function answered(item, answer) {
  const status = answer.status ?? null;
  if (status === 'na') return true;
  if (item.kind === 'check') return status === 'normal' || status === 'abnormal';
  if (item.kind === 'text') return !isBlank(answer.value);
  if (item.kind === 'photo') return true; // the photos are checked below
  return (answer.value ?? null) !== null;
}

function hasPhotos(answer) {
  return Array.isArray(answer.photos) && answer.photos.length > 0;
}

/**
 * What stops the round from being submitted, in template order: reason "unanswered" (a required
 * item), "note" or "photo" (an abnormal answer without what it must carry, or a required photo
 * item without a photo).
 * @param {object} content
 * @param {unknown[]} equipmentIds
 * @param {Record<string, object>} answersByKey
 * @returns {{key: string, equipment_id: string|null, label: object, reason: string}[]}
 */
export function missing(content, equipmentIds, answersByKey) {
  const found = [];
  for (const entry of expand(content, equipmentIds)) {
    const item = entry.item;
    const answer = answersByKey[entry.key] ?? null;
    const required = item.required ?? true;
    const reasons = [];
    if (answer === null || !answered(item, answer)) {
      if (required) reasons.push('unanswered');
    } else if (answer.status === 'abnormal') {
      for (const need of item.abnormal_requires || []) {
        if (need === 'note' && isBlank(answer.note)) reasons.push('note');
        if (need === 'photo' && !hasPhotos(answer)) reasons.push('photo');
      }
    } else if (item.kind === 'photo' && required && answer.status !== 'na' && !hasPhotos(answer)) {
      reasons.push('photo');
    }
    for (const reason of reasons) {
      found.push({ key: entry.key, equipment_id: entry.equipment_id, label: item.label, reason });
    }
  }
  return found;
}
