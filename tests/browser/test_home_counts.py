"""The home screen counts a site's devices from an index instead of reading them all: the counts
must stay exact through pulls, deletions, edits waiting to be sent, and the upgrade of a device
store written by the previous version of the app (schema 2, no `live_site`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

COUNTS = """async () => {
  const NAME = 'rounds-home-counts';
  await new Promise((resolve) => {
    indexedDB.deleteDatabase(NAME).onsuccess = resolve;
  });
  // The store as version 2 of the app left it: records without live_site.
  const old = await new Promise((resolve, reject) => {
    const open = indexedDB.open(NAME, 2);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore('meta', { keyPath: 'key' });
      const records = db.createObjectStore('records', { keyPath: ['user_id', 'entity', 'id'] });
      records.createIndex('by_site', ['user_id', 'site_id']);
      records.createIndex('by_entity', ['user_id', 'entity']);
      records.createIndex('by_parent', ['user_id', 'parent_id']);
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
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const rec = (id, site, live) => ({
    user_id: 'u1', entity: 'equipment', id, version: 1, server: live ? { id, site_id: site } : null,
    server_deleted: !live, local: live ? { id, site_id: site } : null, site_id: site,
    parent_id: null, pending: 0,
  });
  await new Promise((resolve) => {
    const tx = old.transaction(['records'], 'readwrite');
    for (const r of [rec('a1', 'A', true), rec('a2', 'A', true), rec('a3', 'A', false),
      rec('b1', 'B', true)]) tx.objectStore('records').put(r);
    tx.oncomplete = resolve;
  });
  old.close();

  const { Database } = await import('/static/js/db.js');
  const db = new Database(NAME);
  const counts = async () => Object.fromEntries(
    [...(await db.countBySite('u1', 'equipment', ['A', 'B', 'C']))]);
  const seen = { upgraded: await counts() };
  await db.ensureUser('u1');
  await db.applyPage('u1', { changes: [
    { entity: 'equipment', id: 'c1', version: 2, data: { site_id: 'C' } },
    { entity: 'equipment', id: 'a1', version: 2, deleted: true },
    { entity: 'location', id: 'l1', version: 2, data: { site_id: 'A' } },
  ], cursor: 'x' });
  seen.pulled = await counts();
  await db.commitEdit('u1', { mutations: [
    { mutation_id: crypto.randomUUID(), entity: 'equipment', id: 'b2', op: 'create',
      base_version: 0, changes: { site_id: 'B', name: 'new' } },
    { mutation_id: crypto.randomUUID(), entity: 'equipment', id: 'a2', op: 'delete',
      base_version: 1, changes: {} },
  ] });
  seen.edited = await counts();
  return seen;
}"""


def test_site_tiles_count_devices_exactly_without_reading_them(desktop, live_server):
    desktop.goto(f"{live_server}/static/css/app.css")
    seen = desktop.evaluate(COUNTS)
    assert seen["upgraded"] == {
        "A": {"live": 2, "pending": 0},
        "B": {"live": 1, "pending": 0},
        "C": {"live": 0, "pending": 0},
    }
    assert seen["pulled"] == {
        "A": {"live": 1, "pending": 0},
        "B": {"live": 1, "pending": 0},
        "C": {"live": 1, "pending": 0},
    }
    assert seen["edited"] == {
        "A": {"live": 0, "pending": 0},
        "B": {"live": 2, "pending": 1},
        "C": {"live": 1, "pending": 0},
    }
