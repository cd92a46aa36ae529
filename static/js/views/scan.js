/**
 * Scanning a QR label (#/scan), and a tag's link opened from the phone's camera app (#/t/<token>,
 * which app.js makes out of /t/<token>). Both read the phone's own store, so they work offline.
 *
 * Every outcome has its own message: the record opens; a code that is not ours; a forged or
 * altered label; a withdrawn label; a tag of a site this phone does not hold; the camera refused
 * or missing. Nothing a label holds can break the screen: it is text, checked and looked up.
 */

import { t } from '../i18n.js';
import { go } from '../router.js';
import { Scanner } from '../scanner.js';
import { openTag, openToken, refreshTagKey } from '../tags.js';
import { h, replace } from './dom.js';

const HINT_AFTER_MS = 6_000; // then say that nothing was found yet, and keep looking
const SAME_CODE_MS = 2_500; // a refused code held in view is not re-read on every frame

/** What to tell the user about a tag that did not open. */
function outcomeMessage(reason, name) {
  switch (reason) {
    case 'not-ours':
      return t('This QR code is not a label of this service.');
    case 'malformed':
    case 'forged':
      return t('This label is damaged or has been altered: it was not issued by your service. Do not trust it, and tell the office.');
    case 'revoked':
      return name
        ? t('This label was withdrawn. Ask the office for a new label for %(name)s.', { name })
        : t('This label was withdrawn. Ask the office for a new label.');
    case 'gone':
      return t('The equipment or location of this label was removed from the register.');
    case 'not-here':
    default:
      return t('What this label belongs to is not on this phone: a site you are not assigned to, or not synced yet. Connect and sync, or ask your dispatcher.');
  }
}

function cameraMessage(problem) {
  switch (problem) {
    case 'denied':
      return t('The camera is blocked for this app. Allow it in the browser: tap the icon next to the address (or open the site settings), set Camera to Allow, then tap Try again.');
    case 'no-camera':
      return t('No camera was found on this device.');
    case 'busy':
      return t('The camera is being used by another app. Close that app, then tap Try again.');
    case 'unsupported':
      return t('This browser cannot use the camera here. Use a current browser and open the app over HTTPS.');
    default:
      return t('The camera could not be started. Tap Try again.');
  }
}

/** The name of what a refused tag points at, when the phone holds it. */
async function targetName(ctx, tag) {
  if (!tag) return null;
  const entity = tag.target_entity === 'location' ? 'location' : 'equipment';
  const rec = await ctx.db.record(ctx.userId(), entity, String(tag.target_id));
  const data = rec && (rec.local || rec.server);
  return data && data.name ? String(data.name) : null;
}

/**
 * The scan screen.
 * @param {import('./context.js').Context} ctx
 * @returns {{el: HTMLElement, leave: () => Promise<void>}}
 */
export function renderScan(ctx) {
  refreshTagKey(ctx).catch(() => false); // online: keep the key current for offline checks
  const video = h('video.scan-video', { autoplay: true, muted: true, playsinline: true, 'data-testid': 'scan-video', 'aria-hidden': 'true' });
  const status = h('p.scan-status', { role: 'status', 'data-testid': 'scan-status', dataset: { state: 'starting' } }, t('Starting the camera…'));
  const result = h('div.scan-result', { 'data-testid': 'scan-result', 'aria-live': 'assertive', hidden: true });
  const torch = h('button.btn.scan-torch', { type: 'button', 'data-testid': 'torch', 'aria-pressed': 'false', hidden: true }, t('Torch'));
  const retry = h('button.btn.primary.block', { type: 'button', 'data-testid': 'scan-retry', hidden: true }, t('Try again'));
  const frame = h('div.scan-frame', null, video, h('div.scan-aim', { 'aria-hidden': 'true' }));
  // The outcome sits above the picture, where it is seen without scrolling.
  const el = h('section.scan', { 'data-testid': 'scan', dataset: { frames: '0' } },
    h('h1', null, t('Scan a label')),
    h('div.scan-tools', null, status, torch), result, retry, frame);

  let left = false;
  let lastCode = null;
  let lastAt = 0;
  let startedAt = 0;
  let handling = false;

  const setStatus = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const showResult = (reason, text) => {
    result.hidden = false;
    result.dataset.reason = reason;
    replace(result, h('p.notice.error', null, text));
  };

  const scanner = new Scanner(video, {
    onFrame(frames) {
      el.dataset.frames = String(frames);
      if (status.dataset.state === 'looking' && performance.now() - startedAt > HINT_AFTER_MS) {
        setStatus('nothing-yet', t('No QR code found yet. Hold the label 10–20 cm from the camera, in good light, and keep it steady.'));
      }
    },
    async onCode(text) {
      const now = performance.now();
      if (handling || (text === lastCode && now - lastAt < SAME_CODE_MS)) return;
      lastCode = text;
      lastAt = now;
      handling = true;
      try {
        const outcome = await openTag(ctx.db, ctx.userId(), text, location.origin);
        if (left) return;
        if (outcome.path) {
          scanner.stop();
          go(outcome.path);
          return;
        }
        showResult(outcome.reason, outcomeMessage(outcome.reason, await targetName(ctx, outcome.tag)));
        setStatus('looking', t('Point the camera at another label.'));
        startedAt = performance.now();
      } finally {
        handling = false;
      }
    },
  });

  async function start() {
    retry.hidden = true;
    setStatus('starting', t('Starting the camera…'));
    const started = await scanner.start();
    if (left) {
      scanner.stop();
      return;
    }
    if (!started.ok) {
      if (started.problem === 'stopped') return;
      setStatus('camera-problem', cameraMessage(started.problem));
      status.dataset.problem = started.problem;
      retry.hidden = false;
      return;
    }
    el.dataset.decoder = started.decoder;
    torch.hidden = !started.torch;
    startedAt = performance.now();
    setStatus('looking', t('Point the camera at the QR label.'));
  }

  torch.addEventListener('click', async () => {
    const on = await scanner.setTorch(!scanner.torchOn);
    torch.setAttribute('aria-pressed', String(on));
  });
  retry.addEventListener('click', () => start());

  // A phone locked or switched to another app releases the camera; it comes back on return.
  const onVisibility = () => {
    if (left) return;
    if (document.hidden) {
      scanner.stop();
      torch.setAttribute('aria-pressed', 'false');
    } else if (status.dataset.state !== 'camera-problem') {
      start();
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  start();

  return {
    el,
    async leave() {
      left = true;
      document.removeEventListener('visibilitychange', onVisibility);
      scanner.stop();
    },
  };
}

/**
 * A tag's link (/t/<token>, from the phone's camera app): open its record, or say why not.
 * @param {import('./context.js').Context} ctx
 * @param {string} token
 * @returns {Promise<HTMLElement>}
 */
export async function renderTagLink(ctx, token) {
  const outcome = await openToken(ctx.db, ctx.userId(), token || '');
  if (outcome.path) {
    // Replace the link in the history: Back then leaves the record instead of reopening it.
    setTimeout(() => go(outcome.path, { replace: true }), 0);
    return h('div.booting', { 'aria-busy': 'true' }, h('span.spinner'));
  }
  return h('section', { 'data-testid': 'tag-link' },
    h('p.crumbs', null, h('a', { href: '#/' }, t('My sites'))),
    h('h1', null, t('QR label')),
    h('div.scan-result', { 'data-testid': 'scan-result', dataset: { reason: outcome.reason } },
      h('p.notice.error', null, outcomeMessage(outcome.reason, await targetName(ctx, outcome.tag)))),
    h('p', null, h('a.btn.block', { href: '#/scan' }, t('Scan a label'))));
}
