"""Office pages for checklist templates (versions, publishing, previews) and schedules; the draft
editor's pages (title, sections, items) are in editor.py, on the same blueprint.

Every change to a draft goes through `operations.save_draft`, so the content rules check it;
their errors, keyed by dotted path, are shown next to the form fields of the same name.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from peewee import fn
from werkzeug.datastructures import MultiDict

from ..auth.scope import parse_id
from ..errors import ApiError, not_found
from ..forms import load_form
from ..models import ChecklistTemplate, Location, Round, Schedule, Site, TemplateVersion
from ..models.choices import EQUIPMENT_SYSTEMS
from ..pages import office_page, savepoint
from . import content as rules
from . import forms
from . import operations as ops
from . import schedules as schedule_ops

bp = Blueprint("checklists", __name__, url_prefix="/office")

MAX_VERSION = 1_000_000


class Refused(Exception):
    """A change the template's state does not allow (published version, retired template)."""

    def __init__(self, message: str, template: ChecklistTemplate) -> None:
        super().__init__(message)
        self.message = message
        self.template = template


@bp.errorhandler(Refused)
def _refused(err: Refused):
    template = err.template
    return render_template(
        "checklists/refused.html",
        message=err.message,
        template=template,
        draft=ops.draft_version(template),
    ), 409


@bp.context_processor
def _helpers() -> dict[str, Any]:
    locale = str(get_locale() or "en")
    return {
        "tr": lambda obj: rules.text(obj, locale),
        "langs": forms.LANG_LABELS,
        "form_labels": forms.FORM_LABELS,
        "acceptance_labels": forms.ACCEPTANCE_LABELS,
        "closed_by": lambda content: "client" if rules.client_signs(content) else "none",
        "status_labels": forms.STATUS_LABELS,
        "kind_labels": forms.KIND_LABELS,
        "kind_short": forms.KIND_SHORT,
        "sense_labels": forms.SENSE_LABELS,
        "requirement_labels": forms.REQUIREMENT_LABELS,
        "frequencies": schedule_ops.FREQUENCIES,
        "systems": EQUIPMENT_SYSTEMS,
    }


def _actor():
    return current_user._get_current_object()


def _frozen_message() -> str:
    return _("This version is published and frozen. Make a new version to change it.")


def _retired_message() -> str:
    return _("This template is retired: it starts no new rounds and can no longer change.")


# -- lookups -------------------------------------------------------------------------------


def _template(template_id: str) -> ChecklistTemplate:
    template = ChecklistTemplate.live().where(ChecklistTemplate.id == parse_id(template_id))
    template = template.first()
    if template is None:
        raise not_found()
    return template


def _version(template: ChecklistTemplate, number: int) -> TemplateVersion:
    version = None
    if 0 < number <= MAX_VERSION:
        version = (
            TemplateVersion.live()
            .where((TemplateVersion.template == template) & (TemplateVersion.number == number))
            .first()
        )
    if version is None:
        raise not_found()
    version.template = template
    return version


def _draft(template_id: str, number: int) -> TemplateVersion:
    """The version, as long as it may still change."""
    template = _template(template_id)
    version = _version(template, number)
    if template.status == "retired":
        raise Refused(_retired_message(), template)
    if version.status != "draft":
        raise Refused(_frozen_message(), template)
    return version


def _section_index(version: TemplateVersion, section_key: str) -> int:
    index = forms.find_section(version.content, section_key)
    if index is None:
        raise not_found()
    return index


def _item_place(version: TemplateVersion, item_key: str) -> tuple[int, int]:
    where = forms.find_item(version.content, item_key)
    if where is None:
        raise not_found()
    return where


def _locked_keys(template: ChecklistTemplate) -> set[str]:
    published = TemplateVersion.live().where(
        (TemplateVersion.template == template) & (TemplateVersion.status == "published")
    )
    return forms.frozen_keys([v.content for v in published])


def _rounds_by_version(versions: list[TemplateVersion]) -> dict[Any, int]:
    if not versions:
        return {}
    rows = (
        Round.select(Round.template_version, fn.COUNT(Round.id))
        .where(Round.deleted_at.is_null() & Round.template_version.in_([v.id for v in versions]))
        .group_by(Round.template_version)
        .tuples()
    )
    return dict(rows)


def _to_template(version: TemplateVersion, anchor: str = ""):
    url = url_for("checklists.template", template_id=version.template_id)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _save(version: TemplateVersion, content: dict[str, Any]) -> dict[str, list[str]]:
    """Save the draft's new content; {} when saved, else the errors by dotted path."""
    try:
        with savepoint():
            fresh = TemplateVersion.get_by_id(version.id)  # published meanwhile?
            fresh.template = version.template
            ops.save_draft(fresh, actor=_actor(), content=content)
    except ApiError as err:
        if err.code == "published":
            raise Refused(_frozen_message(), version.template) from None
        return err.fields or {"_": [err.message]}
    return {}


# -- templates -----------------------------------------------------------------------------


@bp.route("/templates")
@office_page
def templates():
    rows = list(ChecklistTemplate.live().order_by(ChecklistTemplate.key))
    counts = dict(
        Round.select(TemplateVersion.template, fn.COUNT(Round.id))
        .join(TemplateVersion)
        .where(Round.deleted_at.is_null())
        .group_by(TemplateVersion.template)
        .tuples()
    )
    drafts = {
        template_id: number
        for template_id, number in TemplateVersion.select(
            TemplateVersion.template, fn.MAX(TemplateVersion.number)
        )
        .where(TemplateVersion.deleted_at.is_null() & (TemplateVersion.status == "draft"))
        .group_by(TemplateVersion.template)
        .tuples()
    }
    return render_template(
        "checklists/templates.html", templates=rows, rounds=counts, drafts=drafts
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@office_page
def new_template():
    if request.method == "GET":
        return render_template(
            "checklists/template_new.html", values=MultiDict({"form": "round"}), errors={}
        )
    args = forms.new_template(request.form)
    try:
        with savepoint():
            template = ops.create_template(actor=_actor(), **args)
    except ApiError as err:
        errors = forms.errors_under(
            err.fields or {"_": [err.message]}, "", shown=forms.shown_fields(request.form)
        )
        return render_template(
            "checklists/template_new.html", values=request.form, errors=errors
        ), 422
    flash(_("Template created with a first draft. Add its items, then publish it."))
    return redirect(url_for("checklists.template", template_id=template.id))


@bp.route("/templates/<template_id>")
@office_page
def template(template_id):
    template = _template(template_id)
    versions = list(
        TemplateVersion.live()
        .where(TemplateVersion.template == template)
        .order_by(TemplateVersion.number.desc())
    )
    draft = next((v for v in versions if v.status == "draft"), None)
    return render_template(
        "checklists/template.html",
        template=template,
        versions=versions,
        draft=draft,
        rounds=_rounds_by_version(versions),
        locked=_locked_keys(template),
        schedules=Schedule.live().where((Schedule.template == template) & Schedule.active).count(),
        title_values=forms.title_values(draft.content) if draft else forms.section_values(None),
        in_use=next((v for v in versions if v.number == template.published_version), None),
    )


@bp.route("/templates/<template_id>/new-version", methods=["POST"])
@office_page
def new_version(template_id):
    template = _template(template_id)
    if template.status == "retired":
        raise Refused(_retired_message(), template)
    with savepoint():
        draft = ops.new_draft(template, actor=_actor())
    flash(_("Version %(number)d is a draft: change it, then publish it.", number=draft.number))
    return redirect(url_for("checklists.template", template_id=template.id) + "#draft")


@bp.route("/templates/<template_id>/retire", methods=["POST"])
@office_page
def retire(template_id):
    template = _template(template_id)
    if template.status != "retired":
        with savepoint():
            ops.retire(template, actor=_actor())
    flash(_("Template retired: no new rounds start from it. Its rounds keep their version."))
    return redirect(url_for("checklists.template", template_id=template.id))


@bp.route("/templates/<template_id>/versions/<int:number>")
@office_page
def preview(template_id, number):
    template = _template(template_id)
    version = _version(template, number)
    return render_template("checklists/preview.html", template=template, version=version)


@bp.route("/templates/<template_id>/versions/<int:number>/publish", methods=["POST"])
@office_page
def publish(template_id, number):
    version = _draft(template_id, number)
    try:
        with savepoint():
            ops.publish(version, actor=_actor())
    except ApiError as err:
        if err.code == "published":
            raise Refused(_frozen_message(), version.template) from None
        messages = [m for ms in (err.fields or {}).values() for m in ms] or [err.message]
        flash(_("Not published: %(reasons)s", reasons=" ".join(messages)), "error")
        return _to_template(version, "draft")
    flash(_("Version %(number)d is published and frozen.", number=version.number))
    return _to_template(version)


# -- schedules -----------------------------------------------------------------------------


def _schedule(schedule_id: str) -> Schedule:
    schedule = Schedule.live().where(Schedule.id == parse_id(schedule_id)).first()
    if schedule is None:
        raise not_found()
    return schedule


def _schedule_choices(current: Schedule | None) -> dict[str, Any]:
    templates = list(schedule_ops.schedulable_templates())
    if current is not None and all(t.id != current.template_id for t in templates):
        templates.append(current.template)  # retired since: shown so the form says so
    sites = list(Site.live().order_by(Site.name))
    locations: dict[Any, list[Location]] = {}
    for location in Location.live().order_by(Location.name):
        locations.setdefault(location.site_id, []).append(location)
    return {"templates": templates, "sites": sites, "locations": locations}


def _schedule_form(schedule: Schedule | None):
    page = {"schedule": schedule, **_schedule_choices(schedule)}
    if request.method == "GET":
        if schedule is not None:
            values = forms.schedule_values(schedule)
        else:
            values = MultiDict({"frequency": "daily", "site_id": request.args.get("site_id", "")})
        return render_template("checklists/schedule_form.html", values=values, errors={}, **page)
    data, errors = load_form(forms.ScheduleForm(), forms.schedule_data(request.form))
    if data is not None:
        try:
            with savepoint():
                if schedule is None:
                    schedule_ops.create_schedule(actor=_actor(), data=data)
                else:
                    schedule_ops.update_schedule(schedule, actor=_actor(), changes=data)
        except ApiError as err:
            errors = err.fields or {"_": [err.message]}
        else:
            flash(_("Saved."))
            return redirect(url_for("checklists.schedules", site_id=str(data["site_id"])))
    return render_template(
        "checklists/schedule_form.html", values=request.form, errors=errors, **page
    ), 422


@bp.route("/schedules")
@office_page
def schedules():
    site_id = request.args.get("site_id") or ""
    query = (
        Schedule.live()
        .join(Site)
        .switch(Schedule)
        .join(ChecklistTemplate)
        .order_by(Site.name, ChecklistTemplate.key, Schedule.created_at)
    )
    if site_id:
        try:
            query = query.where(Schedule.site == parse_id(site_id))
        except ApiError:
            query = query.where(False)
    return render_template(
        "checklists/schedules.html",
        rows=list(query.limit(2000)),
        site_id=site_id,
        sites=Site.live().order_by(Site.name),
    )


@bp.route("/schedules/new", methods=["GET", "POST"])
@office_page
def new_schedule():
    return _schedule_form(None)


@bp.route("/schedules/<schedule_id>", methods=["GET", "POST"])
@office_page
def edit_schedule(schedule_id):
    return _schedule_form(_schedule(schedule_id))


@bp.route("/schedules/<schedule_id>/deactivate", methods=["POST"])
@office_page
def deactivate_schedule(schedule_id):
    schedule = _schedule(schedule_id)
    with savepoint():
        schedule_ops.deactivate_schedule(schedule, actor=_actor())
    flash(_("Schedule deactivated: no new rounds fall due."))
    return redirect(url_for("checklists.schedules", site_id=str(schedule.site_id)))


@bp.route("/schedules/<schedule_id>/reactivate", methods=["POST"])
@office_page
def reactivate_schedule(schedule_id):
    schedule = _schedule(schedule_id)
    try:
        with savepoint():
            schedule_ops.reactivate_schedule(schedule, actor=_actor())
    except ApiError as err:
        reasons = " ".join(m for ms in (err.fields or {}).values() for m in ms) or err.message
        flash(_("Not reactivated: %(reasons)s", reasons=reasons), "error")
    else:
        flash(_("Schedule active again."))
    return redirect(url_for("checklists.schedules", site_id=str(schedule.site_id)))


from . import editor  # noqa: E402, F401 - the draft editor's routes, on this blueprint
