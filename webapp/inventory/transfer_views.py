"""Office pages: import the equipment register from CSV or XLSX, export it (docs/import-export.md).

Upload -> preview (kept server-side) -> confirm -> result. The confirmation reads the stored file
again and checks every row against the site as it is then, inside the transaction that writes.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..auth import scope
from ..db import write_transaction
from ..errors import ApiError
from ..models import Client, Site
from ..pages import office_page
from . import files, transfer
from .files import FileProblem
from .schemas import office_filters

bp = Blueprint("transfer", __name__, url_prefix="/office/equipment")
FORM_SLACK = 64 * 1024  # the form's other fields and multipart framing around the file


def _limits() -> tuple[int, int]:
    config = current_app.config
    return (
        config.get("IMPORT_MAX_BYTES", files.MAX_BYTES),
        config.get("IMPORT_MAX_ROWS", files.MAX_ROWS),
    )


def _too_large(max_bytes: int) -> str:
    return _(
        "The file is larger than %(mb)s MB. Split it into smaller files.",
        mb=f"{max_bytes / 2**20:g}",
    )


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: Any) -> None:
    """Allow this one form a larger body than the app's 1 MB. It runs before every
    before_request hook, so before the CSRF check reads the form."""
    if endpoint != "transfer.upload" or request.method != "POST":
        return
    limit = _limits()[0] + FORM_SLACK
    request.max_content_length = limit
    if (request.content_length or 0) > limit:
        raise ApiError(413, "too_large", _too_large(_limits()[0]))


def _uploads() -> transfer.Uploads:
    return transfer.Uploads(current_app.instance_path)


def _expired() -> ApiError:
    return ApiError(
        404,
        "not_found",
        _("This import is finished, cancelled or expired. Upload the file again if needed."),
    )


def _form(*, site_id: str = "", errors: dict[str, str] | None = None, status: int = 200):
    page = render_template(
        "inventory/import.html",
        sites=scope.visible_sites(current_user)
        .select(Site, Client)
        .join(Client)
        .order_by(Client.name, Site.name),
        site_id=site_id,
        errors=errors or {},
        columns=[_(c.label) for c in transfer.COLUMNS],
        max_mb=f"{_limits()[0] / 2**20:g}",
        max_rows=_limits()[1],
    )
    return page, status


def _chosen_site(site_id: str) -> Site | None:
    try:
        return scope.get_site(current_user, site_id)
    except ApiError:
        return None


@bp.route("/import", methods=["GET", "POST"])
@office_page(transaction=False)
def upload():
    if request.method == "GET":
        return _form(site_id=request.args.get("site_id", ""))
    site_id = request.form.get("site_id", "")
    site = _chosen_site(site_id)
    upload = request.files.get("file")
    errors = {}
    if site is None:
        errors["site_id"] = _("Choose a site.")
    if upload is None or not upload.filename:
        errors["file"] = _("Choose a .csv or .xlsx file.")
    if errors:
        return _form(site_id=site_id, errors=errors, status=400)
    max_bytes, max_rows = _limits()
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        return _form(site_id=site_id, errors={"file": _too_large(max_bytes)}, status=413)
    filename = (upload.filename or "")[-200:]
    seed = str(uuid.uuid4())
    try:
        sheet = files.read_upload(data, filename, max_rows=max_rows)
        plan = transfer.plan_import(sheet, site=site, seed=seed)
    except FileProblem as problem:
        return _form(site_id=site_id, errors={"file": problem.message}, status=problem.status)
    mapping = plan.mapping
    preview = {
        "counts": plan.counts(),
        "good": [{"line": r.line, "action": r.action, **r.show} for r in plan.good[:50]],
        "bad": [{"line": r.line, "reason": r.reason} for r in plan.bad],
        "columns": [mapping.headers[k] for k in sorted(mapping.columns, key=mapping.columns.get)],
        "ignored": mapping.ignored,
    }
    upload_id = _uploads().save(
        user=current_user,
        data=data,
        meta={
            "site": str(site.id),
            "site_name": site.name,
            "filename": filename,
            "kind": sheet.kind,
            "encoding": sheet.encoding,
            "seed": seed,
            "preview": preview,
        },
    )
    return redirect(url_for("transfer.preview", upload_id=upload_id), 303)


@bp.route("/import/<upload_id>")
@office_page
def preview(upload_id):
    meta = _uploads().meta(upload_id, current_user)
    if meta is None:
        raise _expired()
    return render_template("inventory/preview.html", upload_id=upload_id, meta=meta)


@bp.route("/import/<upload_id>", methods=["POST"])
@office_page(transaction=False)  # commits the rows before the upload is thrown away, below
def confirm(upload_id):
    uploads = _uploads()
    try:
        stored = uploads.load(upload_id, current_user)
        if stored is None:
            raise _expired()
        meta, data = stored
        site = scope.get_site(current_user, meta["site"])
        sheet = files.read_upload(data, meta["filename"], max_rows=_limits()[1])
        with write_transaction():  # re-checked under the write lock: what is checked is written
            plan = transfer.plan_import(sheet, site=site, seed=meta["seed"])
            counts = transfer.apply_plan(
                plan, actor=current_user._get_current_object(), filename=meta["filename"]
            )
    except FileProblem as problem:
        raise ApiError(problem.status, "invalid_file", problem.message) from None
    seen_bad = {row["line"] for row in meta["preview"]["bad"]}
    uploads.save_result(
        upload_id,
        user=current_user,
        result={
            "site": meta["site"],
            "site_name": site.name,
            "filename": meta["filename"],
            "counts": counts,
            "bad": [
                {"line": r.line, "reason": r.reason, "new": r.line not in seen_bad}
                for r in plan.bad
            ],
        },
    )
    try:
        uploads.discard(upload_id)
    except OSError:  # harmless: confirming it again finds its rows imported; swept in a day
        current_app.logger.warning("Could not remove the imported upload %s", upload_id)
    return redirect(url_for("transfer.result", upload_id=upload_id), 303)


@bp.route("/import/<upload_id>/cancel", methods=["POST"])
@office_page(transaction=False)
def cancel(upload_id):
    uploads = _uploads()
    meta = uploads.meta(upload_id, current_user)
    if meta is not None:
        uploads.discard(upload_id)
        flash(_("Import cancelled. Nothing was changed."))
    return redirect(url_for("transfer.upload", site_id=(meta or {}).get("site", "")))


@bp.route("/import/<upload_id>/result")
@office_page
def result(upload_id):
    outcome = _uploads().result(upload_id, current_user)
    if outcome is None:
        raise _expired()
    return render_template("inventory/result.html", result=outcome)


def _filters() -> dict[str, Any]:
    """The office equipment list's filters, read the same way; a bad one is a clear 422."""
    _typed, loaded, errors = office_filters(request.args)
    if errors:
        reasons = " ".join(m for messages in errors.values() for m in messages)
        message = _("This search cannot be used: %(reasons)s", reasons=reasons)
        raise ApiError(422, "invalid", message)
    return loaded


def _download(content: bytes, mimetype: str, extension: str, filters: dict[str, Any]):
    site = _chosen_site(filters["site_id"]) if filters.get("site_id") else None
    name = re.sub(r'[\\/:*?"<>|\s]+', "-", site.name).strip("-") if site else ""
    stem = "-".join(part for part in ("equipment", name, clock.today().isoformat()) if part)
    return send_file(
        io.BytesIO(content),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{stem}.{extension}",
        max_age=0,
    )


def _table(filters: dict[str, Any]):
    return transfer.export_table(transfer.export_query(filters), today=clock.today())


@bp.route("/export.csv")
@office_page
def export_csv():
    filters = _filters()
    content = transfer.to_csv(*_table(filters))
    return _download(content, "text/csv; charset=utf-8", "csv", filters)


@bp.route("/export.xlsx")
@office_page
def export_xlsx():
    filters = _filters()
    headers, rows = _table(filters)
    content = transfer.to_xlsx(headers, rows, title=_("Equipment"))
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(content, mimetype, "xlsx", filters)
