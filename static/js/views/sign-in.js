/**
 * Signing in inside the app (JSON), for the first start and when a session expired: what is on
 * the device stays, and sync resumes once signed in.
 */

import { t } from '../i18n.js';
import { autofillSupported, PasskeyError, passkeysSupported } from '../passkeys.js';
import { h } from './dom.js';
import { passkeyProblem } from './passkeys.js';

/**
 * @param {import('./context.js').Context} ctx
 * @param {{expired?: boolean}} [options]
 * @returns {HTMLElement}
 */
export function renderSignIn(ctx, { expired = false } = {}) {
  const username = h('input', {
    id: 'si-username', name: 'username', autocomplete: 'username webauthn', required: true,
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
  const passkey = passkeysSupported() ? passkeySignIn(ctx, message, username) : null;
  return h('section.card.narrow', null,
    h('h1', null, t('Sign in')),
    expired ? h('p.notice', null, t('Your sign-in has expired. Everything you entered is kept on this device and will be sent after you sign in.')) : null,
    form, passkey);
}

/**
 * "Sign in with a passkey" (discoverable: no username), and the same offered in the username
 * field's autofill where the browser can (conditional mediation). The password stays beside it.
 */
function passkeySignIn(ctx, message, username) {
  let waiting = null; // the autofill's pending request, aborted before a button press asks
  const done = async (result) => {
    if (result.ok) {
      await ctx.signedIn();
      return;
    }
    message.textContent = result.offline
      ? t('No connection to the server. Signing in needs a connection; your work stays on this device.')
      : result.message || t('The passkey did not work. Try again, or use your password.');
  };
  const attempt = async (how) => {
    try {
      await done(await ctx.session.signInWithPasskey(how));
    } catch (error) {
      if (how.conditional && error instanceof PasskeyError && error.reason === 'cancelled') return;
      const words = passkeyProblem(error);
      if (!words) throw error;
      message.textContent = words;
    }
  };
  const listen = async () => {
    if (!(await autofillSupported()) || !username.isConnected) return;
    waiting = new AbortController();
    const { signal } = waiting;
    await attempt({ conditional: true, signal }); // offered again after the button, not in a loop
  };
  const button = h('button.btn.block', {
    type: 'button', 'data-testid': 'passkey-sign-in',
    onclick: async () => {
      message.textContent = '';
      if (waiting) waiting.abort();
      waiting = null;
      button.disabled = true;
      try {
        await attempt({});
      } finally {
        button.disabled = false;
        listen();
      }
    },
  }, t('Sign in with a passkey'));
  setTimeout(listen, 0); // once the field is on the page
  return h('div.stack', null, h('p.muted.center', null, t('or')), button);
}
