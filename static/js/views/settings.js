/**
 * Settings and about: who is signed in, on which devices, passkeys, language, storage, install, app
 * version, sign out. Signing out is refused while there is unsent work, unless the user exports
 * it or discards it.
 */

import { errorMessage, NetworkError } from '../api.js';
import { maxLength } from '../contract.js';
import { LOCALES, browserLocale, t, tn } from '../i18n.js';
import { confirmAction, h, replace } from './dom.js';
import { downloadJson, toBase64 } from './download.js';
import { size, when } from './format.js';
import { passkeysCard } from './passkeys.js';
import * as push from '../push.js';

const LANGUAGE_NAMES = { zh_Hans: '简体中文', zh_Hant: '繁體中文', en: 'English' };

/**
 * @param {import('./context.js').Context} ctx
 * @returns {Promise<HTMLElement>}
 */
export async function renderSettings(ctx) {
  const user = ctx.session.user;
  const roles = {
    engineer: t('On-site engineer'), client: t('Client'), dispatcher: t('Dispatcher'), admin: t('Administrator'),
  };
  return h('section.stack', null,
    h('h1', null, t('Settings')),
    h('section.card', null,
      h('h2', null, t('Signed in as %(name)s', { name: user.display_name || user.username })),
      h('p.muted', null, user.username, ' · ', roles[user.role] || user.role)),
    devicesCard(ctx),
    passwordCard(ctx),
    passkeysCard(ctx),
    notifyCard(ctx),
    await languageCard(ctx),
    await storageCard(),
    await aboutCard(ctx),
    await signOutCard(ctx));
}

/**
 * Where this account is signed in (from the server, when it can be reached), and a way to end
 * every sign-in but this one, e.g. after leaving a phone behind. Drawn at once, filled in later.
 */
function devicesCard(ctx) {
  const list = h('ul.rows', { 'data-testid': 'devices' });
  const status = h('p.muted', { role: 'status' });
  const actions = h('div.actions');
  const others = h('button.btn', {
    type: 'button', 'data-testid': 'sign-out-others',
    onclick: async () => {
      if (!confirmAction(t('Sign out every other device? They keep what they have not sent and ask for the password again.'))) return;
      const answer = await ask(() => ctx.api.post('/api/auth/sessions/sign-out-others', {}, { timeout: 15_000 }));
      if (!answer) return;
      replace(status, tn('%(num)d device signed out.', '%(num)d devices signed out.', answer.data.signed_out));
      await load(false);
    },
  }, t('Sign out other devices'));

  async function ask(request) {
    let answer;
    try {
      answer = await request();
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      replace(status, t('Connect to the network to see them.'));
      return null;
    }
    if (answer.status === 401) ctx.session.markExpired();
    if (!answer.ok || !answer.data) {
      replace(status, errorMessage(answer) || t('Connect to the network to see them.'));
      return null;
    }
    return answer;
  }

  async function load(clearStatus = true) {
    const answer = await ask(() => ctx.api.get('/api/auth/sessions', { timeout: 10_000 }));
    if (!answer || !Array.isArray(answer.data)) return;
    if (clearStatus) replace(status);
    replace(list, answer.data.map((s) => h('li', { 'data-testid': s.current ? 'this-device' : 'other-device' },
      h('strong', null, s.device || t('Unknown device')),
      s.current ? h('span.badge', null, t('this device')) : null,
      h('br'),
      h('small.muted', null, t('Last seen %(when)s from %(address)s', {
        when: when(Date.parse(s.last_seen_at)), address: s.address,
      })))));
    replace(actions, answer.data.some((s) => !s.current) ? others : null);
  }

  load();
  return h('section.card', null, h('h2', null, t('Signed-in devices')), list, status, actions);
}

/**
 * Change one's own password: the current one proves it is the owner; every other device is
 * signed out (this one stays). Needs the network: nothing about a password waits in the outbox.
 */
function passwordCard(ctx) {
  const input = (name, autocomplete) => h('input', {
    id: `pw-${name}`, name, type: 'password', autocomplete, required: true,
    maxlength: maxLength('password', name),
  });
  const current = input('current_password', 'current-password');
  const next = input('new_password', 'new-password');
  const errors = { current_password: h('p.error-text'), new_password: h('p.error-text') };
  const status = h('p.muted', { role: 'status', 'data-testid': 'password-status' });
  const submit = async (event) => {
    event.preventDefault();
    for (const el of Object.values(errors)) replace(el);
    let answer;
    try {
      answer = await ctx.api.post('/api/auth/password',
        { current_password: current.value, new_password: next.value }, { timeout: 15_000 });
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      replace(status, t('Connect to the network to change your password.'));
      return;
    }
    if (answer.status === 401) ctx.session.markExpired();
    if (!answer.ok) {
      const fields = (answer.data && answer.data.error && answer.data.error.fields) || {};
      for (const [name, messages] of Object.entries(fields)) {
        if (errors[name]) replace(errors[name], messages.join(' '));
      }
      replace(status, Object.keys(fields).length ? '' : (errorMessage(answer) || t('Something went wrong on this screen.')));
      return;
    }
    current.value = '';
    next.value = '';
    replace(status, t('Password changed.'), ' ', tn('%(num)d device signed out.', '%(num)d devices signed out.', answer.data.signed_out));
  };
  return h('section.card', null,
    h('h2', null, t('Password')),
    h('form.stack', { 'data-testid': 'password-form', onsubmit: submit },
      h('div.field', null, h('label', { for: 'pw-current_password' }, t('Current password')), current, errors.current_password),
      h('div.field', null, h('label', { for: 'pw-new_password' }, t('New password')), next, errors.new_password),
      h('p.muted.small', null, t('Your other devices will be signed out; they keep what they have not sent.')),
      h('button.btn', { type: 'submit' }, t('Change password'))),
    status);
}

/**
 * Notifications on this phone: asked for only when the person taps the button (the browser's
 * permission prompt comes from that tap, never on load); says where things stand; can be
 * turned off. Needs the network (the server keeps the subscription).
 */
function notifyCard(ctx) {
  const status = h('p.muted', { role: 'status', 'data-testid': 'notify-status' });
  const actions = h('div.actions');
  const say = (text) => replace(status, text);

  async function failed(result) {
    if (result.reason === 'denied') say(t('Notifications are blocked for this app. Allow them in the browser’s site settings, then try again.'));
    else if (result.reason === 'refused') say(t('This browser could not reach its push service. Try again when online.'));
    else if (result.answer && result.answer.status === 401) ctx.session.markExpired();
    else say(errorMessage(result.answer) || t('Connect to the network to turn notifications on or off.'));
  }

  async function act(step) {
    for (const button of actions.querySelectorAll('button')) button.disabled = true;
    let result;
    try {
      result = await step(ctx.api);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      result = { ok: false, reason: 'network' };
    }
    if (!result.ok) await failed(result);
    await show(result.ok);
  }

  async function show(clear = true) {
    const allowed = push.permission();
    if (allowed === 'unsupported') {
      say(t('This browser cannot show notifications from the app. Installing it to the home screen usually helps.'));
      replace(actions);
      return;
    }
    const subscription = await push.current().catch(() => null);
    if (clear) {
      say(subscription ? t('This phone is notified: faults assigned to you, clocks near their limit, answers to your leave.')
        : allowed === 'denied' ? t('Notifications are blocked for this app. Allow them in the browser’s site settings, then try again.')
          : t('This phone is not notified.'));
    }
    replace(actions, subscription
      ? h('button.btn', { type: 'button', 'data-testid': 'notify-off', onclick: () => act(push.unsubscribe) }, t('Stop notifications on this phone'))
      : h('button.btn.primary', { type: 'button', 'data-testid': 'notify-on', onclick: () => act(push.subscribe) }, t('Notify me on this phone')));
  }

  show();
  return h('section.card', { 'data-testid': 'notify' }, h('h2', null, t('Notifications')), status, actions);
}

/**
 * The language: "same as this browser" until the person picks one, which is then kept on the
 * account (only a pick is ever saved; an untouched choice leaves the browser in charge).
 */
async function languageCard(ctx) {
  const chosen = await ctx.languageChoice();
  const select = h('select', { id: 'language', 'data-testid': 'language' },
    h('option', { value: '', selected: !chosen },
      t('Same as this browser (%(language)s)', { language: LANGUAGE_NAMES[browserLocale()] })),
    LOCALES.map((code) => h('option', { value: code, selected: code === chosen }, LANGUAGE_NAMES[code])));
  const status = h('p.muted', { role: 'status' });
  const save = async () => {
    const { note, redrawn } = await ctx.chooseLanguage(select.value);
    if (!redrawn) status.textContent = note; // else the new screen shows it
  };
  return h('section.card', null,
    h('h2', null, h('label', { for: 'language' }, t('Language'))),
    h('div.inline-form', null, select, h('button.btn', { type: 'button', onclick: save }, t('Switch'))),
    status);
}

async function storageCard() {
  const storage = navigator.storage;
  const persisted = storage && storage.persisted ? await storage.persisted() : false;
  const estimate = storage && storage.estimate ? await storage.estimate() : null;
  const status = h('p', { 'data-testid': 'persisted' }, persisted
    ? t('Kept: the browser will not clear this app’s data to make room.')
    : t('Not protected: the browser may clear this app’s data when space runs low.'));
  const ask = async () => {
    const granted = storage && storage.persist ? await storage.persist() : false;
    replace(status, granted ? t('Kept: the browser will not clear this app’s data to make room.')
      : t('The browser did not agree. Installing the app to the home screen usually helps.'));
  };
  return h('section.card', null,
    h('h2', null, t('Storage on this device')),
    status,
    !persisted && storage && storage.persist ? h('button.btn', { type: 'button', onclick: ask }, t('Ask to keep the data')) : null,
    estimate ? h('p.muted', null, t('Using %(used)s of %(quota)s', {
      used: size(estimate.usage || 0), quota: size(estimate.quota || 0),
    })) : null);
}

async function aboutCard(ctx) {
  const version = await ctx.worker.version();
  const install = ctx.installPrompt();
  const state = ctx.sync.state();
  return h('section.card', null,
    h('h2', null, t('About this app')),
    h('dl.facts', null,
      h('dt', null, t('Version')), h('dd', { 'data-testid': 'app-version' }, version || t('not installed yet')),
      h('dt', null, t('Last sync')), h('dd', null, when(state.lastSyncAt))),
    install ? h('button.btn.primary', {
      type: 'button',
      onclick: async () => { install.prompt(); await install.userChoice.catch(() => null); ctx.rerender(); },
    }, t('Install on this device')) : null);
}

async function signOutCard(ctx) {
  const userId = ctx.userId();
  const [entries, drafts, blobs] = await Promise.all([
    ctx.outbox.entries(), ctx.db.drafts(userId), ctx.db.blobs(userId),
  ]);
  const unsent = entries.length + drafts.length + blobs.length; // photos not uploaded count too
  const box = h('section.card.danger-zone', { 'data-testid': 'sign-out' }, h('h2', null, t('Sign out')));
  if (!unsent) {
    box.append(h('button.btn.danger', {
      type: 'button',
      onclick: async () => {
        if (confirmAction(t('Sign out? Your sites will be downloaded again when you sign in.'))) await ctx.signOut({});
      },
    }, t('Sign out')));
    return box;
  }
  let exported = false;
  const actions = h('div.actions');
  const exportButton = h('button.btn.primary', {
    type: 'button',
    onclick: () => {
      download(ctx, entries, drafts, blobs);
      exported = true;
      replace(actions, exportButton, keepButton, discardButton);
    },
  }, t('Export unsent changes'));
  const keepButton = h('button.btn', {
    type: 'button',
    onclick: async () => { if (exported) await ctx.signOut({ keep: true }); },
  }, t('Sign out, keep them on this device'));
  const discardButton = h('button.btn.danger', {
    type: 'button',
    onclick: async () => {
      if (confirmAction(tn('Discard %(num)d unsent change and sign out? This cannot be undone.',
        'Discard %(num)d unsent changes and sign out? This cannot be undone.', unsent))) {
        await ctx.signOut({ discard: true });
      }
    },
  }, t('Discard them and sign out…'));
  replace(actions, exportButton, discardButton);
  box.append(
    h('p.error-text', null, tn('%(num)d change has not reached the server yet.',
      '%(num)d changes have not reached the server yet.', unsent)),
    h('p', null, t('Sync first, or export them to a file before signing out.')),
    actions);
  return box;
}

function download(ctx, entries, drafts, blobs) {
  downloadJson(`rounds-unsent-${ctx.session.user.username}`, {
    app: 'Rounds', exported_at: new Date().toISOString(), user: ctx.session.user,
    outbox: entries,
    drafts: drafts.map((d) => ({ key: d.key, saved_at: d.saved_at, values: d.value.values })),
    blobs: blobs.map(({ bytes, ...meta }) => ({ ...meta, base64: toBase64(bytes) })),
  });
}
