"""Two devices (or a device and the office) write at the same time and touch the same record
(issue: integrity under real concurrency). The first push carries the interesting change
followed by cheap ones that hold its transaction open; the second request starts while the
first is still inside its transaction. The push locks the rows it decides on first
(docs/sync-protocol.md, "Overlapping requests"), so the second decides on what the first wrote.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid

from tests import factories
from tests.sync_client import Device
from webapp.checklists import operations as checklists
from webapp.models import Answer, Equipment, RecordHistory, Round, SyncConflict, TemplateVersion
from webapp.rounds import seal

from .served import HttpClient, filler_mutations

OVERLAP_DELAY = 0.25


def _device(served, user) -> Device:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    device = Device(client=http, csrf=http.csrf)
    device.pull_all()
    return device


def _in_parallel(first, second, delay: float = OVERLAP_DELAY) -> None:
    """Run `first` in a thread, start `second` `delay` seconds later, wait for both."""
    errors: list[BaseException] = []

    def run(fn):
        try:
            fn()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    a = threading.Thread(target=run, args=(first,))
    a.start()
    time.sleep(delay)
    run(second)
    a.join(120)
    assert not errors, errors


def test_two_serial_changes_on_one_base_make_a_conflict_not_a_lost_update(served):
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    item = world["equipment"][0]
    p, q = _device(served, engineer), _device(served, engineer)
    filler = factories.create_equipment(world["sites"][0], name="填充")
    p.pull_all()

    p.edit("equipment", str(item.id), {"serial_number": "SN-FROM-P"})
    filler_mutations(p, str(filler.id), 499)
    q.edit("equipment", str(item.id), {"serial_number": "SN-FROM-Q"})
    _in_parallel(p.push, q.push)

    answers = [*p.answers.values(), *q.answers.values()]
    first_p = next(iter(p.answers.values()))
    only_q = next(iter(q.answers.values()))
    statuses = sorted([first_p["status"], only_q["status"]])
    assert statuses == ["applied", "conflict"], answers[:1] + [only_q]
    stored = Equipment.get_by_id(item.id)
    conflicts = list(SyncConflict.select().where(SyncConflict.entity_id == str(item.id)))
    assert len(conflicts) == 1 and conflicts[0].field == "serial_number"
    assert {stored.serial_number, conflicts[0].client_value} == {"SN-FROM-P", "SN-FROM-Q"}


def test_a_version_never_goes_down_under_overlapping_pushes(served):
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    item = world["equipment"][0]
    p, q = _device(served, engineer), _device(served, engineer)
    filler_mutations(p, str(item.id), 500)  # P edits the same device 500 times
    q.edit("equipment", str(item.id), {"brand": "Q 的品牌"})
    _in_parallel(p.push, q.push)

    stored = Equipment.get_by_id(item.id)
    versions = [a["version"] for a in p.answers.values()] + [
        a["version"] for a in q.answers.values()
    ]
    assert len(set(versions)) == len(versions), "two changes were given one version"
    assert stored.version == max(versions) == 1 + 501


def test_two_pushes_taking_two_devices_in_opposite_orders_wait_in_turn_not_in_a_circle(served):
    """Both lock their rows in one order before deciding, so neither holds one device while
    waiting for the other: no deadlock for the database to break (the server logs every
    transaction it had to run again), and every change is applied once."""
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    a, b = world["equipment"][0], factories.create_equipment(world["sites"][0], name="乙")
    p, q = _device(served, engineer), _device(served, engineer)
    p.edit("equipment", str(a.id), {"brand": "P"})
    filler_mutations(p, str(a.id), 498)
    p.edit("equipment", str(b.id), {"brand": "P"})
    q.edit("equipment", str(b.id), {"model": "Q"})
    q.edit("equipment", str(a.id), {"model": "Q"})
    logged = len(served.log())
    _in_parallel(p.push, q.push)

    answers = [*p.answers.values(), *q.answers.values()]
    assert len(answers) == 502 and {x["status"] for x in answers} == {"applied"}
    assert "ran again" not in served.log()[logged:]
    assert Equipment.get_by_id(a.id).version == 1 + 500
    assert Equipment.get_by_id(b.id).version == 1 + 2


def _text(zh: str, en: str) -> dict:
    return {"zh_Hans": zh, "zh_Hant": zh, "en": en}


CHECKLIST = {
    "title": _text("终端维护", "Terminal maintenance"),
    "form": "maintenance_report",
    "sections": [
        {
            "key": "terminal",
            "title": _text("终端", "Terminals"),
            "items": [
                {
                    "key": "terminal.image",
                    "kind": "check",
                    "sense": "look",
                    "label": _text("图像清晰无偏色", "Image clear, no colour cast"),
                },
            ],
        }
    ],
}
ACCEPTANCE = {
    "accepted": True,
    "handover": "none",
    "satisfaction": "very_satisfied",
    "reasons": [],
    "comments": "",
    "signer": "王经理",
    "signed_at": "2026-11-21T09:50:00+08:00",
}


def _submitted_round(device: Device, site, admin) -> tuple[str, str, str]:
    """A round answered, submitted and with the client's signature sent, ready to sign:
    (round id, answer id, signature id)."""
    template = checklists.create_template(
        actor=admin,
        key=f"terminal-{uuid.uuid4().hex[:6]}",
        form="maintenance_report",
        title=CHECKLIST["title"],
        content=CHECKLIST,
    )
    version = checklists.publish(
        TemplateVersion.get(TemplateVersion.template == template), actor=admin
    )
    rid, aid, sid = (str(uuid.uuid4()) for _ in range(3))
    strokes = b"\x89PNG strokes"
    device.edit(
        "round",
        rid,
        {
            "template_version_id": str(version.id),
            "site_id": str(site.id),
            "started_at": "2026-11-21T09:00:00+08:00",
        },
        op="create",
    )
    device.edit(
        "answer",
        aid,
        {"round_id": rid, "item_key": "terminal.image", "status": "normal", "note": ""},
        op="create",
    )
    device.edit("round", rid, {"submitted_at": "2026-11-21T09:45:00+08:00"}, op="submit")
    device.edit(
        "attachment",
        sid,
        {
            "owner_entity": "round",
            "owner_id": rid,
            "kind": "signature",
            "filename": "signature.png",
            "mime": "image/png",
            "size": len(strokes),
            "sha256": hashlib.sha256(strokes).hexdigest(),
        },
        op="create",
    )
    results = device.push().get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 4, results
    return rid, aid, sid


def test_an_answer_edit_overlapping_the_sign_is_refused_and_the_seal_still_holds(served):
    world = factories.make_world()
    engineer, admin = world["users"]["engineer"], world["users"]["admin"]
    site, filler = world["sites"][0], world["equipment"][0]
    x, y = _device(served, engineer), _device(served, engineer)
    rid, aid, sid = _submitted_round(x, site, admin)
    content = seal.sealed_content(Round.get_by_id(rid), acceptance=ACCEPTANCE, signature_id=sid)

    sign = x.edit(
        "round",
        rid,
        {"acceptance": ACCEPTANCE, "signature_id": sid, "seal_hash": seal.seal_hash(content)},
        op="sign",
    )
    filler_mutations(x, str(filler.id), 499)  # holds X's transaction open after the sign
    edit = y.edit("answer", aid, {"status": "normal", "note": "签字后改的"})
    _in_parallel(x.push, y.push)

    assert x.answers[sign["mutation_id"]]["status"] == "applied", x.answers[sign["mutation_id"]]
    refused = y.answers[edit["mutation_id"]]
    assert refused["status"] == "rejected", refused
    assert refused["error"]["code"] == "sealed"
    stored = Round.get_by_id(rid)
    assert stored.status == "sealed"
    again = seal.sealed_content(stored, acceptance=stored.acceptance, signature_id=sid)
    assert seal.seal_hash(again) == stored.seal_hash
    assert Answer.get_by_id(aid).note == ""


def test_an_office_edit_overlapping_a_push_comes_after_it_or_makes_a_conflict(served):
    world = factories.make_world()
    engineer, dispatcher = world["users"]["engineer"], world["users"]["dispatcher"]
    item = world["equipment"][0]
    p = _device(served, engineer)
    office = HttpClient(served.base_url)
    assert office.sign_in(dispatcher.username, factories.PASSWORD).status_code == 200

    serial = p.edit("equipment", str(item.id), {"serial_number": "SN-FROM-PHONE"})
    filler_mutations(p, str(item.id), 499)  # the same device, 499 times more
    answer: dict = {}

    def office_edit():
        response = office.send(
            "PATCH", f"/api/equipment/{item.id}", json={"serial_number": "SN-FROM-OFFICE"}
        )
        answer.update(status=response.status_code, body=response.get_json(silent=True))

    _in_parallel(p.push, office_edit)

    assert answer["status"] == 200, answer
    stored = Equipment.get_by_id(item.id)
    versions = sorted(
        [a["version"] for a in p.answers.values() if a["status"] == "applied"]
        + [answer["body"]["version"]]
    )
    # every write took a version of its own, one after the other; the row holds the last
    assert versions == list(range(2, 2 + len(versions))), versions[:3] + versions[-3:]
    assert stored.version == versions[-1]
    assert stored.serial_number == "SN-FROM-OFFICE"
    # the phone's serial number is not lost: it came first and is in the history, or it came
    # second and waits in a conflict
    if p.answers[serial["mutation_id"]]["status"] == "applied":
        written = [
            h.new_value
            for h in RecordHistory.select()
            .where(
                (RecordHistory.entity_id == str(item.id)) & (RecordHistory.field == "serial_number")
            )
            .order_by(RecordHistory.version)
        ]
        assert written == ["SN-FROM-PHONE", "SN-FROM-OFFICE"]
    else:
        conflict = SyncConflict.get(SyncConflict.entity_id == str(item.id))
        assert conflict.client_value == "SN-FROM-PHONE"
