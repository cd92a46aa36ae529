/**
 * The sync bar, always on screen: connection, what is waiting and since when, when the last
 * sync happened, what needs attention, "Sync now", and "Sign in again" when paused.
 */

import { t, tn } from '../i18n.js';
import { h, replace } from './dom.js';
import { age, when } from './format.js';

/**
 * Keep the bar up to date with the runner's state.
 * @param {HTMLElement} el
 * @param {{sync: import('../sync.js').Sync, onSignIn: () => void, signedIn: () => boolean}} ctx
 */
export function mountSyncBar(el, { sync, onSignIn, signedIn }) {
  const draw = () => {
    el.hidden = !signedIn(); // nothing to sync before anyone has signed in on this device
    replace(el, ...(el.hidden ? [] : content(sync, onSignIn)));
  };
  sync.addEventListener('change', draw);
  setInterval(draw, 30_000); // ages move on by themselves
  draw();
}

function content(sync, onSignIn) {
  const s = sync.state();
  const online = s.online === true;
  const status = s.syncing ? t('Syncing…')
    : s.online === false ? t('Offline') : online ? t('Online') : t('Connecting…');
  const dotClass = s.online === false ? 'off' : online ? 'on' : 'unknown';
  const parts = [
    s.pending ? tn('%(num)d waiting', '%(num)d waiting', s.pending) : null,
    s.pending && s.oldestAt ? t('oldest %(age)s', { age: age(s.oldestAt) }) : null,
    s.uploads ? tn('%(num)d photo to upload', '%(num)d photos to upload', s.uploads) : null,
  ].filter(Boolean);
  const waiting = s.pending === null ? '…' : parts.length ? parts.join(t(', ')) : t('Everything is sent');
  const lines = [
    h('p.sync-line', null,
      h('span.dot', { class: dotClass, 'aria-hidden': 'true' }),
      h('strong', { 'data-testid': 'sync-status' }, status),
      h('span.muted', null, ' · ', t('Last sync %(time)s', { time: when(s.lastSyncAt) }))),
    h('p.sync-line', null,
      h('span', { 'data-testid': 'sync-waiting', class: parts.length ? 'waiting' : '' }, waiting),
      s.needsAttention
        ? h('a.attention', { href: '#/outbox' },
          tn('%(num)d needs attention', '%(num)d need attention', s.needsAttention))
        : null,
      s.conflicts
        ? h('a.attention', { href: '#/outbox' }, tn('%(num)d conflict', '%(num)d conflicts', s.conflicts))
        : null),
  ];
  if (s.lastError && !s.paused && s.online !== false) {
    lines.push(h('p.sync-line.error-text', null, describeError(s.lastError)));
  }
  const actions = s.paused
    ? h('button.btn.primary', { type: 'button', onclick: onSignIn, 'data-testid': 'sign-in-again' },
      t('Sign in again'))
    : h('button.btn.primary', {
      type: 'button', disabled: s.syncing, 'data-testid': 'sync-now',
      onclick: () => sync.run({ manual: true }),
    }, t('Sync now'));
  if (s.paused) lines.push(h('p.sync-line.error-text', null, t('Sign-in expired; nothing is lost.')));
  return [h('div.sync-text', null, ...lines), actions];
}

function describeError(code) {
  if (code === 'gap') return t('The server is missing earlier changes from this device. Ask your dispatcher for help.');
  if (code === '413') return t('A change is too large to send.');
  if (/^HTTP \d+$/.test(code)) return t('The server did not answer properly (%(code)s). Will try again.', { code });
  return code;
}
