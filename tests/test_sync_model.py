"""Property test of the sync protocol against the real app and database.

Three devices (two engineers sharing a site, one dispatcher) edit offline and push through
faults: requests lost before arrival, answers lost after the server committed, batches that
arrive twice or out of order. The server restarts, crashes in the middle of a batch, is restored
from a backup (new epoch); sessions expire. At the end, after every device has synced: every
mutation ever made was applied exactly once or recorded as a conflict or a rejection, every
device equals the server, every outbox is empty.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests import factories
from tests.conftest import fresh_app, sign_in_as
from tests.sync_client import Device
from webapp import create_app
from webapp.auth.sessions import RESTORED, revoke_all_sessions
from webapp.extensions import db
from webapp.inventory.schemas import EquipmentOut
from webapp.models import (
    ALL_MODELS,
    Equipment,
    RecordHistory,
    SyncConflict,
    SyncMutation,
)
from webapp.sync import registry as handlers
from webapp.sync.epoch import renew_epoch

FIELDS = ["notes", "brand", "serial_number", "model"]  # two last-write-wins, two must-review
EXAMPLES = int(os.environ.get("SYNC_EXAMPLES", "40"))
TEMPLATE: dict[str, str] = {}


class SyncMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sync-model-"))
        self.app = fresh_app(TEMPLATE["path"], self.dir)
        self.app.config["PROPAGATE_EXCEPTIONS"] = False
        db.connect(reuse_if_open=True)
        w = factories.make_world()
        factories.assign(w["engineer2"], w["sites"][0])
        self.users = [w["users"]["engineer"], w["engineer2"], w["users"]["dispatcher"]]
        self.site = w["sites"][0]
        self.items = [
            str(w["equipment"][0].id),
            str(factories.create_equipment(self.site, name="投影机").id),
            str(w["equipment"][1].id),
        ]  # the last one only the office sees
        self.devices = []
        for user in self.users:
            client = self.app.test_client()
            self.devices.append(Device(client=client, csrf=sign_in_as(client, user)))
        self.expired = [False] * len(self.devices)
        self.made: dict[str, dict] = {}
        self.values = itertools.count(1)
        self.backup = None
        for device in self.devices:
            device.pull_all()

    def teardown(self):
        if hasattr(self, "app"):
            db.close()

    # -- what people do --------------------------------------------------------------------

    @rule(d=st.integers(0, 2), i=st.integers(0, 2), field=st.sampled_from(FIELDS))
    def edit(self, d, i, field):
        device, item = self.devices[d], self.items[i]
        if ("equipment", item) not in device.records:
            return  # not on this device
        m = device.edit("equipment", item, {field: f"{field}-{d}-{next(self.values)}"})
        self.made[m["mutation_id"]] = m

    @rule(d=st.integers(0, 1))
    def register_new_equipment(self, d):
        new_id = str(uuid.uuid4())
        m = self.devices[d].edit(
            "equipment",
            new_id,
            {"site_id": str(self.site.id), "name": f"新设备{next(self.values)}"},
            op="create",
        )
        self.made[m["mutation_id"]] = m
        self.items.append(new_id)

    @rule(i=st.integers(0, 2), field=st.sampled_from(FIELDS))
    def office_edits_online(self, i, field):
        office = self.devices[2]
        if self.expired[2]:
            return
        r = office.client.patch(
            f"/api/equipment/{self.items[i]}",
            json={field: f"{field}-office-{next(self.values)}"},
            headers={"X-CSRF-Token": office.csrf},
        )
        assert r.status_code in (200, 404), r.get_data(as_text=True)

    @rule(choice=st.sampled_from(["server", "client"]))
    def office_resolves_a_conflict(self, choice):
        office = self.devices[2]
        conflict = SyncConflict.select().where(SyncConflict.status == "open").first()
        if conflict is None or self.expired[2]:
            return
        r = office.client.post(
            f"/api/conflicts/{conflict.id}/resolve",
            json={"choice": choice},
            headers={"X-CSRF-Token": office.csrf},
        )
        assert r.status_code in (200, 409, 422), r.get_data(as_text=True)

    # -- the network and the server --------------------------------------------------------

    @rule(
        d=st.integers(0, 2),
        fault=st.sampled_from(["none", "lost_request", "lost_answer", "twice", "reordered"]),
    )
    def push(self, d, fault):
        device = self.devices[d]
        if not device.outbox or fault == "lost_request":
            return
        batch = list(device.outbox)
        if fault == "lost_answer":
            self._post(device, batch)  # the server committed; the answer never came back
        elif fault == "twice":
            self._post(device, batch)
            device.take_answer(self._post(device, batch))
        elif fault == "reordered" and len(batch) > 1:
            half = len(batch) // 2
            device.take_answer(self._post(device, batch[half:]))
            device.take_answer(self._post(device, batch[:half]))
        else:
            device.take_answer(self._post(device, batch))

    def _post(self, device, batch, allowed=(200, 401)):
        response = device.client.post(
            "/api/sync/push",
            json={"client_id": device.client_id, "mutations": batch},
            headers={"X-CSRF-Token": device.csrf},
        )
        assert response.status_code in allowed, response.get_data(as_text=True)
        return response

    @rule(d=st.integers(0, 2), crash_before_cursor=st.booleans())
    def pull(self, d, crash_before_cursor):
        device = self.devices[d]
        if self.expired[d]:
            assert device.client.get("/api/sync/pull").status_code == 401
            return
        if crash_before_cursor:
            cursor = device.cursor
            device.pull_all(limit=3)
            device.cursor = cursor  # applied, but the cursor was not saved: pulls repeat
        else:
            device.pull_all(limit=4)

    @rule(d=st.integers(0, 2))
    def session_expires(self, d):
        self.devices[d].client.delete_cookie("session")
        self.expired[d] = True

    @rule(d=st.integers(0, 2))
    def sign_in_again(self, d):
        if self.expired[d]:
            self.devices[d].csrf = sign_in_as(self.devices[d].client, self.users[d])
            self.expired[d] = False

    @rule()
    def server_restarts(self):
        url = self.app.config["DATABASE_URL"]
        self.app = create_app({**self.app.config, "DATABASE_URL": url})
        self.app.config["PROPAGATE_EXCEPTIONS"] = False
        for device in self.devices:
            cookie = device.client.get_cookie("session")
            device.client = self.app.test_client()
            if cookie is not None:
                device.client.set_cookie("session", cookie.value)
        db.connect(reuse_if_open=True)

    @rule(d=st.integers(0, 2))
    def server_crashes_mid_batch(self, d):
        device = self.devices[d]
        if len(device.outbox) < 2 or self.expired[d]:
            return
        before = self._fingerprint()
        real = dict(handlers.HANDLERS)
        calls = itertools.count()

        def dying(inner):
            def handler(m, **kw):
                if next(calls) == 1:
                    raise RuntimeError("power cut")
                return inner(m, **kw)

            return handler

        for key in list(handlers.HANDLERS):
            handlers.HANDLERS[key] = dying(real[key])
        try:
            response = self._post(device, list(device.outbox), allowed=(200, 401, 500))
        finally:
            handlers.HANDLERS.update(real)
        device.take_answer(response)
        if response.status_code == 500 or next(calls) > 1:
            assert self._fingerprint() == before, "a crashed batch left writes behind"

    def _fingerprint(self):
        return (
            SyncMutation.select().count(),
            RecordHistory.select().count(),
            [(e.id, e.version) for e in Equipment.select().order_by(Equipment.id)],
        )

    @rule()
    def back_up(self):
        self.backup = {m: list(m.select().dicts()) for m in ALL_MODELS}

    @precondition(lambda self: self.backup is not None)
    @rule()
    def restore_from_backup(self):
        from peewee import sort_models

        with db.atomic():
            for model in reversed(sort_models(ALL_MODELS)):
                model.delete().execute()
            for model in sort_models(ALL_MODELS):
                rows = self.backup[model]
                for start in range(0, len(rows), 100):
                    model.insert_many(rows[start : start + 100]).execute()
            renew_epoch()  # as `flask sync new-epoch` does after a restore
            revoke_all_sessions(reason=RESTORED)
        self.expired = [True] * len(self.devices)  # everyone signs in again
        self.items = [
            i for i in self.items if Equipment.get_or_none(Equipment.id == i)
        ] or self.items[:3]

    # -- the end ---------------------------------------------------------------------------

    @invariant()
    def nothing_applied_twice(self):
        pairs = (
            RecordHistory.select(RecordHistory.mutation_id, RecordHistory.field)
            .where(RecordHistory.mutation_id.is_null(False))
            .tuples()
        )
        seen = list(pairs)
        assert len(seen) == len(set(seen)), "a mutation was applied twice"

    def quiesce(self):
        for d in range(len(self.devices)):
            if self.expired[d]:
                self.sign_in_again(d)
        for _round in range(8):
            for device in self.devices:
                for _attempt in range(len(device.outbox) + 3):
                    if not device.outbox:
                        break
                    device.take_answer(self._post(device, list(device.outbox)))
                    device.pull_all()  # notices a new epoch and re-queues what was lost
            for device in self.devices:
                device.pull_all()
            if not any(device.outbox for device in self.devices):
                break

    def check_converged(self):
        self.quiesce()
        for device in self.devices:
            assert device.outbox == [], "an outbox did not drain"
        stored = {str(m.mutation_id): m for m in SyncMutation.select()}
        answers = {mid: a for device in self.devices for mid, a in device.answers.items()}
        for mid, m in self.made.items():
            assert mid in stored, f"mutation {mid} was lost"
            assert stored[mid].status in ("applied", "conflict", "rejected")
            answer = answers[mid]
            if answer["status"] == "duplicate":
                answer = answer["first"]
            assert answer["status"] == stored[mid].status, "the device was told otherwise"
            if m["op"] == "update" and stored[mid].status in ("applied", "conflict"):
                for field in m["changes"]:
                    applied = (
                        RecordHistory.select()
                        .where((RecordHistory.mutation_id == mid) & (RecordHistory.field == field))
                        .exists()
                    )
                    held = (
                        SyncConflict.select()
                        .where((SyncConflict.mutation_id == mid) & (SyncConflict.field == field))
                        .exists()
                    )
                    assert applied or held, f"{field} of {mid} vanished"
        for d, device in enumerate(self.devices):
            server = {str(e.id): EquipmentOut().dump(e) for e in Equipment.live()}
            if d < 2:
                server = {k: v for k, v in server.items() if v["site_id"] == str(self.site.id)}
            mine = {
                k[1]: r["data"]
                for k, r in device.records.items()
                if k[0] == "equipment" and not r["deleted"]
            }
            assert set(mine) == set(server), "a device holds different equipment"
            for key, data in server.items():
                for field in FIELDS + ["name", "version"]:
                    assert mine[key][field] == data[field], (d, key, field)


@pytest.mark.parametrize("seed", [0])
def test_sync_converges_through_faults(database_template, seed):
    TEMPLATE["path"] = database_template

    class Checked(SyncMachine):
        def teardown(self):
            try:
                if hasattr(self, "app"):
                    self.check_converged()
            finally:
                super().teardown()

    run_state_machine_as_test(
        Checked,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=os.environ.get("SYNC_RANDOM") is None,
            database=None,
        ),
    )
