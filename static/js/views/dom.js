/**
 * A tiny DOM builder: text always goes in as text nodes, never as HTML, so user data cannot
 * inject markup. No inline style attributes (the CSP forbids them); classes only.
 */

/**
 * Create an element.
 * @param {string} tag e.g. "button.btn.primary" (classes after dots)
 * @param {Record<string, any>|null} [attrs] attributes; `on*` functions become listeners;
 *   `dataset` an object; boolean values toggle the attribute
 * @param {...(Node|string|number|null|undefined|false|Array<any>)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'class') {
      el.className = [el.className, value].filter(Boolean).join(' ');
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else if (key === 'checked' || key === 'selected' || key === 'disabled') {
      el[key] = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replace everything inside an element.
 * @param {Element} el
 * @param {...any} children
 * @returns {Element}
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A tap's work done once however often it is tapped: a double tap, or a second tap on a slow
 * phone while the first is still being saved, would otherwise put the same thing twice in the
 * outbox (two leave requests, a part used twice). While `work` runs, further calls are ignored
 * (a form's submit is still prevented, so the browser does not post the form itself) and the
 * form's buttons are disabled. When `work` answers true it has saved, and the screen is about
 * to be drawn again or left: the handler stays spent. Otherwise (a field to correct, a
 * failure) the next tap runs it again.
 * @template {any[]} A
 * @param {(...args: A) => Promise<boolean|void>} work
 * @returns {(...args: A) => Promise<void>}
 */
export function oneTap(work) {
  let state = 'ready'; // 'working', 'spent'
  return async (...args) => {
    const [event] = args;
    const submit = event instanceof Event && event.type === 'submit';
    if (state !== 'ready') {
      if (submit) event.preventDefault();
      return;
    }
    state = 'working';
    const buttons = submit ? [...event.target.querySelectorAll('button')] : [];
    for (const button of buttons) button.disabled = true;
    try {
      state = (await work(...args)) === true ? 'spent' : 'ready';
    } finally {
      if (state !== 'spent') {
        state = 'ready';
        for (const button of buttons) button.disabled = false;
      }
    }
  };
}

/**
 * Ask before something that cannot be undone.
 * @param {string} question already translated
 * @returns {boolean}
 */
export function confirmAction(question) {
  return window.confirm(question);
}

const ISO_DATE = /\d{4}-\d{2}-\d{2}/g;

/**
 * A text whose calendar dates (YYYY-MM-DD) never break across lines: a narrow column would
 * otherwise split "2024-06-30" at a hyphen.
 * @param {string} text
 * @returns {Array<string|HTMLElement>}
 */
export function keepDates(text) {
  const parts = [];
  let last = 0;
  for (const match of String(text ?? '').matchAll(ISO_DATE)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h('span.date', null, match[0]));
    last = match.index + match[0].length;
  }
  if (last < String(text ?? '').length) parts.push(String(text).slice(last));
  return parts;
}
