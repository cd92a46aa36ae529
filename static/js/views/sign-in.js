/**
 * Signing in inside the app (JSON), for the first start and when a session expired: what is on
 * the device stays, and sync resumes once signed in.
 */

import { t } from '../i18n.js';
import { h } from './dom.js';

/**
 * @param {import('./context.js').Context} ctx
 * @param {{expired?: boolean}} [options]
 * @returns {HTMLElement}
 */
export function renderSignIn(ctx, { expired = false } = {}) {
  const username = h('input', {
    id: 'si-username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', value: ctx.session.user ? ctx.session.user.username : '',
  });
  const password = h('input', { id: 'si-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p.error-text', { role: 'alert' });
  const button = h('button.btn.primary.block', { type: 'submit' }, t('Sign in'));
  const form = h('form.stack', { 'data-testid': 'sign-in' },
    h('label', { for: 'si-username' }, t('Username')), username,
    h('label', { for: 'si-password' }, t('Password')), password,
    message, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    button.disabled = true;
    try {
      const result = await ctx.session.signIn(username.value.trim(), password.value);
      if (result.ok) {
        password.value = '';
        await ctx.signedIn();
        return;
      }
      message.textContent = result.offline
        ? t('No connection to the server. Signing in needs a connection; your work stays on this device.')
        : result.message || t('Wrong username or password.');
    } finally {
      button.disabled = false;
    }
  });
  return h('section.card.narrow', null,
    h('h1', null, t('Sign in')),
    expired ? h('p.notice', null, t('Your sign-in has expired. Everything you entered is kept on this device and will be sent after you sign in.')) : null,
    form);
}
