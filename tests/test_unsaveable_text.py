"""Text no store keeps and numbers no column holds are refused at the contract's edge, with a
reason in the user's language: in a push, only that mutation is `rejected` and the rest goes
through; in any JSON body or query string, a 422 naming the field (issue 9, item 4)."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from tests.conftest import sign_in_as
from webapp.models import Equipment, SyncMutation

BAD_TEXTS = {
    "nul": "断路器\x00跳闸",
    "lone surrogate": "表情\ud83d坏了",
    "control": "bell\x07",
    "noncharacter": "\uffff",
}


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _send(client, url, body, token, method="POST"):
    """JSON with \\u escapes, so a lone surrogate travels as a real device would send it."""
    return client.open(
        url,
        method=method,
        data=json.dumps(body),  # ensure_ascii: "\ud83d" stays an escape, as JSON allows
        content_type="application/json",
        headers={"X-CSRF-Token": token, "Accept-Language": "zh-CN"},
    )


def _mutation(seq, entity, record_id, changes, *, op="update", base=1, client_time=None):
    return {
        "mutation_id": str(uuid.uuid4()),
        "client_seq": seq,
        "entity": entity,
        "id": record_id,
        "op": op,
        "base_version": base,
        "changes": changes,
        "client_time": client_time if client_time is not None else "2026-11-21T08:00:00Z",
    }


@pytest.mark.parametrize("kind", sorted(BAD_TEXTS))
def test_one_unsaveable_note_is_rejected_and_the_rest_goes_through(client, world, kind):
    engineer = world["users"]["engineer"]
    token = sign_in_as(client, engineer)
    device = world["equipment"][0]
    eid = str(device.id)
    photo = b"\xff\xd8 a photo"
    batch = [
        _mutation(1, "equipment", eid, {"brand": "雅马哈"}),
        _mutation(2, "equipment", eid, {"notes": BAD_TEXTS[kind]}, base=2),
        _mutation(3, "equipment", eid, {"notes": "ok"}, base=2**64),
        _mutation(4, "equipment", eid, {"model": "QL5"}, base=2, client_time="08:00\x00"),
        _mutation(
            5,
            "attachment",
            str(uuid.uuid4()),
            {
                "owner_entity": "equipment",
                "owner_id": eid,
                "kind": "photo",
                "filename": BAD_TEXTS[kind] + ".jpg",
                "mime": "image/jpeg",
                "size": len(photo),
                "sha256": hashlib.sha256(photo).hexdigest(),
            },
            op="create",
            base=0,
        ),
        _mutation(6, "equipment", eid, {BAD_TEXTS[kind]: "键坏了"}, base=2),
        _mutation(7, "equipment", eid, {"model": "QL5"}, base=2),
    ]
    client_id = str(uuid.uuid4())
    r = _send(client, "/api/sync/push", {"client_id": client_id, "mutations": batch}, token)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    body = r.json
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["applied", *["rejected"] * 5, "applied"], body
    assert body["last_seq"] == 7  # the queue moved past every refused one
    for result in body["results"][1:6]:
        error = result["error"]
        assert error["code"] == "invalid"
        assert _chinese(error["message"]), error
        assert error["fields"], error
    assert "notes" in body["results"][1]["error"]["fields"]  # named as the phone's field
    assert "base_version" in body["results"][2]["error"]["fields"]
    assert "client_time" in body["results"][3]["error"]["fields"]
    assert "filename" in body["results"][4]["error"]["fields"]
    saved = Equipment.get_by_id(device.id)
    assert (saved.brand, saved.model) == ("雅马哈", "QL5")
    assert saved.notes not in BAD_TEXTS.values()
    # Sending the same batch again answers every one as before, from what was stored.
    again = _send(client, "/api/sync/push", {"client_id": client_id, "mutations": batch}, token)
    assert again.status_code == 200
    firsts = [x["first"]["status"] for x in again.json["results"]]
    assert firsts == statuses
    assert SyncMutation.select().count() == 7


def test_a_broken_envelope_is_refused_per_mutation_too(client, world):
    """An unknown field or a wrong type in one mutation's envelope refuses that mutation only;
    only an order the server cannot keep (no id, no sequence number) refuses the batch."""
    token = sign_in_as(client, world["users"]["engineer"])
    eid = str(world["equipment"][0].id)
    ok = _mutation(1, "equipment", eid, {"brand": "X"})
    odd = {**_mutation(2, "equipment", eid, {"brand": "Y"}), "surprise": 1, "op": 7}
    last = _mutation(3, "equipment", "not-an-id", {"brand": "Z"})
    r = _send(
        client,
        "/api/sync/push",
        {"client_id": str(uuid.uuid4()), "mutations": [ok, odd, last]},
        token,
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert [x["status"] for x in r.json["results"]] == ["applied", "rejected", "rejected"]
    assert {"surprise", "op"} <= set(r.json["results"][1]["error"]["fields"])
    assert "id" in r.json["results"][2]["error"]["fields"]
    bad_seq = _mutation(2**40, "equipment", eid, {"brand": "Y"})
    r = _send(
        client, "/api/sync/push", {"client_id": str(uuid.uuid4()), "mutations": [bad_seq]}, token
    )
    assert r.status_code == 422
    assert r.json["error"]["fields"]["mutations"]["0"]["client_seq"]


@pytest.mark.parametrize("kind", sorted(BAD_TEXTS))
def test_unsaveable_text_in_a_json_body_or_query_is_a_422(client, world, kind):
    token = sign_in_as(client, world["users"]["admin"])
    r = _send(client, "/api/clients", {"name": BAD_TEXTS[kind]}, token)
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert _chinese(r.json["error"]["message"])
    assert "name" in r.json["error"]["fields"]
    r = _send(client, "/api/clients", {BAD_TEXTS[kind]: "x", "name": "x"}, token)
    assert r.status_code == 422
    if kind == "lone surrogate":
        return  # a URL carries bytes: half a pair arrives as U+FFFD, which is saveable
    r = client.get(
        "/api/equipment", query_string={"q": BAD_TEXTS[kind]}, headers={"Accept-Language": "zh-CN"}
    )
    assert r.status_code == 422
    assert "q" in r.json["error"]["fields"]
