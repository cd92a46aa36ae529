/**
 * Passkeys on the server's pages: "Sign in with a passkey" (and the username field's autofill)
 * on the sign-in page, and the office user's own passkeys on the account page. The pages work
 * without it: the password form is a plain form. Words come translated in data-msg-* attributes.
 */

import {
  autofillSupported, createPasskey, getPasskey, PasskeyError, passkeysSupported,
} from './passkeys.js';

function words(box, error) {
  if (error instanceof PasskeyError) return box.dataset[`msg${error.reason[0].toUpperCase()}${error.reason.slice(1)}`] || box.dataset.msgFailed;
  if (error instanceof TypeError) return box.dataset.msgOffline; // fetch found no server
  return box.dataset.msgFailed;
}

async function send(box, method, url, json) {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': box.dataset.csrf, Accept: 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) {
    const failure = new Error('refused');
    failure.message = (data && data.error && data.error.message) || box.dataset.msgFailed;
    failure.refused = true;
    throw failure;
  }
  return data;
}

function show(target, text) {
  target.textContent = text || '';
  target.hidden = !text;
}

function signInPage(box) {
  const message = box.querySelector('[data-passkey-message]');
  const button = box.querySelector('button');
  let waiting = null;
  const attempt = async (how) => {
    try {
      const started = await send(box, 'POST', '/api/passkeys/sign-in/options', {});
      const credential = await getPasskey(started.options, how);
      await send(box, 'POST', '/api/passkeys/sign-in', { ceremony: started.ceremony, credential });
      window.location.assign(box.dataset.next || '/');
    } catch (error) {
      if (how.conditional && error instanceof PasskeyError && error.reason === 'cancelled') return;
      show(message, error.refused ? error.message : words(box, error));
    }
  };
  const listen = async () => {
    if (!(await autofillSupported())) return;
    waiting = new AbortController();
    attempt({ conditional: true, signal: waiting.signal });
  };
  button.addEventListener('click', async () => {
    show(message, '');
    if (waiting) waiting.abort();
    waiting = null;
    button.disabled = true;
    try { await attempt({}); } finally { button.disabled = false; listen(); }
  });
  box.hidden = false;
  listen();
}

function accountPage(box) {
  const list = box.querySelector('[data-passkey-list]');
  const row = box.querySelector('template[data-passkey-row]');
  const message = box.querySelector('[data-passkey-message]');
  const name = box.querySelector('#passkey-name');
  const add = box.querySelector('[data-passkey-add]');
  const format = (iso) => (iso ? new Date(iso).toLocaleString(document.documentElement.lang) : box.dataset.msgNever);

  const act = async (step) => {
    try { await step(); } catch (error) { show(message, error.refused ? error.message : words(box, error)); }
  };
  const load = async () => {
    const passkeys = await send(box, 'GET', '/api/passkeys');
    list.replaceChildren();
    if (!passkeys.length) {
      const empty = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 4;
      cell.className = 'muted';
      cell.textContent = box.dataset.msgNone;
      empty.append(cell);
      list.append(empty);
    }
    for (const passkey of passkeys) {
      const line = row.content.firstElementChild.cloneNode(true);
      line.dataset.testid = 'passkey';
      line.querySelector('[data-name]').textContent = passkey.name;
      line.querySelector('[data-added]').textContent = format(passkey.created_at);
      line.querySelector('[data-used]').textContent = format(passkey.last_used_at);
      line.querySelector('[data-rename]').addEventListener('click', () => act(async () => {
        const chosen = window.prompt(box.dataset.msgRename, passkey.name);
        if (!chosen || !chosen.trim()) return;
        await send(box, 'PATCH', `/api/passkeys/${passkey.id}`, { name: chosen.trim() });
        await load();
      }));
      line.querySelector('[data-remove]').addEventListener('click', () => act(async () => {
        if (!window.confirm(box.dataset.msgRemove)) return;
        await send(box, 'DELETE', `/api/passkeys/${passkey.id}`);
        show(message, box.dataset.msgRemoved);
        await load();
      }));
      list.append(line);
    }
  };
  add.hidden = !passkeysSupported();
  if (!passkeysSupported()) show(message, box.dataset.msgUnsupported);
  add.addEventListener('click', () => act(async () => {
    show(message, '');
    if (!name.value.trim()) { show(message, box.dataset.msgNameNeeded); return; }
    add.disabled = true;
    try {
      const started = await send(box, 'POST', '/api/passkeys/register/options', {});
      const credential = await createPasskey(started.options);
      await send(box, 'POST', '/api/passkeys/register', { ceremony: started.ceremony, name: name.value.trim(), credential });
      show(message, box.dataset.msgAdded);
      await load();
    } finally {
      add.disabled = false;
    }
  }));
  act(load);
}

const signIn = document.querySelector('[data-passkey-sign-in]');
if (signIn && passkeysSupported()) signInPage(signIn);
const account = document.querySelector('[data-passkey-account]');
if (account) accountPage(account);
