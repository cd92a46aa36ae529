/**
 * Passkeys on the phone: the Settings card (add, rename, remove one's own) and what a failed
 * ceremony means, in the user's language. The ceremonies themselves are in ../passkeys.js.
 */

import { errorMessage, NetworkError } from '../api.js';
import { maxLength } from '../contract.js';
import { t } from '../i18n.js';
import { createPasskey, PasskeyError, passkeysSupported } from '../passkeys.js';
import { confirmAction, h, replace } from './dom.js';
import { when } from './format.js';

/**
 * Words for a ceremony that failed in the browser, or null when the error is something else.
 * @param {unknown} error
 * @returns {string|null}
 */
export function passkeyProblem(error) {
  if (error instanceof NetworkError) return t('No connection to the server. Passkeys need a connection for this.');
  if (!(error instanceof PasskeyError)) return null;
  return {
    cancelled: t('The passkey request was cancelled or took too long. Try again, or use your password.'),
    exists: t('This device already holds a passkey for your account.'),
    insecure: t('Passkeys only work at the app’s secure address (HTTPS). Ask the office.'),
    unsupported: t('This browser cannot use passkeys. Use your password.'),
    failed: t('The passkey did not work. Try again, or use your password.'),
  }[error.reason] || t('The passkey did not work. Try again, or use your password.');
}

/**
 * The Settings card: this account's passkeys, each named, when added and last used.
 * @param {import('./context.js').Context} ctx
 * @returns {HTMLElement}
 */
export function passkeysCard(ctx) {
  const list = h('ul.rows', { 'data-testid': 'passkeys' });
  const status = h('p.muted', { role: 'status', 'data-testid': 'passkey-status' });
  const name = h('input', { id: 'passkey-name', maxlength: maxLength('passkey', 'name'), value: t('My phone'), autocomplete: 'off' });
  const add = h('button.btn.primary', { type: 'button', 'data-testid': 'add-passkey', onclick: () => run(addPasskey) }, t('Add a passkey'));

  async function run(step) {
    add.disabled = true;
    try {
      await step();
    } catch (error) {
      const words = passkeyProblem(error);
      if (!words) throw error;
      replace(status, words);
    } finally {
      add.disabled = false;
    }
  }

  async function answered(request) {
    const answer = await request();
    if (answer.status === 401) ctx.session.markExpired();
    if (!answer.ok) {
      replace(status, errorMessage(answer) || t('Connect to the network to see them.'));
      return null;
    }
    return answer;
  }

  async function addPasskey() {
    replace(status);
    if (!name.value.trim()) { replace(status, t('Give the passkey a name, e.g. the phone it is on.')); return; }
    const started = await answered(() => ctx.api.post('/api/passkeys/register/options', {}, { timeout: 15_000 }));
    if (!started) return;
    const credential = await createPasskey(started.data.options);
    const saved = await answered(() => ctx.api.post('/api/passkeys/register', {
      ceremony: started.data.ceremony, name: name.value.trim(), credential,
    }, { timeout: 15_000 }));
    if (!saved) return;
    replace(status, t('Passkey added. Next time, sign in with it.'));
    await load();
  }

  async function rename(passkey) {
    const chosen = window.prompt(t('New name for this passkey'), passkey.name);
    if (!chosen || !chosen.trim()) return;
    if (await answered(() => ctx.api.patch(`/api/passkeys/${passkey.id}`, { name: chosen.trim() }, { timeout: 15_000 }))) await load();
  }

  async function remove(passkey) {
    if (!confirmAction(t('Remove the passkey “%(name)s”? It will no longer sign you in.', { name: passkey.name }))) return;
    if (await answered(() => ctx.api.request('DELETE', `/api/passkeys/${passkey.id}`, { timeout: 15_000 }))) {
      replace(status, t('Passkey removed.'));
      await load();
    }
  }

  async function load() {
    let answer;
    try {
      answer = await answered(() => ctx.api.get('/api/passkeys', { timeout: 10_000 }));
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      replace(status, t('Connect to the network to see them.'));
      return;
    }
    if (!answer || !Array.isArray(answer.data)) return;
    replace(list, answer.data.length ? answer.data.map((p) => h('li', { 'data-testid': 'passkey' },
      h('strong', null, p.name), h('br'),
      h('small.muted', null, t('Added %(added)s · last used %(used)s', {
        added: when(Date.parse(p.created_at)), used: when(p.last_used_at ? Date.parse(p.last_used_at) : null),
      })),
      h('div.actions', null,
        h('button.btn.small', { type: 'button', onclick: () => run(() => rename(p)) }, t('Rename')),
        h('button.btn.small.danger', { type: 'button', onclick: () => run(() => remove(p)) }, t('Remove')))))
      : h('li.muted', null, t('No passkeys yet: you sign in with your password.')));
  }

  const card = h('section.card', { 'data-testid': 'passkeys-card' },
    h('h2', null, t('Passkeys')),
    h('p.muted', null, t('A passkey signs you in with this phone’s screen lock, fingerprint or face instead of the password.')),
    list, status);
  if (passkeysSupported()) {
    card.append(h('div.inline-form', null, h('label', { for: 'passkey-name' }, t('Name')), name, add));
  } else {
    card.append(h('p', null, t('This browser cannot use passkeys. Use your password.')));
  }
  load();
  return card;
}
