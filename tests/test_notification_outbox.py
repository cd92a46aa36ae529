"""The office's page of the notification outbox (docs/notifications.md, "The outbox"): what was
told to whom, whether it went out, in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import sign_in_as
from webapp.models import Notification

FIRST = datetime(2026, 12, 3, 0, 0)


def notify(user, n: int, state: str = "sent", **fields) -> Notification:
    return Notification.create(
        user=user,
        key=f"test:{n}",
        kind="fault_assigned",
        title=f"故障 F-2026-{n:05d} 已派给您",
        state=state,
        created_at=FIRST + timedelta(minutes=n),
        **fields,
    )


@pytest.fixture
def office(app, world):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    sign_in_as(client, world["users"]["dispatcher"])
    return client


def shown(client, query: str = "") -> tuple[list[str], str]:
    r = client.get(f"/office/notifications{query}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    html = r.get_data(as_text=True)
    return [
        line.split('data-id="')[1][:36] for line in html.split("\n") if 'data-id="' in line
    ], html


def test_the_office_sees_who_was_told_what_newest_first_and_whether_it_went_out(office, world):
    engineer = world["users"]["engineer"]
    sent = notify(engineer, 1, sent_at=FIRST + timedelta(minutes=1))
    failed = notify(engineer, 2, "failed", attempts=5, last_error="410 Gone")
    waiting = notify(world["engineer2"], 3, "queued", attempts=1)

    ids, html = shown(office)

    assert ids == [str(waiting.id), str(failed.id), str(sent.id)]
    assert "故障 F-2026-00002 已派给您" in html and "410 Gone" in html
    assert "已发送" in html and "失败" in html  # the states, in the reader's language
    assert "全部 (3)" in html and "失败 (1)" in html and "已发送 (1)" in html
    assert "/office/notifications" in office.get("/office/faults").get_data(as_text=True)


def test_a_state_filters_and_a_long_outbox_comes_a_hundred_a_page(office, world):
    engineer = world["users"]["engineer"]
    for n in range(103):
        notify(engineer, n, "failed" if n % 2 else "sent")

    ids, html = shown(office, "?state=failed")
    assert len(ids) == 51
    assert 'data-state="sent"' not in html
    ids, html = shown(office)
    assert len(ids) == 100 and "第 1 页，共 2 页" in html and "page=2" in html
    ids, _ = shown(office, "?page=2")
    assert len(ids) == 3
    assert shown(office, "?page=7")[0] == ids  # past the end: the last page


@pytest.mark.parametrize(
    "query, words", [("?state=lost", "请从列表中选择状态"), ("?page=0", "页码无效")]
)
def test_a_filter_the_page_did_not_write_is_a_translated_400(office, world, query, words):
    r = office.get(f"/office/notifications{query}")
    assert r.status_code == 400 and words in r.get_data(as_text=True)


def test_only_the_office_reads_the_outbox(app, world):
    client = app.test_client()
    sign_in_as(client, world["users"]["engineer"])
    assert client.get("/office/notifications").status_code == 403
