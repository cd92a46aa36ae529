/**
 * The parts around every screen: the navigation and the "update available" bar.
 */

import { t } from '../i18n.js';
import { h, replace } from './dom.js';

/**
 * Draw the navigation links; the outbox link carries how many changes wait or need attention.
 * @param {HTMLElement} el
 * @param {{signedIn: boolean, waiting: number, attention: number, route: string}} state
 */
export function drawNav(el, { signedIn, waiting, attention, route }) {
  if (!signedIn) return replace(el);
  const link = (href, name, label, badge) => h('a', {
    href, 'aria-current': route === name ? 'page' : null,
  }, label, badge ? h('span.nav-badge', { class: attention ? 'alert' : '' }, String(badge)) : null);
  return replace(el,
    link('#/', 'home', t('My sites')),
    link('#/scan', 'scan', t('Scan')),
    link('#/outbox', 'outbox', t('Outbox'), waiting + attention),
    link('#/settings', 'settings', t('Settings')));
}

/**
 * Show or hide the bar that offers a new version; the switch happens only on the user's tap.
 * @param {HTMLElement} el
 * @param {{message: string|null, action: string, onTap: () => void}} state
 */
export function drawUpdateBar(el, { message, action, onTap }) {
  el.hidden = !message;
  if (!message) return replace(el);
  return replace(el, h('span', null, message),
    h('button.btn.small', { type: 'button', onclick: onTap, 'data-testid': 'update' }, action));
}

/** @returns {string} */
export function updateMessage() {
  return t('A new version of the app is ready.');
}

/** @returns {string} */
export function updateAction() {
  return t('Update now');
}
