"""Office users station the same engineer at the same site at the same moment (a double click,
two dispatchers): one request stations them, every other is refused with a clear 409, and the
site holds one assignment. Without the unique (engineer, site) index both rows would exist; with
the index but no handling, the loser was a 500."""

from __future__ import annotations

import threading

from tests import factories
from webapp.models import Assignment

from .served import HttpClient

SENDERS = 4
ROUNDS = 5


def test_overlapping_requests_station_an_engineer_once(served):
    world = factories.make_world()
    site = world["sites"][0]
    dispatchers = []
    for _ in range(SENDERS):
        http = HttpClient(served.base_url)
        assert http.sign_in(world["users"]["admin"].username, factories.PASSWORD).status_code == 200
        dispatchers.append(http)
    engineers = [factories.create_user("engineer") for _ in range(ROUNDS)]
    for engineer in engineers:
        start = threading.Barrier(SENDERS)
        answers: list = [None] * SENDERS

        def send(i: int, engineer=engineer, start=start, answers=answers) -> None:
            start.wait()
            answers[i] = dispatchers[i].post(
                "/api/assignments",
                json={"engineer_id": str(engineer.id), "site_id": str(site.id)},
                headers={"Accept-Language": "zh-CN"},
            )

        threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201] + [409] * (SENDERS - 1), [a.get_data()[:200] for a in answers]
        for refused in (a for a in answers if a.status_code == 409):
            error = refused.get_json()["error"]
            assert error["code"] == "assigned"
            assert "已驻场" in error["message"]
        rows = Assignment.select().where(
            (Assignment.engineer == engineer) & (Assignment.site == site)
        )
        assert [r.deleted_at for r in rows] == [None]
