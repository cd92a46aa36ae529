"""The issue's acceptance, in a real browser: an engineer on a phone sees their sites in
Chinese; an admin at a desk creates a site and stations an engineer there."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from webapp.models import Assignment, Site

from .pages import Admin, Engineer

pytestmark = pytest.mark.browser

MIN_TAP_PX = 44


def test_engineer_on_a_phone_sees_their_sites_in_chinese(phone, live_server, world):
    engineer = Engineer(phone, live_server)

    engineer.signs_in("eng", PASSWORD)

    sites = engineer.sees_sites()
    assert "主楼" in sites
    assert "A区机房" not in sites
    assert engineer.language == "zh-Hans"
    assert engineer.page.get_by_role("heading", level=1).inner_text() == "我的站点"
    assert not engineer.has_horizontal_scroll(), "the page scrolls sideways at 390 px"
    tile = engineer.site_tile("主楼").bounding_box()
    assert tile is not None
    assert tile["height"] >= MIN_TAP_PX, f"site tile is {tile['height']} px tall"


def test_admin_creates_a_site_and_stations_an_engineer(desktop, live_server, world):
    client = world["clients"][0]
    admin = Admin(desktop, live_server)
    admin.signs_in("adm", PASSWORD)

    admin.creates_site(client="会议中心", name="新会展中心", address="滨江大道 88 号")

    assert admin.is_on_site("新会展中心")
    admin.assigns("Test engineer (eng2)", to_site="新会展中心")
    assert admin.sees_stationed() == ["Test engineer eng2"]

    site = Site.get(Site.name == "新会展中心")
    assert site.client_id == client.id
    assert site.address == "滨江大道 88 号"
    assignment = Assignment.get(Assignment.site == site)
    assert assignment.engineer_id == world["engineer2"].id
    assert assignment.deleted_at is None


def test_a_site_without_a_name_is_refused_and_the_form_keeps_what_was_typed(
    desktop, live_server, world
):
    admin = Admin(desktop, live_server)
    admin.signs_in("adm", PASSWORD)
    sites_before = Site.select().count()

    admin.starts_new_site()
    admin.fills_site_form(client="会议中心", name="", address="滨江大道 88 号", contact="王工")
    admin.saves()

    assert admin.field_errors("Name") == ["This field may not be empty."]
    assert admin.field("Address").input_value() == "滨江大道 88 号"
    assert admin.field("Contact").input_value() == "王工"
    assert admin.field("Client").input_value() == str(world["clients"][0].id)
    assert Site.select().count() == sites_before
