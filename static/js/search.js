/**
 * Searching and filtering the equipment register on the device. Pure: no DOM, no storage.
 *
 * A screen prepares an index once when it opens (every searched field normalised and joined
 * into one string per device, in the register's order); each keystroke is then a scan of those
 * strings, with no IndexedDB read and no normalising of the data again. 10,000 devices take a
 * few milliseconds on a mid-range phone (bench/search_bench.py).
 *
 * Normalising: Unicode NFKC (full-width letters, digits and punctuation become their ordinary
 * forms: "ＳＮ－８８４２" is "SN-8842"), lower case, and the separators people type or leave out
 * in numbers removed (spaces, "-", "_", ".", "/", ":", "#", brackets), so "sn8842", "SN 8842"
 * and "sn-8842" all find "SN-8842". Simplified and Traditional characters are not mapped.
 */

/** Searched fields, in the order of the register. */
export const SEARCHED = ['name', 'code', 'brand', 'model', 'serial_number', 'manufacturer'];
/** Filter value of the location filter meaning "no location". */
export const NO_LOCATION = '-';

const SEPARATORS = /[\s\-_./\\·:：,，;；#＃()（）[\]【】'"“”‘’]+/gu;
const FIELD_BREAK = '\u0001'; // between fields, so a word never matches across two of them
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Text as it is compared: NFKC, lower case, without separators.
 * @param {unknown} value
 * @returns {string}
 */
export function normalise(value) {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (!ASCII.test(text)) text = text.normalize('NFKC');
  return text.toLowerCase().replace(SEPARATORS, '');
}

/**
 * The words of a query, normalised; words that are only separators are dropped.
 * @param {string} query
 * @returns {string[]}
 */
export function queryWords(query) {
  const text = String(query || '');
  const spaced = ASCII.test(text) ? text : text.normalize('NFKC');
  return spaced.split(/\s+/u).map(normalise).filter(Boolean);
}

/**
 * @typedef {{item: object, hay: string, code: string, serial: string, name: string,
 *   system: string, status: string, location: string, order: number}} Entry
 * @typedef {{entries: Entry[], total: number, locations: Map<string, object>}} SearchIndex
 */

/**
 * Prepare a site's equipment for searching: in the register's order (locations by name,
 * devices without a location last; within a location by asset number, then name).
 * @param {object[]} equipment
 * @param {object[]} locations
 * @param {{collator?: Intl.Collator}} [options]
 * @returns {SearchIndex}
 */
export function prepare(equipment, locations, { collator = new Intl.Collator('zh') } = {}) {
  const sortedLocations = [...locations].sort((a, b) => collator.compare(String(a.name || ''), String(b.name || '')));
  const rank = new Map(sortedLocations.map((l, i) => [String(l.id), i]));
  const byId = new Map(sortedLocations.map((l) => [String(l.id), l]));
  const entries = equipment.map((item) => {
    const location = item.location_id ? String(item.location_id) : '';
    const place = byId.get(location);
    // One normalising pass per device; the fields are told apart by FIELD_BREAK.
    const hay = normalise([item.name, item.code, item.serial_number, item.brand, item.model,
      item.manufacturer, place ? place.name : ''].map(asText).join(FIELD_BREAK));
    const first = hay.indexOf(FIELD_BREAK);
    const second = hay.indexOf(FIELD_BREAK, first + 1);
    const third = hay.indexOf(FIELD_BREAK, second + 1);
    return {
      item, hay, name: hay.slice(0, first), code: hay.slice(first + 1, second),
      serial: hay.slice(second + 1, third), system: String(item.system || ''),
      status: String(item.status || ''), location, order: rank.has(location) ? rank.get(location) : rank.size,
    };
  });
  entries.sort((a, b) => a.order - b.order
    || compareCodes(a.item.code, b.item.code)
    || collator.compare(String(a.item.name || ''), String(b.item.name || '')));
  return { entries, total: entries.length, locations: byId };
}

function asText(value) {
  return value === null || value === undefined ? '' : String(value).replaceAll(FIELD_BREAK, ' ');
}

function compareCodes(a, b) {
  // Devices without an asset number come after those with one.
  const x = a ? String(a) : '\uffff';
  const y = b ? String(b) : '\uffff';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether any filter or query is set.
 * @param {{query?: string, system?: string, status?: string, location?: string}} criteria
 * @returns {boolean}
 */
export function isFiltered({ query = '', system = '', status = '', location = '' } = {}) {
  return Boolean(queryWords(query).length || system || status || location);
}

/**
 * The devices matching a query and filters. Every word of the query must occur in one of the
 * searched fields (name, asset number, brand, model, serial number, manufacturer, location
 * name). With a query, the best matches come first: an asset or serial number equal to the
 * whole query, then one starting with it, then a name starting with it, then the rest, each
 * group in the register's order. Without a query, the register's order is kept.
 * @param {SearchIndex} index
 * @param {{query?: string, system?: string, status?: string, location?: string}} criteria
 * @returns {{items: object[], count: number, ranked: boolean, perLocation: Map<string, number>}}
 */
export function search(index, { query = '', system = '', status = '', location = '' } = {}) {
  const words = queryWords(query);
  const whole = words.join('');
  const tiers = [[], [], [], []];
  const perLocation = new Map();
  for (const entry of index.entries) {
    if (system && entry.system !== system) continue;
    if (status && entry.status !== status) continue;
    if (location && entry.location !== (location === NO_LOCATION ? '' : location)) continue;
    let ok = true;
    for (const word of words) {
      if (!entry.hay.includes(word)) { ok = false; break; }
    }
    if (!ok) continue;
    perLocation.set(entry.location, (perLocation.get(entry.location) || 0) + 1);
    if (!words.length) tiers[3].push(entry.item);
    else tiers[tierOf(entry, whole)].push(entry.item);
  }
  const items = tiers[0].length || tiers[1].length || tiers[2].length
    ? tiers.flat() : tiers[3];
  return { items, count: items.length, ranked: words.length > 0, perLocation };
}

function tierOf(entry, whole) {
  if (entry.code === whole || entry.serial === whole) return 0;
  if ((entry.code && entry.code.startsWith(whole)) || (entry.serial && entry.serial.startsWith(whole))) return 1;
  if (entry.name.startsWith(whole)) return 2;
  return 3;
}

/**
 * How many devices of the index have each value of a field (for "Faulty (12)" in a filter).
 * @param {SearchIndex} index
 * @param {'system'|'status'|'location'} field
 * @returns {Map<string, number>}
 */
export function countBy(index, field) {
  const counts = new Map();
  for (const entry of index.entries) counts.set(entry[field], (counts.get(entry[field]) || 0) + 1);
  return counts;
}
