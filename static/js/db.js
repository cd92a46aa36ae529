/**
 * The device's store: the only module that touches IndexedDB.
 *
 * Stores (schema version 1):
 * - meta     {key, value}: "session" (the user signed in on this device) and "user:<id>"
 *            (client_id, client_seq counter, cursor, epoch, last_seq, last_sync_at)
 * - records  [user_id, entity, id] -> {version, server, server_deleted, local, site_id, pending}
 * - outbox   [client_id, client_seq] -> a mutation the user still has to see through:
 *            status pending | needs_attention | conflict
 * - acked    [client_id, client_seq] -> every mutation the server answered, kept 30 days so a
 *            server restored from a backup can be given back what it lost (epoch)
 * - blobs    id -> attachment bytes and upload progress, until the server has the whole file
 * - drafts   [user_id, key] -> form input as typed
 *
 * Version 2 indexes records by their parent (an answer's round: `parent_id`). Version 3 counts
 * live records per site without reading them: `live_site` is the site of a record that is not
 * deleted (absent otherwise, so the index leaves it out), kept by `indexed()` on every write.
 *
 * Every write that matters (an edit with its outbox entry, an answer, a pull page with its
 * cursor) is one transaction; nothing here awaits the network inside a transaction.
 */

import {
  entryAfter, exactData, parentOf, pulledRecord, rebase, serverAfter, siteOf,
} from './records.js';

const NAME = 'rounds';
const VERSION = 3;
const ACKED_DAYS = 30;
const DAY_MS = 86_400_000;
const ALL = ['meta', 'records', 'outbox', 'acked', 'blobs', 'drafts'];

function upgrade(db, oldVersion, tx) {
  if (oldVersion < 1) {
    db.createObjectStore('meta', { keyPath: 'key' });
    const records = db.createObjectStore('records', { keyPath: ['user_id', 'entity', 'id'] });
    records.createIndex('by_site', ['user_id', 'site_id']);
    records.createIndex('by_entity', ['user_id', 'entity']);
    const outbox = db.createObjectStore('outbox', { keyPath: ['client_id', 'client_seq'] });
    outbox.createIndex('mutation_id', 'mutation_id', { unique: true });
    outbox.createIndex('by_record', ['client_id', 'entity', 'id']);
    outbox.createIndex('by_author', 'author');
    const acked = db.createObjectStore('acked', { keyPath: ['client_id', 'client_seq'] });
    acked.createIndex('mutation_id', 'mutation_id', { unique: true });
    acked.createIndex('acked_at', 'acked_at');
    const blobs = db.createObjectStore('blobs', { keyPath: 'id' });
    blobs.createIndex('by_owner', ['user_id', 'owner_id']);
    blobs.createIndex('by_user', 'user_id');
    db.createObjectStore('drafts', { keyPath: ['user_id', 'key'] });
  }
  if (oldVersion < 2) {
    // Answers are listed per round; no answer existed before version 2, so none is unindexed.
    tx.objectStore('records').createIndex('by_parent', ['user_id', 'parent_id']);
  }
  if (oldVersion < 3) {
    const records = tx.objectStore('records');
    records.createIndex('by_live_site', ['user_id', 'entity', 'live_site']);
    records.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      cursor.update(indexed(cursor.value));
      cursor.continue();
    };
  }
  // if (oldVersion < 4) { ... } — add steps here; never edit a step once released.
}

function request(req) {
  const answer = new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  // A failed request aborts its transaction, and run() reports that. Requests issued together
  // (applyPage) can fail after their caller stopped listening: no "unhandled rejection" then.
  answer.catch(() => {});
  return answer;
}

function openConnection(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, VERSION);
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion, req.transaction);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => console.warn('database upgrade waits for another tab to close');
  });
}

const range = (prefix) => IDBKeyRange.bound(prefix, [...prefix, []]);

/** One transaction's stores, promise-shaped. Private: only this module sees IndexedDB. */
class Tx {
  constructor(tx) { this.tx = tx; }
  get(store, key) { return request(this.tx.objectStore(store).get(key)); }
  getAll(store, query, index) {
    const source = this.tx.objectStore(store);
    return request((index ? source.index(index) : source).getAll(query));
  }
  byIndex(store, index, key) { return request(this.tx.objectStore(store).index(index).get(key)); }
  put(store, value) { return request(this.tx.objectStore(store).put(value)); }
  delete(store, key) { return request(this.tx.objectStore(store).delete(key)); }
  /**
   * Add a value unless its key exists: resolves true when added, false when the key was taken
   * (that error is handled here, so it neither aborts the transaction nor reaches run()).
   */
  addNew(store, value) {
    return new Promise((resolve, reject) => {
      const req = this.tx.objectStore(store).add(value);
      req.onsuccess = () => resolve(true);
      req.onerror = (event) => {
        if (req.error.name !== 'ConstraintError') { reject(req.error); return; }
        event.preventDefault();
        event.stopPropagation();
        resolve(false);
      };
    });
  }
  count(store, query, index) {
    const source = this.tx.objectStore(store);
    return request((index ? source.index(index) : source).count(query));
  }
}

/** The device's database. Reopens by itself when the browser closes the connection. */
export class Database extends EventTarget {
  /** @param {string} [name] */
  constructor(name = NAME) {
    super();
    this.name = name;
    this.connecting = null;
  }

  /** Open (or reopen) the connection. @returns {Promise<IDBDatabase>} */
  connection() {
    if (!this.connecting) {
      this.connecting = openConnection(this.name).then((conn) => {
        // iOS closes connections under memory pressure; a newer tab may want to upgrade.
        conn.onclose = () => { this.connecting = null; };
        conn.onversionchange = () => {
          conn.close();
          this.connecting = null;
          this.dispatchEvent(new Event('versionchange'));
        };
        return conn;
      }, (error) => {
        this.connecting = null;
        throw error;
      });
    }
    return this.connecting;
  }

  async run(stores, mode, work, strict = false) {
    let conn = await this.connection();
    const options = mode === 'readwrite' ? { durability: strict ? 'strict' : 'relaxed' } : undefined;
    let tx;
    try {
      tx = conn.transaction(stores, mode, options);
    } catch (error) {
      if (error.name !== 'InvalidStateError') throw error;
      this.connecting = null; // closed under us: reopen once
      conn = await this.connection();
      tx = conn.transaction(stores, mode, options);
    }
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new DOMException('Transaction aborted', 'AbortError'));
    });
    let result;
    try {
      result = await work(new Tx(tx));
    } catch (error) {
      done.catch(() => {});
      try { tx.abort(); } catch { /* already finished */ }
      throw error;
    }
    await done;
    return result;
  }

  // --- meta -----------------------------------------------------------------------------------

  /** @returns {Promise<any>} */
  async getMeta(key) {
    const row = await this.run(['meta'], 'readonly', (tx) => tx.get('meta', key));
    return row ? row.value : undefined;
  }

  /** @returns {Promise<void>} */
  setMeta(key, value) {
    return this.run(['meta'], 'readwrite', (tx) => tx.put('meta', { key, value }), true);
  }

  /**
   * The sync state of one user on this device, made on first use: a client_id of its own and
   * a client_seq counter that never goes back.
   * @param {string} userId
   * @returns {Promise<{client_id:string, client_seq:number, cursor:string|null,
   *   epoch:string|null, last_seq:number|null, last_sync_at:number|null}>}
   */
  ensureUser(userId) {
    return this.run(['meta'], 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      if (row) return row.value;
      const value = {
        client_id: crypto.randomUUID(), client_seq: 0, cursor: null, held: [], epoch: null,
        last_seq: null, last_sync_at: null,
      };
      await tx.put('meta', { key: `user:${userId}`, value });
      return value;
    }, true);
  }

  /** @returns {Promise<object|undefined>} */
  userState(userId) {
    return this.getMeta(`user:${userId}`);
  }

  /** Merge into a user's sync state. @returns {Promise<object>} */
  updateUserState(userId, patch) {
    return this.run(['meta'], 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      const value = { ...(row ? row.value : {}), ...patch };
      await tx.put('meta', { key: `user:${userId}`, value });
      return value;
    }, true);
  }

  /**
   * Make sure the next client_seq is above what the server already holds for this client (a
   * counter that went back would get every new change refused as "seq_reused").
   * @returns {Promise<void>}
   */
  raiseCounter(userId, serverLastSeq) {
    return this.run(['meta'], 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      if (!row || !(serverLastSeq > row.value.client_seq)) return;
      await tx.put('meta', { key: `user:${userId}`, value: { ...row.value, client_seq: serverLastSeq } });
    }, true);
  }

  // --- records --------------------------------------------------------------------------------

  /** Live records of one entity, as the user sees them. @returns {Promise<object[]>} */
  async list(userId, entity) {
    const rows = await this.run(['records'], 'readonly',
      (tx) => tx.getAll('records', IDBKeyRange.only([userId, entity]), 'by_entity'));
    return rows.filter((r) => r.local).map(view);
  }

  /**
   * How many live records of an entity each site holds, and how many of them wait to be sent,
   * without reading the records (the home screen's tiles; a site may hold thousands).
   * @returns {Promise<Map<string, {live: number, pending: number}>>} site id -> counts
   */
  async countBySite(userId, entity, siteIds) {
    return this.run(['meta', 'records', 'outbox'], 'readonly', async (tx) => {
      const counts = new Map();
      const [row, ...live] = await Promise.all([
        tx.get('meta', `user:${userId}`),
        ...siteIds.map((siteId) => tx.count('records',
          IDBKeyRange.only([userId, entity, String(siteId)]), 'by_live_site')),
      ]);
      siteIds.forEach((siteId, i) => counts.set(String(siteId), { live: live[i], pending: 0 }));
      const state = row && row.value;
      if (!state || !state.client_id) return counts;
      const waiting = (await tx.getAll('outbox', range([state.client_id])))
        .filter((e) => e.entity === entity && e.status === 'pending');
      const ids = [...new Set(waiting.map((e) => e.id))];
      const recs = await Promise.all(ids.map((id) => tx.get('records', [userId, entity, id])));
      for (const rec of recs) {
        const site = rec && rec.local && counts.get(String(rec.site_id));
        if (site && rec.pending) site.pending += 1;
      }
      return counts;
    });
  }

  /** Live records of a site (any entity). @returns {Promise<object[]>} */
  async listSite(userId, siteId) {
    const rows = await this.run(['records'], 'readonly',
      (tx) => tx.getAll('records', IDBKeyRange.only([userId, siteId]), 'by_site'));
    return rows.filter((r) => r.local).map(view);
  }

  /** Live records that belong to another (the answers of a round). @returns {Promise<object[]>} */
  async children(userId, parentId) {
    const rows = await this.run(['records'], 'readonly',
      (tx) => tx.getAll('records', IDBKeyRange.only([userId, String(parentId)]), 'by_parent'));
    return rows.filter((r) => r.local).map(view);
  }

  /** One record with its bookkeeping (version, server, pending). @returns {Promise<object|undefined>} */
  record(userId, entity, id) {
    return this.run(['records'], 'readonly', (tx) => tx.get('records', [userId, entity, id]));
  }

  // --- edits and the outbox -------------------------------------------------------------------

  /**
   * Save an edit: the record's local copy, its outbox entries (client_seq taken from the
   * user's counter in the same transaction), attachment bytes, and the draft removed — all or
   * nothing, flushed to disk before this resolves.
   * @param {string} userId
   * @param {{mutations: object[], blobs?: object[], draftKey?: string,
   *   supersedes?: string|string[]}} edit the refused entries `supersedes` names leave the outbox
   * @returns {Promise<object[]>} the outbox entries written
   */
  commitEdit(userId, { mutations, blobs = [], draftKey, supersedes }) {
    return this.run(ALL, 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      if (!row) throw new Error('no sync state for this user');
      const state = row.value;
      const entries = [];
      for (const mutation of mutations) {
        state.client_seq += 1;
        const entry = {
          ...mutation, client_id: state.client_id, client_seq: state.client_seq, author: userId,
          status: 'pending', result: null, attempts: 0, last_error: null, created_at: Date.now(),
        };
        await tx.put('outbox', entry);
        entries.push(entry);
        if (mutation.entity !== 'attachment') await refreshRecord(tx, userId, state.client_id, entry);
      }
      for (const blob of blobs) await tx.put('blobs', { ...blob, user_id: userId });
      if (draftKey) await tx.delete('drafts', [userId, draftKey]);
      for (const mutationId of [].concat(supersedes || [])) await settle(tx, mutationId, 'superseded');
      await tx.put('meta', { key: `user:${userId}`, value: state });
      await dropSentBlobs(tx, userId);
      return entries;
    }, true);
  }

  /** Everything in the user's outbox, oldest first. @returns {Promise<object[]>} */
  async outbox(userId) {
    const state = await this.userState(userId);
    if (!state) return [];
    return this.run(['outbox'], 'readonly',
      (tx) => tx.getAll('outbox', range([state.client_id])));
  }

  /** How many outbox entries other users of this device left behind. @returns {Promise<number>} */
  async othersWaiting(userId) {
    const all = await this.run(['outbox'], 'readonly', (tx) => tx.getAll('outbox'));
    return all.filter((e) => e.author !== userId).length;
  }

  /**
   * What to send, in client_seq order: pending entries and answered ones a restored server
   * needs again. Only this user's: the client_id is theirs and the author is checked too.
   * @returns {Promise<object[]>}
   */
  async sendable(userId, clientId) {
    return this.run(['outbox', 'acked'], 'readonly', async (tx) => {
      const pending = (await tx.getAll('outbox', range([clientId])))
        .filter((e) => e.status === 'pending' && e.author === userId);
      const again = (await tx.getAll('acked', range([clientId])))
        .filter((e) => e.repush && e.author === userId);
      return [...again, ...pending].sort((a, b) => a.client_seq - b.client_seq);
    });
  }

  /** Count a sending attempt, or its failure. @returns {Promise<void>} */
  noteAttempt(entries, lastError = null) {
    return this.run(['outbox'], 'readwrite', async (tx) => {
      for (const e of entries) {
        const entry = await tx.get('outbox', [e.client_id, e.client_seq]);
        if (!entry) continue;
        if (lastError === null) entry.attempts += 1;
        else entry.last_error = lastError;
        await tx.put('outbox', entry);
      }
    });
  }

  /**
   * Apply the server's answers, all in one transaction. Only answers the caller has checked
   * belong to mutations it sent arrive here.
   * @param {string} userId
   * @param {Array<{entry: object, answer: object, raw: object}>} answers
   * @returns {Promise<void>}
   */
  acknowledge(userId, answers) {
    return this.run(ALL, 'readwrite', async (tx) => {
      const now = Date.now();
      const exact = [];
      for (const { entry, answer, raw } of answers) {
        const key = [entry.client_id, entry.client_seq];
        const previous = await tx.get('acked', key);
        const current = await tx.get('outbox', key);
        await tx.put('acked', {
          ...(previous || current || entry), repush: false, status: answer.status, result: raw,
          acked_at: previous ? previous.acked_at : now,
        });
        if (current) {
          await answerOutbox(tx, userId, current, answer, raw);
          // Its data is now the record's server copy: the next pulls are asked not to echo it.
          if (current.entity !== 'attachment' && exactData(answer)) exact.push(answer.server_seq);
        }
        else if (answer.status === 'rejected' && previous && !previous.discarded
          && previous.status !== 'rejected') {
          // Re-sent after a restore and now refused: the user must see it again.
          await tx.put('outbox', needsAttention(previous, answer, raw));
        }
        if (entry.entity === 'attachment' && answer.status !== 'rejected') {
          const blob = await tx.get('blobs', entry.id);
          if (blob && !blob.acked) await tx.put('blobs', { ...blob, acked: true });
        }
      }
      if (exact.length) {
        const row = await tx.get('meta', `user:${userId}`);
        if (row) {
          const held = [...(row.value.held || []), ...exact];
          await tx.put('meta', { key: `user:${userId}`, value: { ...row.value, held } });
        }
      }
      await dropSentBlobs(tx, userId);
    }, true);
  }

  /**
   * Discard one refused change, on the user's explicit request: it leaves the outbox (and its
   * photo bytes, for an attachment); its entry in the answered log stays, marked discarded.
   * @returns {Promise<boolean>} whether something was discarded
   */
  discard(mutationId) {
    return this.run(ALL, 'readwrite', async (tx) => {
      const entry = await tx.byIndex('outbox', 'mutation_id', mutationId);
      if (!entry || entry.status !== 'needs_attention') return false;
      await settle(tx, mutationId, 'discarded');
      if (entry.entity === 'attachment') await tx.delete('blobs', entry.id);
      await dropSentBlobs(tx, entry.author);
      return true;
    }, true);
  }

  /**
   * Send refused changes again, on the user's request (the cause was fixed in the office):
   * each becomes a new mutation — a new id and the next client_seq, in the order they were
   * made — with the same record, operation and changes; the refused one leaves the outbox and
   * stays in the answered log, marked `resent`. The record's copy shows the change again.
   * @param {string} userId
   * @param {string[]} mutationIds
   * @returns {Promise<object[]>} the new outbox entries
   */
  resend(userId, mutationIds) {
    return this.run(ALL, 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      if (!row) throw new Error('no sync state for this user');
      const state = row.value;
      const wanted = new Set(mutationIds);
      const refused = (await tx.getAll('outbox', range([state.client_id])))
        .filter((e) => wanted.has(e.mutation_id) && e.status === 'needs_attention' && e.author === userId);
      const entries = [];
      for (const old of refused) {
        await settle(tx, old.mutation_id, 'resent');
        state.client_seq += 1;
        const entry = {
          ...old, mutation_id: crypto.randomUUID(), client_seq: state.client_seq, status: 'pending',
          result: null, attempts: 0, last_error: null, repush: false, resent_from: old.mutation_id,
          client_time: new Date().toISOString(),
        };
        await tx.put('outbox', entry);
        entries.push(entry);
        if (entry.entity !== 'attachment') await refreshRecord(tx, userId, state.client_id, entry);
      }
      await tx.put('meta', { key: `user:${userId}`, value: state });
      return entries;
    }, true);
  }

  /**
   * What a file export of some outbox entries holds: the entries, the records they change as
   * this device holds them (a round with its answers and faults), and the attachment bytes
   * still on the device that belong to those records (photos, the client's signature).
   * @param {string} userId
   * @param {string[]} mutationIds
   * @returns {Promise<{entries: object[], records: object[], blobs: object[]}>}
   */
  exportable(userId, mutationIds) {
    return this.run(['meta', 'records', 'outbox', 'blobs'], 'readonly', async (tx) => {
      const wanted = new Set(mutationIds);
      const entries = (await outboxOf(tx, userId)).filter((e) => wanted.has(e.mutation_id));
      const owners = new Set();
      const keys = new Map();
      const add = (entity, id) => { if (id) keys.set(`${entity}|${id}`, [userId, entity, String(id)]); };
      for (const e of entries) {
        const owner = e.entity === 'attachment' ? e.changes?.owner_id
          : e.entity === 'round' ? e.id : e.changes?.round_id;
        if (e.entity === 'attachment') add(e.changes?.owner_entity, owner);
        else add(e.entity, e.id);
        if (owner) { owners.add(String(owner)); add('round', owner); }
      }
      const children = [];
      for (const owner of owners) {
        children.push(...await tx.getAll('records', IDBKeyRange.only([userId, owner]), 'by_parent'));
      }
      const faults = (await tx.getAll('records', IDBKeyRange.only([userId, 'fault']), 'by_entity'))
        .filter((r) => owners.has(String((r.local || r.server || {}).round_id)));
      const held = (await Promise.all([...keys.values()].map((k) => tx.get('records', k)))).filter(Boolean);
      const records = [...held, ...children, ...faults].map(({ user_id, ...rec }) => rec);
      const blobs = [];
      for (const owner of owners) blobs.push(...await tx.getAll('blobs', IDBKeyRange.only([userId, owner]), 'by_owner'));
      for (const e of entries) {
        if (e.entity === 'attachment' && !owners.has(String(e.changes?.owner_id))) {
          const blob = await tx.get('blobs', e.id);
          if (blob) blobs.push(blob);
        }
      }
      return { entries, records, blobs };
    });
  }

  // --- pull -----------------------------------------------------------------------------------

  /**
   * Apply one page of changes and save its cursor in the same transaction: a crash between
   * the two repeats the page instead of skipping it.
   *
   * Records of `removed_sites` are deleted (never outbox entries), and so is a record whose
   * change says `moved` (it left the user's sites; a later change in the page may bring it
   * back). A change older than the
   * copy held is ignored; otherwise the server's data becomes the record's base and its
   * pending outbox entries are laid on top again (a rebase). A page is hundreds of records,
   * so the requests are not awaited one by one: everything the page needs is read at once
   * (the records, the user's outbox in one getAll), the new copies are worked out in memory,
   * in page order, and written with one put per record. Requests in one transaction run in
   * the order they are made, so reads made after those puts see them.
   * @param {string} userId
   * @param {{changes: object[], cursor: string|null, epoch?: string, last_seq?: number|null,
   *   removed_sites?: string[]}} page
   * @returns {Promise<void>}
   */
  applyPage(userId, page) {
    return this.run(['meta', 'records', 'outbox'], 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      const state = row.value;
      const removedReads = (page.removed_sites || []).map((siteId) =>
        tx.getAll('records', IDBKeyRange.only([userId, String(siteId)]), 'by_site'));
      const outboxRead = tx.getAll('outbox', range([state.client_id]));
      const [removed, outbox] = await Promise.all([Promise.all(removedReads), outboxRead]);
      const pending = pendingByRecord(outbox);
      const gone = removed.flat();
      // A removed site's records go first, so a change in the same page starts afresh.
      const writes = gone.map((rec) => tx.delete('records', [userId, rec.entity, rec.id]));

      // Most of a large page is new to the device (a first pull, a newly assigned site): add
      // those without reading. Only records already held are read, merged and put, in page
      // order (a record twice in a page builds on its first copy; requests run in order).
      const firsts = new Set();
      const adds = page.changes.map((change) => {
        const key = recordKey(change.entity, change.id);
        if (firsts.has(key)) return false;
        firsts.add(key);
        if (change.moved) return false; // dropped below, in page order
        const fresh = pulledRecord(blankRecord(userId, change.entity, change.id), change,
          pending.get(key) || []);
        return tx.addNew('records', indexed(fresh));
      });
      const added = await Promise.all(adds);
      const rest = page.changes.filter((_, i) => !added[i]);
      const held = await Promise.all(rest.map((c) => tx.get('records', [userId, c.entity, c.id])));
      const current = new Map();
      const changed = new Map(); // recordKey -> the new copy, or null to drop it
      const keys = new Map();
      rest.forEach((change, i) => {
        const key = recordKey(change.entity, change.id);
        const rec = current.has(key) ? current.get(key) : held[i];
        if (rec && change.version < rec.version) return; // older than what we hold
        keys.set(key, [userId, change.entity, change.id]);
        if (change.moved) {
          current.set(key, null);
          changed.set(key, null);
          return;
        }
        const next = pulledRecord(rec || blankRecord(userId, change.entity, change.id),
          change, pending.get(key) || []);
        current.set(key, next);
        changed.set(key, next);
      });
      const resolved = page.changes.some((change) => change.entity === 'conflict'
        && (change.deleted || change.data?.status !== 'open'));

      state.cursor = page.cursor ?? state.cursor;
      // Past the end, every held change number was passed; a dropped site must come back
      // whole if it returns, so a later page may not skip anything of it.
      if (!page.has_more || (page.removed_sites || []).length) state.held = [];
      if (page.epoch) state.epoch = page.epoch;
      if (page.last_seq !== undefined) state.last_seq = page.last_seq;
      // Puts, then settleConflicts' reads, which must see them.
      for (const [key, rec] of changed) {
        writes.push(rec ? tx.put('records', indexed(rec)) : tx.delete('records', keys.get(key)));
      }
      writes.push(tx.put('meta', { key: `user:${userId}`, value: state }));
      if (resolved) writes.push(settleConflicts(tx, userId, outbox));
      await Promise.all(writes);
    }, true);
  }

  /**
   * The server's history changed (restored from a backup): start pulling from the beginning
   * and send again what it lost — every answered mutation above its last_seq.
   * @returns {Promise<number>} how many mutations will be sent again
   */
  startEpoch(userId, epoch, lastSeq) {
    return this.run(['meta', 'acked', 'records'], 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      const state = { ...row.value, epoch, cursor: null, held: [], last_seq: lastSeq ?? 0 };
      // The restored server is the truth again, even where its versions went back.
      for (const rec of await tx.getAll('records', range([userId]))) {
        if (rec.version) await tx.put('records', { ...rec, version: 0 });
      }
      let count = 0;
      for (const entry of await tx.getAll('acked', range([state.client_id]))) {
        if (entry.client_seq > (lastSeq ?? 0)) {
          await tx.put('acked', { ...entry, repush: true });
          count += 1;
        }
      }
      await tx.put('meta', { key: `user:${userId}`, value: state });
      return count;
    }, true);
  }

  /** Forget answered mutations older than 30 days. @returns {Promise<void>} */
  pruneAcked() {
    const before = Date.now() - ACKED_DAYS * DAY_MS;
    return this.run(['acked'], 'readwrite', async (tx) => {
      for (const entry of await tx.getAll('acked', IDBKeyRange.upperBound(before), 'acked_at')) {
        if (!entry.repush) await tx.delete('acked', [entry.client_id, entry.client_seq]);
      }
    });
  }

  // --- blobs ----------------------------------------------------------------------------------

  /** Attachment bytes kept for a record. @returns {Promise<object[]>} */
  blobsOf(userId, ownerId) {
    return this.run(['blobs'], 'readonly',
      (tx) => tx.getAll('blobs', IDBKeyRange.only([userId, ownerId]), 'by_owner'));
  }

  /**
   * Every attachment of the user still on the device: those to upload, and those the server
   * has (`uploaded`) but a change waiting here still refers to. @returns {Promise<object[]>}
   */
  blobs(userId) {
    return this.run(['blobs'], 'readonly', (tx) => tx.getAll('blobs', IDBKeyRange.only(userId), 'by_user'));
  }

  /** How many attachments still have their bytes only here. @returns {Promise<number>} */
  async countBlobs(userId) {
    return (await this.blobs(userId)).filter((b) => !b.uploaded).length;
  }

  /**
   * The server holds the whole file: forget the bytes, unless a change waiting in the outbox
   * (a refused signing, a refused answer) still refers to them — they stay with it, so that
   * it can be exported or signed again without losing the picture.
   * @returns {Promise<void>}
   */
  finishUpload(userId, id) {
    return this.run(['meta', 'outbox', 'blobs'], 'readwrite', async (tx) => {
      const blob = await tx.get('blobs', id);
      if (!blob) return;
      const waiting = await outboxOf(tx, userId);
      if (waiting.some((entry) => refersTo(entry, id))) {
        await tx.put('blobs', { ...blob, uploaded: true, received: blob.size, upload_error: null });
      } else {
        await tx.delete('blobs', id);
      }
    }, true);
  }

  /** Remember how far an upload got. @returns {Promise<void>} */
  setUploaded(id, received, error = null) {
    return this.run(['blobs'], 'readwrite', async (tx) => {
      const blob = await tx.get('blobs', id);
      if (blob) await tx.put('blobs', { ...blob, received, started: true, upload_error: error });
    });
  }

  /** Delete bytes the server has completely. @returns {Promise<void>} */
  dropBlob(id) {
    return this.run(['blobs'], 'readwrite', (tx) => tx.delete('blobs', id), true);
  }

  // --- drafts ---------------------------------------------------------------------------------

  /** @returns {Promise<object|undefined>} */
  async draft(userId, key) {
    const row = await this.run(['drafts'], 'readonly', (tx) => tx.get('drafts', [userId, key]));
    return row ? row.value : undefined;
  }

  /** Keep form input as typed. @returns {Promise<void>} */
  saveDraft(userId, key, value) {
    return this.run(['drafts'], 'readwrite',
      (tx) => tx.put('drafts', { user_id: userId, key, value, saved_at: Date.now() }));
  }

  /** @returns {Promise<void>} */
  dropDraft(userId, key) {
    return this.run(['drafts'], 'readwrite', (tx) => tx.delete('drafts', [userId, key]), true);
  }

  /** @returns {Promise<object[]>} */
  drafts(userId) {
    return this.run(['drafts'], 'readonly', (tx) => tx.getAll('drafts', range([userId])));
  }

  // --- signing out ----------------------------------------------------------------------------

  /**
   * Remove one user's records, drafts and bytes from this device; other users' data is not
   * touched. With `discard`, their unsent changes go too (logged as discarded); if any of them
   * never reached the server, the user gets a new client_id, because the server would wait
   * forever for the client_seq numbers that will now never come.
   * @param {string} userId
   * @param {{discard?: boolean}} [options]
   * @returns {Promise<void>}
   */
  forgetUser(userId, { discard = false } = {}) {
    return this.run(ALL, 'readwrite', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      const state = row ? { ...row.value, cursor: null, held: [] } : null;
      const unsent = state ? await tx.getAll('outbox', range([state.client_id])) : [];
      const bytes = await tx.count('blobs', IDBKeyRange.only(userId), 'by_user');
      if ((unsent.length || bytes) && !discard) throw new Error('unsent changes');
      for (const rec of await tx.getAll('records', range([userId]))) {
        await tx.delete('records', [userId, rec.entity, rec.id]);
      }
      for (const d of await tx.getAll('drafts', range([userId]))) await tx.delete('drafts', [userId, d.key]);
      for (const b of await tx.getAll('blobs', IDBKeyRange.only(userId), 'by_user')) await tx.delete('blobs', b.id);
      let neverSent = false;
      for (const e of unsent) {
        const key = [e.client_id, e.client_seq];
        const logged = await tx.get('acked', key);
        if (!logged) neverSent = true;
        await tx.put('acked', { ...(logged || e), discarded: true, acked_at: logged ? logged.acked_at : Date.now() });
        await tx.delete('outbox', key);
      }
      if (state) {
        if (neverSent) Object.assign(state, { client_id: crypto.randomUUID(), client_seq: 0, last_seq: null });
        await tx.put('meta', { key: `user:${userId}`, value: state });
      }
      const session = await tx.get('meta', 'session');
      if (session && session.value && session.value.id === userId) await tx.delete('meta', 'session');
    }, true);
  }

  // --- the equipment register (views/equipment.js): read-only, one transaction each ---------

  /**
   * Live records that belong to any of several parents (the answers of some rounds), read in
   * one transaction. @returns {Promise<object[]>}
   */
  async childrenOf(userId, parentIds) {
    const ids = [...new Set(parentIds.map(String))];
    if (!ids.length) return [];
    const rows = await this.run(['records'], 'readonly', (tx) => Promise.all(ids.map((id) =>
      tx.getAll('records', IDBKeyRange.only([userId, id]), 'by_parent'))));
    return rows.flat().filter((r) => r.local).map(view);
  }

  /**
   * This device's own changes to one record: those still in the outbox (any status) and those
   * the server answered in the last 30 days, oldest first.
   * @returns {Promise<{waiting: object[], answered: object[]}>}
   */
  editsOf(userId, entity, id) {
    return this.run(['meta', 'outbox', 'acked'], 'readonly', async (tx) => {
      const row = await tx.get('meta', `user:${userId}`);
      if (!row) return { waiting: [], answered: [] };
      const clientId = row.value.client_id;
      const [waiting, acked] = await Promise.all([
        tx.getAll('outbox', IDBKeyRange.only([clientId, entity, id]), 'by_record'),
        tx.getAll('acked', range([clientId])),
      ]);
      const answered = acked.filter((e) => e.entity === entity && e.id === id && e.author === userId
        && !e.discarded && !e.superseded && !e.resent);
      return { waiting: waiting.filter((e) => e.author === userId), answered };
    });
  }
}

// --- helpers that run inside a transaction ------------------------------------------------------

/** A record as stored: `live_site` set while it is live and has a site (see `countBySite`). */
function indexed(rec) {
  if (rec.local && rec.site_id) rec.live_site = rec.site_id;
  else delete rec.live_site;
  return rec;
}

function view(rec) {
  return { ...rec.local, id: rec.id, _pending: rec.pending, _version: rec.version };
}

/** A record the device has no copy of yet. */
function blankRecord(userId, entity, id) {
  return {
    user_id: userId, entity, id, version: 0,
    server: null, server_deleted: false, local: null, site_id: null, parent_id: null, pending: 0,
  };
}

/** A record's identity within one user's records, as a Map key. */
function recordKey(entity, id) {
  return JSON.stringify([entity, id]);
}

async function pendingFor(tx, clientId, entity, id) {
  const entries = await tx.getAll('outbox', IDBKeyRange.only([clientId, entity, id]), 'by_record');
  return entries.filter((e) => e.status === 'pending');
}

/**
 * The pending entries of an outbox (one client_id's entries, in client_seq order) grouped by
 * record: what pendingFor would answer for each record, from one read.
 * @returns {Map<string, object[]>} recordKey -> entries
 */
function pendingByRecord(entries) {
  const byRecord = new Map();
  for (const entry of entries) {
    if (entry.status !== 'pending') continue;
    const key = recordKey(entry.entity, entry.id);
    if (byRecord.has(key)) byRecord.get(key).push(entry);
    else byRecord.set(key, [entry]);
  }
  return byRecord;
}

/** Recompute a record's local copy from its server data and its pending entries. */
async function refreshRecord(tx, userId, clientId, entry, server) {
  const key = [userId, entry.entity, entry.id];
  const rec = (await tx.get('records', key)) || blankRecord(userId, entry.entity, entry.id);
  if (server !== undefined) rec.server = server;
  const pending = await pendingFor(tx, clientId, entry.entity, entry.id);
  rec.pending = pending.length;
  rec.local = rebase(entry.id, rec.server_deleted ? null : rec.server, pending);
  rec.site_id = siteOf(entry.entity, entry.id, rec.local || rec.server) || rec.site_id;
  rec.parent_id = parentOf(entry.entity, rec.local || rec.server) || rec.parent_id || null;
  await tx.put('records', indexed(rec));
  return rec;
}

async function answerOutbox(tx, userId, entry, answer, raw) {
  const key = [entry.client_id, entry.client_seq];
  const after = entryAfter(answer);
  if (after === 'needs_attention') {
    await tx.put('outbox', needsAttention(entry, answer, raw));
  } else if (after === 'conflict') {
    await tx.put('outbox', { ...entry, status: 'conflict', result: raw, last_error: null });
  } else {
    await tx.delete('outbox', key);
  }
  if (entry.entity === 'attachment') return;
  const rec = await tx.get('records', [userId, entry.entity, entry.id]);
  const server = serverAfter(rec ? rec.server : null, entry, answer);
  const updated = await refreshRecord(tx, userId, entry.client_id, entry, server);
  if (Number.isInteger(answer.version) && answer.version > updated.version) {
    updated.version = answer.version;
    await tx.put('records', updated);
  }
}

function needsAttention(entry, answer, raw) {
  const error = answer.error && typeof answer.error === 'object' ? answer.error : {};
  return {
    ...entry, status: 'needs_attention', result: raw, repush: false,
    last_error: typeof error.message === 'string' ? error.message : null,
  };
}

/** The user's outbox entries (their client_id's), read inside a transaction. */
async function outboxOf(tx, userId) {
  const row = await tx.get('meta', `user:${userId}`);
  return row ? tx.getAll('outbox', range([row.value.client_id])) : [];
}

/** Whether an outbox entry refers to an attachment (a signing's signature, an answer's photos). */
function refersTo(entry, attachmentId) {
  const changes = entry.changes || {};
  return changes.signature_id === attachmentId
    || (Array.isArray(changes.photos) && changes.photos.includes(attachmentId));
}

/** Forget the bytes of uploaded attachments no change in the outbox refers to any more. */
async function dropSentBlobs(tx, userId) {
  const kept = (await tx.getAll('blobs', IDBKeyRange.only(userId), 'by_user')).filter((b) => b.uploaded);
  if (!kept.length) return;
  const waiting = await outboxOf(tx, userId);
  for (const blob of kept) {
    if (!waiting.some((entry) => refersTo(entry, blob.id))) await tx.delete('blobs', blob.id);
  }
}

/** Take an entry out of the outbox for good (the user replaced or discarded it). */
async function settle(tx, mutationId, how) {
  const entry = await tx.byIndex('outbox', 'mutation_id', mutationId);
  if (!entry) return;
  const key = [entry.client_id, entry.client_seq];
  const logged = await tx.get('acked', key);
  await tx.put('acked', { ...(logged || entry), [how]: true, acked_at: logged ? logged.acked_at : Date.now() });
  await tx.delete('outbox', key);
}

/**
 * Conflict entries leave the outbox once every conflict they raised is resolved. `entries` is
 * the user's outbox; the conflict records are read here, after the page's puts, so they are
 * read as the page leaves them.
 */
async function settleConflicts(tx, userId, entries) {
  const waiting = entries.filter((e) => e.status === 'conflict');
  const settled = await Promise.all(waiting.map(async (entry) => {
    const ids = ((entry.result && (entry.result.conflicts || entry.result.first?.conflicts)) || [])
      .map((c) => c.id).filter(Boolean);
    const recs = await Promise.all(ids.map((id) => tx.get('records', [userId, 'conflict', String(id)])));
    return recs.every((rec) => rec && !(rec.local && rec.local.status === 'open'));
  }));
  await Promise.all(waiting.filter((_, i) => settled[i])
    .map((entry) => tx.delete('outbox', [entry.client_id, entry.client_seq])));
}
