"""The office side of checklists: templates edited as structured forms, versions frozen once
published, and the schedules that make rounds due."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from tests.conftest import sign_in_as
from tests.factories import create_location
from webapp.checklists import content as rules
from webapp.checklists import operations as ops
from webapp.checklists import schedules as schedule_ops
from webapp.errors import ApiError
from webapp.models import ChecklistTemplate, Schedule, TemplateVersion

EN = {"Accept-Language": "en"}


def texts(prefix: str, zh: str, en: str) -> dict[str, str]:
    return {f"{prefix}.zh_Hans": zh, f"{prefix}.zh_Hant": zh, f"{prefix}.en": en}


class Office:
    """A dispatcher working through the pages, as a browser without JavaScript would."""

    def __init__(self, client, user) -> None:
        self.client = client
        self.token = sign_in_as(client, user)

    def get(self, url):
        return self.client.get(url, headers=EN)

    def post(self, url, data=None):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, headers=EN)

    def new_template(self, key="daily-round", form="round", zh="日常巡检", en="Daily round"):
        r = self.post("/office/templates/new", {"key": key, "form": form, **texts("title", zh, en)})
        assert r.status_code == 302, r.get_data(as_text=True)
        return ChecklistTemplate.get(ChecklistTemplate.key == key)

    def add_item(self, template, section, kind, data, number=1):
        base = f"/office/templates/{template.id}/versions/{number}"
        return self.post(f"{base}/sections/{section}/items/new?kind={kind}", data)


def version(template, number=1) -> TemplateVersion:
    return TemplateVersion.get(
        (TemplateVersion.template == template) & (TemplateVersion.number == number)
    )


def items_of(template, number=1) -> dict:
    content = version(template, number).content
    return {item["key"]: item for s in content["sections"] for item in s["items"]}


@pytest.fixture
def office(client, world):
    return Office(client, world["users"]["dispatcher"])


@pytest.fixture
def published(office):
    """A template with one published version holding a check and a measurement."""
    template = office.new_template()
    office.add_item(
        template, "general", "check", {**texts("label", "设备外观", "Casing"), "sense": "look"}
    )
    office.add_item(
        template,
        "general",
        "measurement",
        {**texts("label", "供电电压", "Supply voltage"), "unit": "V", "tolerance": "1"},
    )
    r = office.post(f"/office/templates/{template.id}/versions/1/publish")
    assert r.status_code == 302
    return ChecklistTemplate.get_by_id(template.id)


# -- templates -----------------------------------------------------------------------------


def test_a_new_template_is_a_draft_v1_with_one_empty_section(office, client):
    template = office.new_template()
    v1 = version(template)
    assert (template.status, template.published_version, template.form) == ("draft", 0, "round")
    assert v1.status == "draft"
    assert v1.content["title"]["zh_Hant"] == "日常巡检"
    assert [(s["key"], s["items"]) for s in v1.content["sections"]] == [("general", [])]
    assert rules.validate_template(v1.content) == {}
    # the list speaks the reader's language
    html = office.get("/office/templates").get_data(as_text=True)
    assert "Daily round" in html and "Draft v1" in html
    html = client.get("/office/templates", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "日常巡检" in html


def test_a_bad_new_template_keeps_what_was_typed_and_names_each_problem(office):
    office.new_template(key="taken")
    r = office.post(
        "/office/templates/new",
        {"key": "taken", "form": "round", **texts("title", "月度维护", ""), "title.en": " "},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="月度维护"' in html
    assert "A template with this key exists already." in html
    assert 'id="e-title-en"' in html and "This field may not be empty." in html
    r = office.post("/office/templates/new", {"key": "Bad Key!", "form": "poster"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Bad Key!"' in html
    assert 'id="e-key"' in html and 'id="e-form"' in html
    assert ChecklistTemplate.select().count() == 1


def test_sections_and_every_item_kind_are_built_from_forms(office):
    template = office.new_template(key="report", form="maintenance_report")
    base = f"/office/templates/{template.id}/versions/1"
    r = office.post(f"{base}/sections/new", {**texts("title", "终端", "Terminals"), "repeat": "on"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#section-terminals")
    r = office.post(f"{base}/sections/general", {**texts("title", "主机", "Hosts"), "key": ""})
    assert r.status_code == 302

    kinds = [
        (
            "check",
            {**texts("label", "线路外观", "Cables intact"), "sense": "look", "required": "on"},
        ),
        (
            "count_pair",
            {
                **texts("label", "清洁灰尘", "Clean dust"),
                "counts.0.key": "cleaned",
                **texts("counts.0.label", "清洁", "cleaned"),
                "counts.1.key": "",
                **texts("counts.1.label", "损坏", "damaged"),
                "abnormal_if": "1",
                "abnormal_requires": ["note", "photo"],
                "required": "on",
            },
        ),
        (
            "measurement",
            {
                **texts("label", "供电电压", "Supply voltage"),
                **texts("hint", "与额定值比较", "Compare with the rating"),
                "unit": "V",
                "nominal": "220",
                "tolerance": "1.5",
                "abnormal_requires": "note",
            },
        ),
        ("text", {**texts("label", "备注", "Remarks"), "multiline": "on"}),
        (
            "choice",
            {
                **texts("label", "图像质量", "Picture"),
                "option_rows": "4",
                **texts("options.0.label", "清晰", "clear"),
                **texts("options.1.label", "", ""),  # a blank row is ignored
                **texts("options.2.label", "模糊", "blurred"),
                "options.2.abnormal": "on",
                "options.3.key": "colour",
                **texts("options.3.label", "偏色", "Colour cast"),
                "options.3.abnormal": "on",
            },
        ),
        ("photo", {**texts("label", "机柜照片", "Cabinet photo"), "required": "on"}),
    ]
    for kind, data in kinds:
        r = office.add_item(template, "terminals", kind, data)
        assert r.status_code == 302, (kind, r.get_data(as_text=True))

    content = version(template).content
    assert rules.validate_template(content) == {}
    assert [s["key"] for s in content["sections"]] == ["general", "terminals"]
    assert content["sections"][0]["title"]["en"] == "Hosts"
    assert content["sections"][1]["repeat"] == "equipment"
    items = {i["kind"]: i for i in content["sections"][1]["items"]}
    assert items["check"] == {
        "key": "terminals.cables-intact",
        "kind": "check",
        "label": {"zh_Hans": "线路外观", "zh_Hant": "线路外观", "en": "Cables intact"},
        "required": True,
        "abnormal_requires": [],
        "sense": "look",
    }
    assert items["count_pair"]["counts"][1]["key"] == "damaged"
    assert items["count_pair"]["abnormal_if"] == "damaged"
    assert items["count_pair"]["abnormal_requires"] == ["note", "photo"]
    assert (items["measurement"]["nominal"], items["measurement"]["tolerance"]) == (220, 1.5)
    assert items["measurement"]["required"] is False
    assert items["measurement"]["hint"]["en"] == "Compare with the rating"
    assert items["text"]["multiline"] is True and "abnormal_requires" not in items["text"]
    assert [o["key"] for o in items["choice"]["options"]] == ["clear", "blurred", "colour"]
    assert items["choice"]["abnormal_options"] == ["blurred", "colour"]
    assert items["photo"]["key"] == "terminals.cabinet-photo"

    # the preview shows it as the engineer will see it, in the reader's language
    html = office.get(f"{base}").get_data(as_text=True)
    assert "Asked once for every device" in html
    assert "Rated 220 V, tolerance ±1.5" in html and "Colour cast" in html
    assert "Take a photo" in html


def test_a_bad_item_is_refused_next_to_its_fields_and_keeps_what_was_typed(office):
    template = office.new_template()
    before = version(template).content
    r = office.add_item(
        template,
        "general",
        "measurement",
        {
            **texts("label", "电压", ""),
            "unit": "",
            "nominal": "two hundred",
            "tolerance": "-1",
            "key": "general.volts",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="two hundred"' in html and 'value="general.volts"' in html
    assert 'value="电压"' in html
    for field in ("label-en", "unit", "nominal", "tolerance"):
        assert f'id="e-{field}"' in html, field
    assert "Give a unit of at most 16 characters, such as V." in html
    assert "The tolerance may not be negative." in html
    assert version(template).content == before

    # errors of an option land on the row it was typed in, past a blank row
    r = office.add_item(
        template,
        "general",
        "choice",
        {
            **texts("label", "状态", "State"),
            "option_rows": "3",
            "options.0.key": "ok",
            **texts("options.0.label", "好", "good"),
            "options.2.key": "ok",
            **texts("options.2.label", "坏", "bad"),
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="e-options-2-key"' in html and "This key is used twice." in html
    assert 'id="e-options-0-key"' not in html
    assert 'value="坏"' in html


def test_an_item_key_used_twice_is_refused(office, published):
    r = office.post(f"/office/templates/{published.id}/new-version")
    assert r.status_code == 302
    r = office.add_item(
        published,
        "general",
        "check",
        {**texts("label", "外观", "Look"), "sense": "look", "key": "general.casing"},
        number=2,
    )
    assert r.status_code == 422
    assert "This key is used twice." in r.get_data(as_text=True)


def test_publishing_freezes_the_version_for_pages_and_operations(office, published, world):
    assert (published.status, published.published_version) == ("published", 1)
    v1 = version(published)
    assert v1.status == "published" and v1.published_at is not None
    frozen = v1.content
    base = f"/office/templates/{published.id}/versions/1"
    for method, url, data in [
        ("get", f"{base}/items/general.casing", None),
        ("post", f"{base}/items/general.casing", {**texts("label", "改", "Changed")}),
        ("post", f"{base}/items/general.casing/delete", {}),
        ("post", f"{base}/sections/new", texts("title", "新", "New")),
        ("post", f"{base}/title", texts("title", "新", "New")),
        ("post", f"{base}/publish", {}),
    ]:
        r = office.get(url) if method == "get" else office.post(url, data)
        html = r.get_data(as_text=True)
        assert r.status_code == 409, url
        assert "This version is published and frozen. Make a new version to change it." in html
    with pytest.raises(ApiError) as refused:
        ops.save_draft(v1, actor=world["users"]["admin"], content=frozen)
    assert (refused.value.status, refused.value.code) == (409, "published")
    assert version(published).content == frozen
    html = office.get(f"/office/templates/{published.id}").get_data(as_text=True)
    assert "Published, frozen: make a new version to change it." in html


def test_a_new_version_copies_keeps_keys_and_publishes_while_v1_stays(office, published):
    v1_content = version(published).content
    r = office.post(f"/office/templates/{published.id}/new-version")
    assert r.status_code == 302
    v2 = version(published, 2)
    assert v2.status == "draft" and v2.content == v1_content
    base = f"/office/templates/{published.id}/versions/2"
    html = office.get(f"{base}/items/general.casing").get_data(as_text=True)
    assert 'name="key"' not in html and "the key stays" in html
    r = office.post(
        f"{base}/items/general.casing",
        {
            **texts("label", "外壳与线缆", "Casing and cables"),
            "key": "general.renamed",
            "sense": "touch",
            "required": "on",
        },
    )
    assert r.status_code == 302
    r = office.add_item(published, "general", "text", texts("label", "备注", "Notes"), number=2)
    assert r.status_code == 302
    r = office.post(f"{base}/publish")
    assert r.status_code == 302
    v2_items = items_of(published, 2)
    assert v2_items["general.casing"]["label"]["en"] == "Casing and cables"
    assert v2_items["general.casing"]["sense"] == "touch"
    assert "general.notes" in v2_items
    assert version(published).content == v1_content
    template = ChecklistTemplate.get_by_id(published.id)
    assert template.published_version == 2
    html = office.get(f"/office/templates/{published.id}/versions/1").get_data(as_text=True)
    assert "Casing" in html and "Casing and cables" not in html
    # asking again while a draft is open gives the same draft
    office.post(f"/office/templates/{published.id}/new-version")
    office.post(f"/office/templates/{published.id}/new-version")
    assert TemplateVersion.select().where(TemplateVersion.template == published).count() == 3


def test_the_office_chooses_whether_the_client_signs_a_checklist(office, published):
    office.post(f"/office/templates/{published.id}/new-version")
    base = f"/office/templates/{published.id}/versions/2"
    page = office.get(f"/office/templates/{published.id}").get_data(as_text=True)
    assert "The client accepts and signs" in page  # the default, shown for v1 and the draft
    title = {**texts("title", "日常巡检", "Daily round")}
    r = office.post(f"{base}/title", {**title, "acceptance": "nobody"})
    assert r.status_code == 422 and 'id="e-acceptance"' in r.get_data(as_text=True)
    assert "acceptance" not in version(published, 2).content
    r = office.post(f"{base}/title", {**title, "acceptance": "none"})
    assert r.status_code == 302
    assert version(published, 2).content["acceptance"] == "none"
    html = office.get(f"{base}/title").get_data(as_text=True)
    assert '<option value="none" selected>' in html
    r = office.post(f"{base}/title", {**title, "acceptance": "client"})
    assert "acceptance" not in version(published, 2).content  # the default is not written
    office.post(f"{base}/title", {**title, "acceptance": "none"})
    office.post(f"{base}/publish")
    page = office.get(f"/office/templates/{published.id}").get_data(as_text=True)
    assert "No signature: submitting closes the round" in page


def test_moving_and_deleting_sections_and_items(office, published):
    office.post(f"/office/templates/{published.id}/new-version")
    base = f"/office/templates/{published.id}/versions/2"
    office.post(f"{base}/items/general.supply-voltage/move", {"direction": "up"})
    assert list(items_of(published, 2)) == ["general.supply-voltage", "general.casing"]
    office.post(f"{base}/items/general.supply-voltage/move", {"direction": "up"})  # at the top
    assert list(items_of(published, 2)) == ["general.supply-voltage", "general.casing"]
    office.post(f"{base}/sections/new", {**texts("title", "附件", "Extras"), "key": "extras"})
    office.post(f"{base}/sections/extras/move", {"direction": "up"})
    sections = [s["key"] for s in version(published, 2).content["sections"]]
    assert sections == ["extras", "general"]
    r = office.post(f"{base}/sections/general/delete")
    assert r.status_code == 302
    follow = office.get(r.headers["Location"]).get_data(as_text=True)
    assert "Only an empty section can be deleted." in follow
    assert len(version(published, 2).content["sections"]) == 2
    office.post(f"{base}/items/general.casing/delete")
    assert list(items_of(published, 2)) == ["general.supply-voltage"]
    office.post(f"{base}/sections/extras/delete")
    assert [s["key"] for s in version(published, 2).content["sections"]] == ["general"]
    assert "general.casing" in items_of(published, 1)  # v1 is untouched


def test_an_item_without_a_required_flag_opens_as_required_and_stays_so(office, app):
    with app.app_context():
        ops.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    first = version(template).content["sections"][0]["items"][0]
    assert "required" not in first  # absent means required
    office.post(f"/office/templates/{template.id}/new-version")
    url = f"/office/templates/{template.id}/versions/2/items/{first['key']}"
    html = office.get(url).get_data(as_text=True)
    assert '<input type="checkbox" name="required" checked>' in html
    r = office.post(
        url, {**texts("label", "开机", "Power on"), "sense": "function", "required": "on"}
    )
    assert r.status_code == 302
    assert items_of(template, 2)[first["key"]]["required"] is True


def test_an_empty_template_cannot_be_published(office):
    template = office.new_template()
    r = office.post(f"/office/templates/{template.id}/versions/1/publish")
    assert r.status_code == 302
    html = office.get(r.headers["Location"]).get_data(as_text=True)
    assert "A template needs at least one item before it can be published." in html
    assert version(template).status == "draft"


def test_retiring_hides_the_template_from_schedules(office, published, world):
    site = world["sites"][0]
    assert "Daily round" in office.get("/office/schedules/new").get_data(as_text=True)
    r = office.post(f"/office/templates/{published.id}/retire")
    assert r.status_code == 302
    assert ChecklistTemplate.get_by_id(published.id).status == "retired"
    assert "Daily round" not in office.get("/office/schedules/new").get_data(as_text=True)
    r = office.post(
        "/office/schedules/new",
        {"template_id": str(published.id), "site_id": str(site.id), "frequency": "daily"},
    )
    assert r.status_code == 422
    assert "This template is retired; choose another one." in r.get_data(as_text=True)
    r = office.post(f"/office/templates/{published.id}/new-version")
    assert r.status_code == 409 and "retired" in r.get_data(as_text=True)
    assert Schedule.select().count() == 0


# -- schedules -----------------------------------------------------------------------------


def test_schedules_are_created_checked_edited_and_deactivated(office, published, world):
    site_a, site_b = world["sites"]
    room_a, room_b = world["locations"]
    good = {
        "template_id": str(published.id),
        "site_id": str(site_a.id),
        "location_id": str(room_a.id),
        "system": "audio",
        "frequency": "weekly",
        "starts_on": "2026-11-23",
    }
    for change, field, message in [
        (
            {"location_id": str(room_b.id)},
            "location_id",
            "This location is not at the chosen site.",
        ),
        ({"system": "plumbing"}, "system", "Choose one of:"),
        ({"frequency": "hourly"}, "frequency", "Choose one of:"),
        ({"template_id": str(uuid.uuid4())}, "template_id", "No such template."),
        ({"site_id": "not-an-id"}, "site_id", "Not a valid UUID."),
        ({"starts_on": "23/11/2026"}, "starts_on", "Not a valid date."),
        ({"template_id": "", "site_id": ""}, "template_id", "Choose a template."),
        ({"site_id": ""}, "site_id", "Choose a site."),
    ]:
        r = office.post("/office/schedules/new", {**good, **change})
        html = r.get_data(as_text=True)
        assert r.status_code == 422, change
        assert f'id="e-{field}"' in html and message in html, change
    assert Schedule.select().count() == 0

    r = office.post("/office/schedules/new", good)
    assert r.status_code == 302
    schedule = Schedule.get()
    assert (schedule.location_id, schedule.system, schedule.frequency) == (
        room_a.id,
        "audio",
        "weekly",
    )
    assert str(schedule.starts_on) == "2026-11-23" and schedule.active

    other = create_location(site_b, "配电间")
    r = office.post(
        "/office/schedules/new",
        {"template_id": str(published.id), "site_id": str(site_b.id), "frequency": "quarterly"},
    )
    assert r.status_code == 302
    whole_site = Schedule.get(Schedule.site == site_b)
    assert whole_site.location_id is None and whole_site.system == ""

    # editing: moving the site without the location is refused, with the location it is fine
    url = f"/office/schedules/{schedule.id}"
    r = office.post(url, {**good, "site_id": str(site_b.id)})
    assert r.status_code == 422
    r = office.post(url, {**good, "site_id": str(site_b.id), "location_id": str(other.id)})
    assert r.status_code == 302
    assert Schedule.get_by_id(schedule.id).location_id == other.id

    html = office.get(f"/office/schedules?site_id={site_a.id}").get_data(as_text=True)
    assert "0 schedules" in html
    html = office.get(f"/office/schedules?site_id={site_b.id}").get_data(as_text=True)
    assert "2 schedules" in html and "Quarterly" in html and "配电间" in html

    r = office.post(f"/office/schedules/{schedule.id}/deactivate")
    assert r.status_code == 302 and not Schedule.get_by_id(schedule.id).active
    r = office.post(f"/office/schedules/{schedule.id}/reactivate")
    assert r.status_code == 302 and Schedule.get_by_id(schedule.id).active


def test_schedule_operations_check_the_same_rules(app, world, published):
    site_a, _site_b = world["sites"]
    with app.test_request_context(headers=EN):
        with pytest.raises(ApiError) as refused:
            schedule_ops.create_schedule(
                actor=None,
                data={
                    "template_id": published.id,
                    "site_id": site_a.id,
                    "location_id": world["locations"][1].id,
                    "frequency": "monthly",
                },
            )
        assert set(refused.value.fields) == {"location_id"}
        # 07:30 in China, still yesterday in UTC: a schedule made now starts on the Chinese day.
        app.config["CLOCK"] = lambda: datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
        schedule = schedule_ops.create_schedule(
            actor=None,
            data={"template_id": published.id, "site_id": site_a.id, "frequency": "monthly"},
        )
        assert schedule.starts_on == date(2026, 12, 1), "a new schedule's last period was due"
        ops.retire(published, actor=None)
        with pytest.raises(ApiError) as refused:
            schedule_ops.reactivate_schedule(
                schedule_ops.deactivate_schedule(schedule, actor=None), actor=None
            )
        assert set(refused.value.fields) == {"template_id"}


# -- who may, and what does not exist -------------------------------------------------------


@pytest.mark.parametrize("role", ["engineer", "client"])
def test_engineers_and_clients_are_refused(client, world, published, role):
    token = sign_in_as(client, world["users"][role])
    for url in [
        "/office/templates",
        f"/office/templates/{published.id}",
        f"/office/templates/{published.id}/versions/1",
        "/office/schedules",
        "/office/schedules/new",
    ]:
        assert client.get(url).status_code == 403, url
    r = client.post(f"/office/templates/{published.id}/retire", data={"csrf_token": token})
    assert r.status_code == 403
    assert ChecklistTemplate.get_by_id(published.id).status == "published"


def test_unknown_ids_are_404_and_a_missing_token_is_refused(office, published):
    base = f"/office/templates/{published.id}"
    for url in [
        f"/office/templates/{uuid.uuid4()}",
        "/office/templates/not-a-uuid",
        f"{base}/versions/9",
        f"{base}/versions/99999999999999999999999",
        f"/office/schedules/{uuid.uuid4()}",
    ]:
        assert office.get(url).status_code == 404, url
    office.post(f"{base}/new-version")
    assert office.get(f"{base}/versions/2/sections/nothing").status_code == 404
    assert office.get(f"{base}/versions/2/items/general.nothing").status_code == 404
    assert office.get(f"{base}/versions/2/sections/general/items/new?kind=dance").status_code == 400
    r = office.client.post(f"{base}/retire", data={}, headers=EN)
    assert r.status_code == 403
    assert ChecklistTemplate.get_by_id(published.id).status == "published"
