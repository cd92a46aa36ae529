"""Office pages (server-rendered, desktop-friendly) for dispatchers and admins."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import clock
from ..auth import scope, sessions
from ..auth.login import current_session
from ..auth.operations import get_session_of, may_end_sessions
from ..auth.scope import parse_id
from ..errors import ApiError, not_found
from ..forms import form_to_data, load_form, values_of
from ..inventory.operations import search_equipment
from ..inventory.schemas import office_filters
from ..models import (
    Assignment,
    AuditEntry,
    Client,
    Equipment,
    Location,
    RecordHistory,
    Site,
    SiteDay,
    SyncConflict,
    User,
)
from ..models.choices import EQUIPMENT_STATUSES, EQUIPMENT_SYSTEMS, SITE_DAY_KINDS
from ..pages import form_errors, office_page, safe_next, savepoint
from ..passkeys import operations as passkey_ops
from ..sites import operations as site_ops
from ..sites.schemas import SiteDayIn
from ..sync import conflicts as conflict_ops
from .resources import RESOURCES, Resource

bp = Blueprint("office", __name__, url_prefix="/office")
SITE_DAYS_SHOWN_BACK = 62  # the site page lists exceptions from two months back on


def _resource(key: str) -> Resource:
    resource = RESOURCES.get(key)
    if resource is None:
        abort(404)
    return resource


def _record(resource: Resource, record_id: str):
    model = resource.model
    query = model.select().where(model.id == parse_id(record_id))
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_null())
    record = query.first()
    if record is None:
        raise not_found()
    return record


@bp.route("/")
@office_page
def dashboard():
    counts = {
        "clients": Client.live().count(),
        "sites": Site.live().count(),
        "locations": Location.live().count(),
        "equipment": Equipment.live().count(),
        "users": User.select().count(),
    }
    recent = AuditEntry.select().order_by(AuditEntry.id.desc()).limit(15)
    return render_template(
        "office/dashboard.html", counts=counts, recent=recent, resources=RESOURCES
    )


@bp.route("/audit")
@office_page
def audit():
    entries = AuditEntry.select().order_by(AuditEntry.id.desc()).limit(500)
    return render_template("office/audit.html", entries=entries)


@bp.route("/conflicts")
@office_page
def conflicts():
    status = request.args.get("status", "open")
    if status not in conflict_ops.STATUSES:
        status = "open"
    rows = conflict_ops.list_conflicts(current_user, status=status)
    return render_template("office/conflicts.html", status=status, **_conflict_table(rows))


def _conflict_table(rows: list[SyncConflict]) -> dict:
    """What office/_conflict_table.html shows besides the conflicts: names, not ids."""
    names = {
        str(e.id): e.name
        for e in Equipment.select(Equipment.id, Equipment.name).where(
            Equipment.id.in_({c.entity_id for c in rows})
        )
    }
    site_names = {
        str(s.id): s.name
        for s in Site.select(Site.id, Site.name).where(Site.id.in_({c.site_id for c in rows}))
    }
    return {
        "conflicts": rows,
        "names": names,
        "site_names": site_names,
        "conflict_values": conflict_ops.readable_values(rows),
        "field_labels": conflict_ops.FIELD_LABELS,
    }


@bp.route("/conflicts/<conflict_id>/resolve", methods=["POST"])
@office_page
def resolve_conflict(conflict_id):
    choice = request.form.get("choice", "")
    if choice not in ("server", "client"):
        abort(400)
    try:
        with savepoint():
            conflict_ops.resolve_conflict(
                conflict_ops.get_conflict(current_user, conflict_id),
                actor=current_user._get_current_object(),
                choice=choice,
            )
    except ApiError as err:
        flash(err.message, "error")
    else:
        flash(_("Conflict resolved."))
    return redirect(safe_next(request.form.get("next")) or url_for("office.conflicts"))


@bp.route("/<key>")
@office_page
def index(key):
    resource = _resource(key)
    query = resource.query()
    filters: dict = {}
    errors: dict = {}
    if key == "equipment":
        filters, loaded, errors = office_filters(request.args)
        query = query.where(False) if errors else search_equipment(query, **loaded)
    if errors:
        reasons = " ".join(m for messages in errors.values() for m in messages)
        flash(_("This search cannot be used: %(reasons)s", reasons=reasons), "error")
    rows = list(query.limit(2000))
    return render_template(
        "office/list.html",
        resource=resource,
        rows=rows,
        filters=filters,
        sites=Site.live().order_by(Site.name),
        systems=EQUIPMENT_SYSTEMS,
        statuses=EQUIPMENT_STATUSES,
    ), (422 if errors else 200)


def _save(resource: Resource, record=None):
    editing = record is not None
    data = form_to_data(request.form, resource.fields, editing=editing)
    schema = resource.schema_patch() if editing else resource.schema_in()
    loaded, errors = load_form(schema, data)
    if loaded is not None:
        try:
            with savepoint():
                if editing:
                    saved = resource.update(record, current_user, loaded)
                else:
                    saved = resource.create(current_user, loaded)
        except ApiError as err:
            errors = form_errors(err)
        else:
            flash(_("Saved."))
            if resource.detail_endpoint:
                return redirect(url_for(resource.detail_endpoint, record_id=saved.id))
            return redirect(
                safe_next(request.args.get("back")) or url_for("office.index", key=resource.key)
            )
    return render_template(
        "office/form.html",
        resource=resource,
        record=record,
        values=request.form,
        errors=errors,
    ), 422


@bp.route("/<key>/new", methods=["GET", "POST"])
@office_page
def create(key):
    resource = _resource(key)
    if request.method == "POST":
        return _save(resource)
    values = {f.name: request.args.get(f.name, "") for f in resource.fields}
    defaults = resource.schema_in().load_fields
    for name, field in defaults.items():
        if (
            not values.get(name)
            and field.load_default not in (None, "")
            and not callable(field.load_default)
        ):
            values[name] = field.load_default
    if "active" in values:
        values["active"] = True
    return render_template(
        "office/form.html", resource=resource, record=None, values=values, errors={}
    )


@bp.route("/<key>/<record_id>", methods=["GET", "POST"])
@office_page
def edit(key, record_id):
    resource = _resource(key)
    record = _record(resource, record_id)
    if request.method == "POST":
        return _save(resource, record)
    return render_template(
        "office/form.html",
        resource=resource,
        record=record,
        values=values_of(record, resource.fields),
        errors={},
        **_record_extras(key, record),
    )


def _record_extras(key: str, record) -> dict:
    """What the edit page shows beside the form: a user's signed-in devices; equipment history
    and open conflicts."""
    if key == "users":
        here = current_session()
        return {
            **passkey_ops.for_office_page(record, current_user),
            "user_sessions": list(
                sessions.sessions_of(record, lifetime=current_app.permanent_session_lifetime)
            ),
            "this_session_id": here.id if here is not None else None,
            "can_end_sessions": current_user.role == "admin" or record.role != "admin",
        }
    if key != "equipment":
        return {}
    history = (
        RecordHistory.select()
        .where((RecordHistory.entity == "equipment") & (RecordHistory.entity_id == str(record.id)))
        .order_by(RecordHistory.id.desc())
        .limit(100)
    )
    open_conflicts = conflict_ops.annotate(
        list(
            SyncConflict.live().where(
                (SyncConflict.entity_id == str(record.id)) & (SyncConflict.status == "open")
            )
        )
    )
    return {"history": history, **_conflict_table(open_conflicts)}


def _user_record(user_id) -> User:
    user = User.get_or_none(User.id == parse_id(user_id))
    if user is None:
        raise not_found()
    may_end_sessions(current_user, user)
    return user


@bp.route("/users/<user_id>/sessions/<session_id>/sign-out", methods=["POST"])
@office_page
def end_user_session(user_id, session_id):
    """Sign out one device of a user ("lost phone"): its next request is refused."""
    user = _user_record(user_id)
    with savepoint():
        ended = sessions.revoke_session(
            get_session_of(user, session_id),
            actor=current_user._get_current_object(),
            reason=sessions.SIGNED_OUT_BY_OFFICE,
        )
    flash(_("Device signed out.") if ended else _("That device was already signed out."))
    return redirect(url_for("office.edit", key="users", record_id=user.id))


@bp.route("/users/<user_id>/sessions/sign-out", methods=["POST"])
@office_page
def end_user_sessions(user_id):
    """Sign out every device of a user (but the one doing it, when it is their own account)."""
    user = _user_record(user_id)
    actor = current_user._get_current_object()
    with savepoint():
        ended = sessions.revoke_user_sessions(
            user,
            actor=actor,
            reason=sessions.SIGNED_OUT_BY_OFFICE,
            keep=current_session() if user.id == actor.id else None,
        )
    flash(ngettext("%(num)d device signed out.", "%(num)d devices signed out.", ended))
    return redirect(url_for("office.edit", key="users", record_id=user.id))


@bp.route("/<key>/<record_id>/delete", methods=["POST"])
@office_page
def delete(key, record_id):
    resource = _resource(key)
    if resource.delete is None:
        abort(405)
    record = _record(resource, record_id)
    try:
        with savepoint():
            resource.delete(record, current_user)
    except ApiError as err:
        flash(err.message, "error")
        return redirect(url_for("office.edit", key=key, record_id=record_id))
    flash(_("Removed."))
    return redirect(url_for("office.index", key=key))


def _site_page(site: Site, *, errors: dict | None = None, typed=None):
    since = clock.today() - timedelta(days=SITE_DAYS_SHOWN_BACK)
    return render_template(
        "office/site.html",
        site=site,
        locations=Location.live().where(Location.site == site).order_by(Location.name),
        assignments=Assignment.live().where(Assignment.site == site).join(User),
        engineers=User.select()
        .where(
            (User.role == "engineer")
            & User.active
            & User.id.not_in(
                Assignment.live().select(Assignment.engineer).where(Assignment.site == site)
            )
        )
        .order_by(User.username),
        equipment_count=Equipment.live().where(Equipment.site == site).count(),
        site_days=SiteDay.select()
        .where((SiteDay.site == site.id) & (SiteDay.day >= since))
        .order_by(SiteDay.day),
        site_day_kinds=SITE_DAY_KINDS,
        errors=errors or {},
        typed=typed or {},
    ), (422 if errors else 200)


@bp.route("/sites/<record_id>/overview")
@office_page
def site_detail(record_id):
    return _site_page(scope.get_site(current_user, record_id))


@bp.route("/sites/<record_id>/days", methods=["POST"])
@office_page
def add_site_day(record_id):
    """An extra working day or day off at this site (the site's own calendar)."""
    site = scope.get_site(current_user, record_id)
    typed = {k: request.form.get(k, "").strip() for k in ("day", "kind", "note")}
    data, errors = load_form(SiteDayIn(), typed)
    if data is not None:
        try:
            with savepoint():
                site_ops.add_site_day(actor=current_user, site=site, data=data)
        except ApiError as err:
            errors = form_errors(err)
    if errors:
        return _site_page(site, errors=errors, typed=typed)
    flash(_("Saved: the attendance sheet and the fault clocks of this site follow it."))
    return redirect(url_for("office.site_detail", record_id=site.id))


@bp.route("/sites/<record_id>/days/<day_id>/remove", methods=["POST"])
@office_page
def remove_site_day(record_id, day_id):
    site = scope.get_site(current_user, record_id)
    record = SiteDay.get_or_none((SiteDay.id == parse_id(day_id)) & (SiteDay.site == site.id))
    if record is None:
        raise not_found()
    with savepoint():
        site_ops.remove_site_day(record, actor=current_user)
    flash(_("Removed: the national calendar decides that day again."))
    return redirect(url_for("office.site_detail", record_id=site.id))


@bp.route("/sites/<record_id>/assign", methods=["POST"])
@office_page
def assign(record_id):
    site = scope.get_site(current_user, record_id)
    try:
        with savepoint():
            site_ops.assign_engineer(
                actor=current_user,
                engineer_id=parse_id(request.form.get("engineer_id", "")),
                site_id=site.id,
            )
    except ApiError as err:
        flash(err.message if not err.fields else _("Choose an engineer."), "error")
    else:
        flash(_("Engineer assigned."))
    return redirect(url_for("office.site_detail", record_id=site.id))


@bp.route("/assignments/<assignment_id>/end", methods=["POST"])
@office_page
def unassign(assignment_id):
    assignment = Assignment.live().where(Assignment.id == parse_id(assignment_id)).first()
    if assignment is None:
        raise not_found()
    with savepoint():
        site_ops.unassign_engineer(assignment, actor=current_user)
    flash(_("Assignment ended."))
    return redirect(url_for("office.site_detail", record_id=assignment.site_id))
