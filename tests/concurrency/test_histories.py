"""Randomised overlapping histories: several phones of two engineers edit the same devices of one
site at once — pushes and pulls interleaved by real threads against gunicorn workers on
PostgreSQL — and at the end the server and every phone must agree that nothing was lost, nothing
applied twice, and no version went down or was given to two changes.

The seed is printed on failure (ROUNDS_HISTORY_SEED=<n> replays the same choices; the threads'
timing still varies, which is the point)."""

from __future__ import annotations

import os
import random
import threading

from tests import factories
from tests.sync_client import Device
from webapp.models import Equipment, RecordHistory, SyncConflict, SyncMutation

from .served import HttpClient

PHONES_PER_ENGINEER = 3
STEPS = 12
FIELDS = ("notes", "brand", "model", "serial_number")


def _phone(served, user) -> Device:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    device = Device(client=http, csrf=http.csrf)
    device.pull_all()
    return device


def _walk(phone: Device, name: str, rng: random.Random, devices: list[str], errors: list) -> None:
    try:
        for step in range(STEPS):
            roll = rng.random()
            if roll < 0.6:
                for k in range(rng.randint(1, 4)):
                    field = rng.choice(FIELDS)
                    value = f"{name}-{step}-{k}-{field}"
                    phone.edit("equipment", rng.choice(devices), {field: value})
                response = phone.push()
                assert response.status_code == 200, response.get_data(as_text=True)
            elif roll < 0.9:
                phone.pull_all()
            else:
                phone.pull_all(limit=1)  # pages of one: cursors between others' commits
    except BaseException as exc:  # surfaced by the test
        errors.append(exc)


def test_overlapping_histories_lose_nothing_and_agree_at_the_end(served):
    seed = int(os.environ.get("ROUNDS_HISTORY_SEED") or random.SystemRandom().randrange(10**6))
    world = factories.make_world()
    site = world["sites"][0]
    engineers = [world["users"]["engineer"], world["engineer2"]]
    factories.assign(engineers[1], site)
    devices = [str(world["equipment"][0].id)] + [
        str(factories.create_equipment(site, name=f"设备{i}").id) for i in range(3)
    ]
    phones = {
        f"{e.username}#{i}": _phone(served, e)
        for e in engineers
        for i in range(PHONES_PER_ENGINEER)
    }
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_walk, args=(p, n, random.Random(f"{seed}:{n}"), devices, errors))
        for n, p in phones.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, f"seed {seed}: {errors!r}"
    for phone in phones.values():  # what is still waiting goes out, then everyone catches up
        while phone.outbox:
            assert phone.push().status_code == 200
    for phone in phones.values():
        phone.pull_all()

    sent = [m for p in phones.values() for m in p.acked]
    answers = {mid: a for p in phones.values() for mid, a in p.answers.items()}
    context = f"seed {seed}"
    # Every change answered once, applied or kept as a conflict; none twice.
    assert len({m["mutation_id"] for m in sent}) == len(sent) == len(answers), context
    assert {a["status"] for a in answers.values()} <= {"applied", "conflict"}, context
    assert SyncMutation.select().count() == len(sent), context

    for device_id in devices:
        stored = Equipment.get_by_id(device_id)
        mine = [m for m in sent if m["id"] == device_id]
        history = {
            (str(h.mutation_id), h.field): h.new_value
            for h in RecordHistory.select().where(RecordHistory.entity_id == device_id)
        }
        # A change that wrote a field took a version of its own (one held back whole as a
        # conflict takes none, and answers with the version it found).
        wrote = [m for m in mine if any((m["mutation_id"], f) in history for f in m["changes"])]
        versions = [answers[m["mutation_id"]]["version"] for m in wrote]
        assert len(set(versions)) == len(versions), f"{context}: one version for two changes"
        assert stored.version == max(versions, default=stored.version), (
            f"{context}: the stored version went back"
        )
        # Nothing lost: every value sent is in the record's history or kept as a conflict.
        kept = {
            (str(c.mutation_id), c.field): c.client_value
            for c in SyncConflict.select().where(SyncConflict.entity_id == device_id)
        }
        for m in mine:
            for field, value in m["changes"].items():
                key = (m["mutation_id"], field)
                assert history.get(key) == value or kept.get(key) == value, (
                    f"{context}: {field}={value!r} of {m['mutation_id']} is nowhere"
                )
        # Every phone holds what the server holds.
        for name, phone in phones.items():
            held = phone.records[("equipment", device_id)]
            assert held["version"] == stored.version, f"{context}: {name} holds an old copy"
            for field in FIELDS:
                assert held["data"][field] == getattr(stored, field), f"{context}: {name} {field}"
