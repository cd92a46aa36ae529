"""What "today" means for a date typed into the equipment register (webapp/clock.py).

The server's clock is injected (`CLOCK`): at 07:30 in China on 21 November it is still
20 November in UTC, and an engineer who installed a device this morning must be able to say so,
through the API, a phone's sync and the office form. A day later than today anywhere on Earth
is refused, in the user's language.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import sign_in_as
from tests.sync_client import Device
from webapp import clock
from webapp.models import Equipment

# 07:30 on 21 November 2026 in Shanghai (UTC+8): 23:30 on the 20th in UTC.
CHINA_MORNING = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


@pytest.fixture
def morning_in_china(app):
    app.config["CLOCK"] = lambda: CHINA_MORNING
    return CHINA_MORNING


def test_today_is_the_latest_date_in_use_on_earth(app, morning_in_china):
    with app.app_context():
        assert clock.now() == CHINA_MORNING
        assert clock.latest_today().isoformat() == "2026-11-21"  # 13:30 at UTC+14
    app.config["CLOCK"] = lambda: datetime(2026, 11, 21, 9, 59, tzinfo=UTC)
    with app.app_context():
        assert clock.latest_today().isoformat() == "2026-11-21"
    app.config["CLOCK"] = lambda: datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    with app.app_context():
        assert clock.latest_today().isoformat() == "2026-11-22"  # midnight in Kiribati


def test_the_api_takes_todays_date_in_china_before_eight(api_as, world, morning_in_china):
    admin = api_as(world["users"]["admin"])
    device = world["equipment"][0]
    answer = admin.patch(f"/api/equipment/{device.id}", {"installed_on": "2026-11-21"})
    assert answer.status_code == 200, answer.get_json()
    assert Equipment.get_by_id(device.id).installed_on.isoformat() == "2026-11-21"
    created = admin.post(
        "/api/equipment",
        {"site_id": str(world["sites"][0].id), "name": "新功放", "installed_on": "2026-11-21"},
    )
    assert created.status_code == 201, created.get_json()


def test_a_date_after_today_everywhere_is_refused_in_the_users_language(
    api_as, world, morning_in_china
):
    admin = api_as(world["users"]["admin"])
    device = world["equipment"][0]
    answer = admin.patch(
        f"/api/equipment/{device.id}",
        {"installed_on": "2026-11-22"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]["installed_on"] == ["安装日期不能晚于今天。"]
    assert Equipment.get_by_id(device.id).installed_on is None


def test_a_phone_syncs_todays_date_in_china_before_eight(app, world, morning_in_china):
    client = app.test_client()
    phone = Device(client=client, csrf=sign_in_as(client, world["users"]["engineer"]))
    phone.pull_all()
    device = str(world["equipment"][0].id)
    phone.edit("equipment", device, {"installed_on": "2026-11-21"})
    phone.edit("equipment", device, {"warranty_until": "2029-11-21", "installed_on": "2026-11-22"})
    results = phone.push().get_json()["results"]
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected"
    assert "installed_on" in results[1]["error"]["fields"]
    assert Equipment.get_by_id(device).installed_on.isoformat() == "2026-11-21"


def test_the_office_form_takes_todays_date_in_china_before_eight(app, world, morning_in_china):
    client = app.test_client()
    token = sign_in_as(client, world["users"]["dispatcher"])
    device = world["equipment"][0]
    form = client.get(f"/office/equipment/{device.id}").get_data(as_text=True)
    assert 'name="installed_on"' in form
    answer = client.post(
        f"/office/equipment/{device.id}",
        data={
            "csrf_token": token,
            "site_id": str(device.site_id),
            "name": device.name,
            "installed_on": "2026-11-21",
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert Equipment.get_by_id(device.id).installed_on.isoformat() == "2026-11-21"
