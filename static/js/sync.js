/**
 * The sync runner (docs/sync-protocol.md): push the outbox in client_seq order, upload
 * attachments, then pull until the server has nothing more. One runner at a time across tabs
 * (navigator.locks). Nothing leaves the outbox unless a well-formed answer lists it.
 */

import { NetworkError } from './api.js';
import { uploadAll } from './attachments.js';
import { effectiveAnswer, heldRanges, isPullAnswer, isPushAnswer } from './records.js';
import { keepFlags } from './attendance.js';
import { keepServerTime } from './checkins.js';

const LOCK = 'rounds-sync';
const BATCH = 500;
const MAX_BODY = 900 * 1024; // the server takes 1 MiB of JSON
// The server's largest page: a phone catching up makes half the requests, and when many phones
// sync at once each waits in the server's queue half as often (bench/README.md, "Pages of 1,000").
const PAGE = 1000;
const EVERY_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 5 * 60_000;
const MAX_ROUND_STEPS = 200;

class Paused extends Error {}
class ServerTrouble extends Error {}

/** Runs sync rounds on triggers and reports its state. */
export class Sync extends EventTarget {
  /**
   * @param {{db: import('./db.js').Database, api: import('./api.js').Api,
   *   session: import('./session.js').Session, outbox: import('./outbox.js').Outbox}} deps
   */
  constructor({ db, api, session, outbox }) {
    super();
    Object.assign(this, { db, api, session, outbox });
    this.running = null;
    this.again = false;
    this.againManual = false;
    this.following = false; // a round just ended and the one asked for during it is next
    this.failures = 0;
    this.retryTimer = null;
    this.lastError = null;
    this.repush = 0;
    this.uploads = 0;
    this.summary = { pending: 0, needsAttention: 0, conflicts: 0, oldestAt: null, others: 0 };
    this.userState = null;
    this.summaryFor = undefined;
  }

  /** Start the triggers: now, on 'online', on becoming visible, every 5 minutes. */
  start() {
    // Other tabs of the app change the same store: redraw when they say so.
    this.channel = 'BroadcastChannel' in self ? new BroadcastChannel('rounds-sync') : null;
    if (this.channel) {
      this.channel.onmessage = () => { this.refresh(); this.dispatchEvent(new Event('pulled')); };
    }
    addEventListener('online', () => this.run({ manual: true }));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.run();
    });
    setInterval(() => this.run(), EVERY_MS);
    this.outbox.addEventListener('change', () => { this.refresh(); this.run(); });
    this.session.addEventListener('change', () => this.refresh());
    this.api.addEventListener('connectivity', () => this.changed());
    this.refresh();
    this.run();
  }

  /**
   * Sync now. Concurrent calls share one round (and ask for one more after it).
   * @param {{manual?: boolean}} [options] a manual sync ignores the backoff delay
   * @returns {Promise<void>}
   */
  run({ manual = false } = {}) {
    if (manual) this.clearRetry();
    else if (this.retryTimer) return this.running || Promise.resolve();
    if (this.running) {
      // Asked while a round runs (the network came back during it): one more round after it,
      // and a manual ask is not swallowed by the backoff that round may leave behind.
      this.again = true;
      this.againManual = this.againManual || manual;
      return this.running;
    }
    this.running = this.withLock(() => this.round()).catch((error) => {
      console.error('sync runner', error);
    }).finally(async () => {
      this.running = null;
      // Still syncing while the counts are read, when a round asked for meanwhile follows: a
      // tap during a round is answered by the next one, and "synced" is not shown in between.
      this.following = this.again && (this.againManual || !this.retryTimer);
      await this.refresh();
      if (this.channel) this.channel.postMessage('synced');
      const manualAgain = this.againManual;
      if (this.again && (manualAgain || !this.retryTimer)) {
        this.again = false;
        this.againManual = false;
        this.run({ manual: manualAgain });
      }
      if (this.following) {
        this.following = false;
        if (!this.running) this.changed(); // the round asked for did not start after all
      }
    });
    this.changed();
    return this.running;
  }

  withLock(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(LOCK, work);
    }
    return work(); // one runner per page at least (the `running` flag)
  }

  async round() {
    const user = this.session.user;
    if (!user || this.session.expired) return;
    try {
      if (!this.api.csrfToken) {
        const status = await this.session.check();
        if (status === 'signed_out') throw new Paused();
        if (status === 'offline') throw new NetworkError(new Error('no session check'));
      }
      const current = this.session.user;
      await this.db.pruneAcked();
      let steps = 0;
      while (steps++ < MAX_ROUND_STEPS) {
        const pushed = await this.push(current.id);
        if (pushed === 'restart') continue;
        await uploadAll(this.db, this.api, current.id);
        if (await this.pull(current.id) === 'restart') continue;
        break;
      }
      await this.db.updateUserState(current.id, { last_sync_at: Date.now() });
      this.failures = 0;
      this.lastError = null;
    } catch (error) {
      if (error instanceof Paused || error.status === 401) {
        this.session.markExpired();
      } else if (error instanceof NetworkError || error instanceof ServerTrouble) {
        this.lastError = error instanceof ServerTrouble ? error.message : null;
        this.scheduleRetry();
      } else {
        console.error('sync round failed', error);
        this.lastError = String(error && error.message ? error.message : error);
        this.scheduleRetry();
      }
    }
  }

  /** Push everything sendable. @returns {Promise<'done'|'restart'>} */
  async push(userId) {
    let limit = BATCH;
    let csrfRetried = false;
    for (;;) {
      const state = await this.db.ensureUser(userId);
      const sendable = await this.db.sendable(userId, state.client_id);
      if (!sendable.length) return 'done';
      const batch = fitBatch(sendable, limit);
      await this.db.noteAttempt(batch);
      const answer = await this.api.post('/api/sync/push', {
        client_id: state.client_id,
        mutations: batch.map(wire),
      }, { timeout: 60_000 });
      if (answer.status === 401) throw new Paused();
      if (answer.status === 413) {
        if (batch.length > 1) { limit = Math.max(1, Math.floor(batch.length / 2)); continue; }
        await this.db.noteAttempt(batch, 'too large');
        throw new ServerTrouble('413');
      }
      if (answer.status === 403) {
        // A stale CSRF token (the session changed or ended): ask who is signed in, once.
        this.api.csrfToken = null;
        if (answer.data?.error?.code === 'csrf' && !csrfRetried) {
          csrfRetried = true;
          const status = await this.session.check();
          if (status === 'signed_out') throw new Paused();
          if (status === 'ok' && this.session.user.id === userId) continue;
        }
        throw new ServerTrouble(messageOf(answer) || 'HTTP 403');
      }
      if (!answer.ok || !answer.isJson || !isPushAnswer(answer.data)) {
        await this.db.noteAttempt(batch, messageOf(answer) || `HTTP ${answer.status}`);
        throw new ServerTrouble(messageOf(answer) || `HTTP ${answer.status}`);
      }
      const body = answer.data;
      const sent = new Map(batch.map((e) => [e.mutation_id.toLowerCase(), e]));
      const answers = [];
      for (const raw of body.results) {
        const entry = sent.get(raw.mutation_id.toLowerCase());
        if (entry) answers.push({ entry, answer: effectiveAnswer(raw), raw });
      }
      if (answers.length) await this.db.acknowledge(userId, answers);
      if (await this.checkEpoch(userId, state, body)) return 'restart';
      if (Number.isInteger(body.last_seq)) await this.db.raiseCounter(userId, body.last_seq);
      if (!answers.length) {
        // The server stopped before our first mutation: it misses earlier ones (a gap).
        throw new ServerTrouble('gap');
      }
    }
  }

  /** Pull until has_more is false. @returns {Promise<'done'|'restart'>} */
  async pull(userId) {
    for (let pages = 0; pages < 10_000; pages++) {
      const state = await this.db.ensureUser(userId);
      const params = new URLSearchParams({ client_id: state.client_id, limit: String(PAGE) });
      if (state.cursor) params.set('cursor', state.cursor);
      if (state.held && state.held.length) params.set('held', heldRanges(state.held));
      const answer = await this.api.get(`/api/sync/pull?${params}`, { timeout: 60_000 });
      if (answer.status === 401) throw new Paused();
      if (answer.status === 422 && answer.data?.error?.code === 'bad_cursor') {
        await this.db.updateUserState(userId, { cursor: null, held: [] }); // the server asks for a fresh start
        continue;
      }
      if (!answer.ok || !answer.isJson || !isPullAnswer(answer.data)) {
        throw new ServerTrouble(messageOf(answer) || `HTTP ${answer.status}`);
      }
      const page = answer.data;
      if (await this.checkEpoch(userId, state, page)) return 'restart';
      await this.db.applyPage(userId, page);
      await keepServerTime(this.db, page.server_time); // a check-in's lower bound
      if (!page.has_more) {
        // The months that ask for an explanation: not part of the protocol; a failure is harmless.
        await keepFlags(this.api, this.db, userId).catch(() => {});
        this.dispatchEvent(new Event('pulled'));
        return 'done';
      }
      this.dispatchEvent(new Event('pulled'));
    }
    return 'done';
  }

  /**
   * A different epoch: the server was restored from a backup. Reset the cursor and mark what
   * it lost for sending again. @returns {Promise<boolean>} whether the round must restart
   */
  async checkEpoch(userId, state, body) {
    if (typeof body.epoch !== 'string' || !body.epoch) return false;
    if (!state.epoch) {
      await this.db.updateUserState(userId, { epoch: body.epoch });
      return false;
    }
    if (state.epoch === body.epoch) return false;
    this.repush = await this.db.startEpoch(userId, body.epoch, body.last_seq ?? 0);
    return true;
  }

  scheduleRetry() {
    this.failures += 1;
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.failures, 20));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2); // jitter: many phones, one server
    this.clearRetry();
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.run(); }, delay);
    this.nextTryAt = Date.now() + delay;
  }

  clearRetry() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextTryAt = null;
  }

  /** Re-read the counts the sync bar shows. @returns {Promise<void>} */
  async refresh() {
    const user = this.session.user;
    const summary = await this.outbox.summary();
    this.summaryFor = user ? user.id : null;
    this.summary = summary;
    this.userState = user ? (await this.db.userState(user.id)) || null : null;
    this.repush = user && this.userState
      ? (await this.db.sendable(user.id, this.userState.client_id)).filter((e) => e.repush).length : 0;
    this.uploads = user ? await this.db.countBlobs(user.id) : 0;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }

  /**
   * A read-only snapshot for the UI and the browser tests.
   * `uploads` counts photos whose bytes are still only on this device.
   * @returns {{pending:number, uploads:number, needsAttention:number, conflicts:number, oldestAt:number|null,
   *   lastSyncAt:number|null, paused:boolean, online:boolean|null, cursor:string|null,
   *   syncing:boolean, lastError:string|null, others:number}}
   */
  state() {
    const user = this.session.user;
    if ((user ? user.id : null) !== this.summaryFor) {
      // Counted for someone else (a sign-in just happened): unknown until refreshed.
      return {
        pending: null, uploads: null, needsAttention: null, conflicts: null, oldestAt: null,
        others: null, lastSyncAt: null, paused: this.session.expired, online: this.api.reachable,
        cursor: null, syncing: Boolean(this.running) || this.following, lastError: this.lastError,
      };
    }
    return {
      pending: this.summary.pending + this.repush,
      uploads: this.uploads,
      needsAttention: this.summary.needsAttention,
      conflicts: this.summary.conflicts,
      oldestAt: this.summary.oldestAt,
      others: this.summary.others,
      lastSyncAt: this.userState ? this.userState.last_sync_at : null,
      paused: this.session.expired,
      online: this.api.reachable,
      cursor: this.userState ? this.userState.cursor : null,
      syncing: Boolean(this.running) || this.following,
      lastError: this.lastError,
    };
  }
}

/** What goes on the wire: the protocol's fields only. */
function wire(entry) {
  const { mutation_id, client_seq, entity, id, op, base_version, changes, client_time } = entry;
  return { mutation_id, client_seq, entity, id, op, base_version, changes, client_time };
}

/** Up to `limit` mutations whose JSON stays under the server's body limit (at least one). */
function fitBatch(entries, limit) {
  const batch = [];
  let bytes = 100;
  for (const entry of entries.slice(0, limit)) {
    const size = new Blob([JSON.stringify(wire(entry))]).size + 1;
    if (batch.length && bytes + size > MAX_BODY) break;
    batch.push(entry);
    bytes += size;
  }
  return batch;
}

function messageOf(answer) {
  const error = answer && answer.data && answer.data.error;
  return error && typeof error.message === 'string' ? error.message : null;
}
