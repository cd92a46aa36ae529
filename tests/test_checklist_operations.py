"""Templates and versions: drafts change, published versions never do; shipped ones install once."""

from __future__ import annotations

import copy

import pytest

from tests.factories import create_user
from webapp.checklists import operations as ops
from webapp.checklists.content import expand, validate_template
from webapp.errors import ApiError
from webapp.models import AuditEntry, ChecklistTemplate, Schedule, Site, TemplateVersion
from webapp.models.choices import CLIENT_TYPES


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh, "zh_Hant": zh, "en": en}


def _content(*labels: str) -> dict:
    return {
        "title": _label("空调巡检", "Air-conditioning round"),
        "form": "round",
        "sections": [
            {
                "key": "main",
                "title": _label("空调", "Air conditioning"),
                "items": [
                    {
                        "key": f"item{i}",
                        "kind": "check",
                        "sense": "look",
                        "label": _label(label, label),
                    }
                    for i, label in enumerate(labels)
                ],
            }
        ],
    }


def _new(actor=None, key="ac-round"):
    return ops.create_template(
        actor=actor,
        key=key,
        form="round",
        title=_label("空调巡检", "Air-conditioning round"),
        content=_content("滤网"),
    )


def test_a_new_template_is_a_draft_with_version_one(app):
    admin = create_user("admin", "adm")
    template = _new(admin)
    assert (template.status, template.published_version, template.shipped) == ("draft", 0, False)
    (version,) = template.versions
    assert (version.number, version.status, version.created_by_id) == (1, "draft", admin.id)
    assert template.server_seq > 0 and version.server_seq > 0
    assert AuditEntry.select().where(AuditEntry.entity_id == str(version.id)).exists()


def test_template_keys_are_checked_and_unique(app):
    _new()
    with pytest.raises(ApiError) as twice:
        _new()
    assert twice.value.status == 422 and "key" in twice.value.fields
    with pytest.raises(ApiError) as bad:
        _new(key="Air Con")
    assert "key" in bad.value.fields
    assert ChecklistTemplate.select().count() == 1


def test_a_draft_can_be_saved_until_it_is_published_then_never(app):
    template = _new()
    draft = ops.draft_version(template)
    ops.save_draft(draft, actor=None, content=_content("滤网", "冷凝水"))
    assert TemplateVersion.get_by_id(draft.id).content == _content("滤网", "冷凝水")
    ops.publish(draft, actor=None)
    template = ChecklistTemplate.get_by_id(template.id)
    assert (template.status, template.published_version) == ("published", 1)
    frozen = TemplateVersion.get_by_id(draft.id)
    assert frozen.status == "published" and frozen.published_at is not None
    with pytest.raises(ApiError) as refused:
        ops.save_draft(frozen, actor=None, content=_content("改了"))
    assert (refused.value.status, refused.value.code) == (409, "published")
    with pytest.raises(ApiError) as again:
        ops.publish(frozen, actor=None)
    assert again.value.code == "published"
    assert TemplateVersion.get_by_id(draft.id).content == _content("滤网", "冷凝水")


def test_invalid_content_is_refused_with_the_paths_of_the_errors(app):
    template = _new()
    draft = ops.draft_version(template)
    bad = _content("滤网")
    bad["sections"][0]["items"][0]["label"]["en"] = ""
    bad["sections"][0]["items"][0]["sense"] = "taste"
    with pytest.raises(ApiError) as refused:
        ops.save_draft(draft, actor=None, content=bad)
    assert refused.value.status == 422
    assert set(refused.value.fields) == {
        "sections.0.items.0.label.en",
        "sections.0.items.0.sense",
    }
    other_form = _content("滤网")
    other_form["form"] = "maintenance_report"
    with pytest.raises(ApiError) as wrong_form:
        ops.save_draft(draft, actor=None, content=other_form)
    assert "form" in wrong_form.value.fields
    assert TemplateVersion.get_by_id(draft.id).version == 1  # nothing written


def test_invalid_content_in_the_database_is_not_published(app):
    template = _new()
    draft = ops.draft_version(template)
    TemplateVersion.update(content={"title": {}, "form": "round", "sections": []}).execute()
    draft = TemplateVersion.get_by_id(draft.id)
    with pytest.raises(ApiError):
        ops.publish(draft, actor=None)
    empty = _content()
    TemplateVersion.update(content=empty).execute()
    with pytest.raises(ApiError) as no_items:
        ops.publish(TemplateVersion.get_by_id(draft.id), actor=None)
    assert "sections" in no_items.value.fields
    assert ChecklistTemplate.get_by_id(template.id).published_version == 0


def test_new_draft_copies_the_latest_version_and_is_reused(app):
    template = _new()
    ops.publish(ops.draft_version(template), actor=None)
    draft = ops.new_draft(template, actor=None)
    assert (draft.number, draft.status) == (2, "draft")
    assert draft.content == _content("滤网")
    assert ops.new_draft(template, actor=None).id == draft.id
    ops.save_draft(draft, actor=None, content=_content("滤网", "风机"))
    ops.publish(draft, actor=None)
    template = ChecklistTemplate.get_by_id(template.id)
    assert template.published_version == 2
    first = TemplateVersion.get(template=template, number=1)
    assert first.content == _content("滤网")  # version 1 stays for the rounds that used it
    assert ops.new_draft(template, actor=None).number == 3


def test_a_retired_template_keeps_its_versions_and_takes_no_new_draft(app):
    template = _new()
    ops.publish(ops.draft_version(template), actor=None)
    waiting = ops.new_draft(template, actor=None)
    ops.retire(template, actor=None)
    with pytest.raises(ApiError) as not_published:
        ops.publish(waiting, actor=None)
    assert not_published.value.code == "retired"
    template = ChecklistTemplate.get_by_id(template.id)
    assert template.status == "retired" and template.published_version == 1
    with pytest.raises(ApiError) as refused:
        ops.new_draft(template, actor=None)
    assert refused.value.code == "retired"
    assert TemplateVersion.get_by_id(waiting.id).status == "draft"
    assert ops.published_version(template).number == 1


def test_installing_the_shipped_templates_publishes_version_one(app):
    done = ops.install_shipped()
    assert len(done) == 3 and all("installed" in line for line in done)
    for key, form in (
        ("daily-round", "round"),
        ("maintenance-report", "maintenance_report"),
        ("contact-form", "contact_form"),
    ):
        template = ChecklistTemplate.get(ChecklistTemplate.key == key)
        assert (template.form, template.status, template.published_version) == (
            form,
            "published",
            1,
        )
        assert template.shipped
        version = ops.published_version(template)
        assert version.content == ops.shipped_content(key)
        assert validate_template(version.content) == {}


def test_installing_twice_changes_nothing(app):
    ops.install_shipped()
    seqs = {t.id: t.server_seq for t in ChecklistTemplate.select()}
    count = TemplateVersion.select().count()
    done = ops.install_shipped()
    assert all("unchanged" in line for line in done)
    assert TemplateVersion.select().count() == count
    assert {t.id: t.server_seq for t in ChecklistTemplate.select()} == seqs


def test_changed_shipped_content_is_published_as_a_new_version(app, monkeypatch):
    ops.install_shipped()
    changed = copy.deepcopy(ops.shipped_content("daily-round"))
    changed["sections"][0]["items"][0]["label"]["en"] = "The systems start and run"
    original = ops.shipped_content
    monkeypatch.setattr(
        ops, "shipped_content", lambda key: changed if key == "daily-round" else original(key)
    )
    done = ops.install_shipped()
    assert "version 2 published" in done[0] and "unchanged" in done[1] and "unchanged" in done[2]
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    assert template.published_version == 2
    assert ops.published_version(template).content == changed
    assert TemplateVersion.get(template=template, number=1).content == original("daily-round")
    assert all("unchanged" in line for line in ops.install_shipped())


def test_an_office_change_to_a_shipped_template_survives_reinstalling(app):
    ops.install_shipped()
    template = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    draft = ops.new_draft(template, actor=None)
    content = copy.deepcopy(draft.content)
    content["sections"][0]["items"][0]["required"] = False
    ops.save_draft(draft, actor=None, content=content)
    ops.publish(draft, actor=None)
    assert all("unchanged" in line for line in ops.install_shipped())
    assert ChecklistTemplate.get_by_id(template.id).published_version == 2


def test_shipped_templates_hold_every_item_of_the_paper_forms(app):
    daily = ops.shipped_content("daily-round")
    entries = expand(daily, ["e1"])
    senses = {e["item"]["key"]: e["item"].get("sense") for e in entries}
    assert {"look", "listen", "smell", "touch"} <= set(senses.values())
    per_device = [e for e in entries if e["equipment_id"] == "e1"]
    assert [e["item"]["key"] for e in per_device][:4] == ["look", "listen", "smell", "touch"]
    assert len(per_device) == 7  # 看听闻摸 and three fault-finding checks
    look = next(e["item"] for e in per_device if e["item"]["key"] == "look")
    assert look["abnormal_requires"] == ["note", "photo"]
    assert "明显损坏" in look["label"]["zh_Hans"]

    report = ops.shipped_content("maintenance-report")
    assert report["title"]["zh_Hans"] == "视频、音频、控制系统维护工作报告"
    host, terminal = report["sections"]
    assert (host["title"]["zh_Hans"], terminal["title"]["zh_Hans"]) == ("主机（服务器）", "终端")
    assert len(host["items"]) == 5 and len(terminal["items"]) == 9
    assert [i["kind"] for i in terminal["items"]] == [
        "count_pair",
        "count_pair",
        "count_pair",
        "count_pair",
        "measurement",
        "check",
        "check",
        "check",
        "check",
    ]
    clean = host["items"][0]
    assert [c["key"] for c in clean["counts"]] == ["cleaned", "damaged"]
    assert clean["abnormal_if"] == "damaged"
    voltage = terminal["items"][4]
    assert (voltage["unit"], voltage["nominal"], voltage["tolerance"]) == ("V", None, 1)
    for item in host["items"] + terminal["items"]:
        assert all(item["label"][lang].strip() for lang in ("zh_Hans", "zh_Hant", "en"))


def test_the_contact_form_holds_every_field_of_the_paper_form(app):
    form = ops.shipped_content("contact-form")
    assert form["title"]["zh_Hans"] == "客户服务联络单"
    assert validate_template(form) == {}
    items = {i["key"]: i for s in form["sections"] for i in s["items"]}
    assert list(items) == [
        "client_type",
        "service_requested",
        "handling_plan",
        "result",
        "remarks",
    ]
    labels = {k: i["label"]["zh_Hans"] for k, i in items.items()}
    assert labels == {
        "client_type": "客户属性",
        "service_requested": "待服务内容",
        "handling_plan": "处理方案",
        "result": "处理结果",
        "remarks": "备注",
    }
    # The client's type is prefilled from the client's record: the same keys as the vocabulary.
    assert [o["key"] for o in items["client_type"]["options"]] == list(CLIENT_TYPES)
    results = " ".join(o["label"]["zh_Hans"] for o in items["result"]["options"])
    for words in ("已完成服务", "未完成服务", "需返修、更换设备", "需重新联络", "其它"):
        assert words in results
    assert not items["remarks"]["required"]
    for item in items.values():
        assert all(item["label"][lang].strip() for lang in ("zh_Hans", "zh_Hant", "en"))


def test_cli_installs_and_reports_what_it_did(runner):
    first = runner.invoke(args=["checklists", "install"])
    assert first.exit_code == 0, first.output
    assert "daily-round: installed" in first.output
    assert "maintenance-report: installed" in first.output
    assert "contact-form: installed" in first.output
    again = runner.invoke(args=["checklists", "install"])
    assert again.exit_code == 0 and again.output.count("unchanged") == 3
    assert TemplateVersion.select().count() == 3


def test_seed_demo_installs_the_templates_and_schedules_rounds(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    daily = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    report = ChecklistTemplate.get(ChecklistTemplate.key == "maintenance-report")
    sites = list(Site.live())
    for site in sites:
        schedules = list(Schedule.live().where(Schedule.site == site))
        assert {(s.template_id, s.frequency) for s in schedules} == {
            (daily.id, "daily"),
            (report.id, "monthly"),
        }
        # the report for the site, the daily round for each room (tests/test_cli.py)
        assert [s.location_id for s in schedules if s.template_id == report.id] == [None]
    count = Schedule.select().count()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert Schedule.select().count() == count > 2 * len(sites)
