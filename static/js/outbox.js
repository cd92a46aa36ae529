/**
 * The outbox: every change the user makes becomes an immutable mutation, written together
 * with the record's local copy (db.commitEdit). A later edit is a new mutation, never a
 * rewrite of one that may already be on its way.
 */

import { changedFields } from './records.js';

/**
 * One mutation as the protocol sends it, plus what the device needs to show it.
 * @typedef {{mutation_id:string, entity:string, id:string, op:'create'|'update'|'delete',
 *   base_version:number, changes:Record<string, any>, client_time:string, label:string,
 *   site_id:string|null}} Mutation
 */

/**
 * Build a mutation.
 * @param {{entity:string, id:string, op:'create'|'update'|'delete', baseVersion?:number,
 *   changes?:Record<string, any>, label?:string, siteId?:string|null}} spec
 * @returns {Mutation}
 */
export function mutation({ entity, id, op, baseVersion = 0, changes = {}, label = '', siteId = null }) {
  return {
    mutation_id: crypto.randomUUID(),
    entity, id, op,
    base_version: op === 'create' ? 0 : baseVersion,
    changes,
    client_time: new Date().toISOString(),
    label,
    site_id: siteId,
  };
}

/** Enqueueing edits and reading the queue for one user. */
export class Outbox extends EventTarget {
  /**
   * @param {import('./db.js').Database} db
   * @param {() => string|null} currentUserId
   */
  constructor(db, currentUserId) {
    super();
    this.db = db;
    this.currentUserId = currentUserId;
  }

  userId() {
    const id = this.currentUserId();
    if (!id) throw new Error('nobody is signed in on this device');
    return id;
  }

  /**
   * Save an edit of an existing record: only the fields that changed, against the version the
   * user started from. Attachments (already scaled and hashed) go in the same transaction.
   * @param {{entity:string, record:{id:string, site_id?:string}, baseVersion:number,
   *   initial:Record<string, any>, values:Record<string, any>, label:string,
   *   attachments?:Array<{mutation: Mutation, blob: object}>, draftKey?:string,
   *   supersedes?:string}} edit
   * @returns {Promise<object[]>} the outbox entries written (none when nothing changed)
   */
  async update({ entity, record, baseVersion, initial, values, label, attachments = [], draftKey, supersedes }) {
    const changes = changedFields(initial, values);
    const mutations = [];
    if (Object.keys(changes).length) {
      mutations.push(mutation({
        entity, id: record.id, op: 'update', baseVersion, changes, label,
        siteId: values.site_id || record.site_id || null,
      }));
    }
    return this.commit(mutations, attachments, draftKey, supersedes);
  }

  /**
   * Save a new record (its id made here, a UUID the server will keep).
   * @param {{entity:string, id:string, values:Record<string, any>, label:string,
   *   attachments?:Array<{mutation: Mutation, blob: object}>, draftKey?:string}} edit
   * @returns {Promise<object[]>}
   */
  async create({ entity, id, values, label, attachments = [], draftKey }) {
    const changes = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const first = mutation({ entity, id, op: 'create', changes, label, siteId: values.site_id || null });
    return this.commit([first], attachments, draftKey);
  }

  /**
   * Delete a record (a tombstone on the server).
   * @returns {Promise<object[]>}
   */
  async remove({ entity, id, baseVersion, label, siteId }) {
    return this.commit([mutation({ entity, id, op: 'delete', baseVersion, label, siteId })]);
  }

  /**
   * Save mutations exactly in the order given (a photo's attachment before the answer that
   * shows it, a signature before the signing), with the attachments' stored bytes.
   * @param {Mutation[]} mutations
   * @param {object[]} [blobs]
   * @param {string} [draftKey]
   * @param {string[]} [supersedes] refused entries these mutations replace (a new signature)
   */
  async commitInOrder(mutations, blobs = [], draftKey, supersedes = []) {
    const entries = await this.db.commitEdit(this.userId(), { mutations, blobs, draftKey, supersedes });
    this.dispatchEvent(new Event('change'));
    return entries;
  }

  async commit(mutations, attachments = [], draftKey, supersedes) {
    const all = [...mutations, ...attachments.map((a) => a.mutation)];
    if (!all.length && !supersedes) {
      if (draftKey) await this.db.dropDraft(this.userId(), draftKey);
      return [];
    }
    const entries = await this.db.commitEdit(this.userId(), {
      mutations: all, blobs: attachments.map((a) => a.blob), draftKey, supersedes,
    });
    this.dispatchEvent(new Event('change'));
    return entries;
  }

  /**
   * Discard a refused change, on the user's explicit request.
   * @param {string} mutationId
   * @returns {Promise<boolean>}
   */
  async discard(mutationId) {
    const done = await this.db.discard(mutationId);
    this.dispatchEvent(new Event('change'));
    return done;
  }

  /**
   * Send refused changes again (new mutations with the same changes), on the user's request.
   * @param {string[]} mutationIds
   * @returns {Promise<object[]>}
   */
  async resend(mutationIds) {
    const entries = await this.db.resend(this.userId(), mutationIds);
    this.dispatchEvent(new Event('change'));
    return entries;
  }

  /**
   * Everything a file export of some entries holds (see db.exportable).
   * @param {string[]} mutationIds
   */
  exportable(mutationIds) {
    return this.db.exportable(this.userId(), mutationIds);
  }

  /**
   * Every entry of the current user, oldest first.
   * @returns {Promise<object[]>}
   */
  async entries() {
    const id = this.currentUserId();
    return id ? this.db.outbox(id) : [];
  }

  /**
   * What the sync bar shows: waiting and refused counts and the age of the oldest waiting.
   * @returns {Promise<{pending:number, needsAttention:number, conflicts:number,
   *   oldestAt:number|null, others:number}>}
   */
  async summary() {
    const id = this.currentUserId();
    if (!id) return { pending: 0, needsAttention: 0, conflicts: 0, oldestAt: null, others: 0 };
    const [entries, others] = await Promise.all([this.db.outbox(id), this.db.othersWaiting(id)]);
    const pending = entries.filter((e) => e.status === 'pending');
    return {
      pending: pending.length,
      needsAttention: entries.filter((e) => e.status === 'needs_attention').length,
      conflicts: entries.filter((e) => e.status === 'conflict').length,
      oldestAt: pending.length ? Math.min(...pending.map((e) => e.created_at)) : null,
      others,
    };
  }
}
