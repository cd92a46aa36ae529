"""Two phones of one engineer send overlapping leave at the same time: the engineer's row is
locked while the first request is checked and written, so the second sees it and is refused
as overlapping. Without the lock both pass the check and the engineer holds the same days twice."""

from __future__ import annotations

import threading
import time
import uuid

from tests import factories
from tests.sync_client import Device
from webapp.models import LeaveRequest

from .served import HttpClient, filler_mutations

OVERLAP_DELAY = 0.1


def _device(served, user) -> Device:
    http = HttpClient(served.base_url)
    assert http.sign_in(user.username, factories.PASSWORD).status_code == 200
    return Device(client=http, csrf=http.csrf)


def _leave(device: Device, site_id: str, first: str, last: str) -> dict:
    return device.edit(
        "leave",
        str(uuid.uuid4()),
        {
            "site_id": site_id,
            "first_day": first,
            "last_day": last,
            "kind": "personal",
            "reason": "家里有事",
            "filed_at": "2026-11-20T09:00:00+08:00",
        },
        op="create",
    )


def test_two_phones_asking_for_the_same_days_at_once_make_one_request(served):
    world = factories.make_world()
    engineer = world["users"]["engineer"]
    site, device_row = world["sites"][0], world["equipment"][0]
    p, q = _device(served, engineer), _device(served, engineer)

    from_p = _leave(p, str(site.id), "2026-12-10", "2026-12-12")
    filler_mutations(p, str(device_row.id), 499)  # holds P's transaction open
    from_q = _leave(q, str(site.id), "2026-12-12", "2026-12-13")

    errors: list[BaseException] = []

    def push_p():
        try:
            p.push()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    first = threading.Thread(target=push_p)
    first.start()
    time.sleep(OVERLAP_DELAY)
    q.push()
    first.join(120)
    assert not errors, errors

    answers = {
        "p": p.answers[from_p["mutation_id"]],
        "q": q.answers[from_q["mutation_id"]],
    }
    assert sorted(a["status"] for a in answers.values()) == ["applied", "rejected"], answers
    refused = next(a for a in answers.values() if a["status"] == "rejected")
    assert refused["error"]["code"] == "overlap"
    assert LeaveRequest.select().count() == 1
