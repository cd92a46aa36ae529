/**
 * THE rule of a stock item's quantity after parts are used, as the server has it
 * (webapp/parts/rules.py; shared cases in tests/part_vectors.json): a use takes what the stock
 * holds, never more; what it did not hold is counted short. Pure: no store, no page.
 */

function whole(value, low, name) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low) {
    throw new RangeError(`${name} must be a whole number of at least ${low}`);
  }
  return value;
}

/**
 * One use of `used` parts from `quantity` in stock.
 * @returns {{taken: number, short: number}}
 */
export function take(quantity, used) {
  whole(quantity, 0, 'quantity');
  whole(used, 1, 'used');
  const taken = Math.min(used, quantity);
  return { taken, short: used - taken };
}

/**
 * The stock left and the shortfall after these uses, one after the other.
 * @param {number} quantity
 * @param {number[]} uses
 * @returns {{left: number, short: number}}
 */
export function stockAfter(quantity, uses) {
  let left = whole(quantity, 0, 'quantity');
  let short = 0;
  for (const used of uses) {
    const one = take(left, used);
    left -= one.taken;
    short += one.short;
  }
  return { left, short };
}
