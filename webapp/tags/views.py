"""QR tags: the public tag address, the public key for the app, and the office pages."""

from __future__ import annotations

import io
import re
from collections import Counter

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ..api import endpoint, load
from ..auth import scope
from ..auth.scope import parse_id
from ..errors import ApiError, not_found, validation_error
from ..models import Site, Tag
from ..pages import office_page, savepoint
from . import labels as label_ops
from . import operations as ops
from .schemas import SheetForm, TagKeyOut
from .signing import TokenError, is_current, public_key_b64, read_token

bp = Blueprint("tags", __name__)
TAGS = ["tags"]


# --- scanning a tag ------------------------------------------------------------------------------


def _scan_page(case: str, status: int, kind: str = "equipment"):
    response = make_response(render_template("tags/scan.html", case=case, kind=kind), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def app_url(tag: Tag, target) -> str:
    """Where the app shows the tagged record (static/js/router.js)."""
    shell = url_for("pwa.shell")
    if tag.target_entity == "equipment":
        return f"{shell}#/equipment/{target.id}"
    return f"{shell}#/sites/{target.site_id}"  # the site screen lists its locations


@bp.route("/t/<token>")
def scan(token: str):
    """What a phone's camera opens. A forged or unknown tag is 404, a revoked one 410; a good tag
    leads to its record in the app for someone whose sites include it."""
    try:
        kind, tag_id = read_token(token)
    except TokenError:
        return _scan_page("forged", 404)
    tag = Tag.live().where(Tag.id == tag_id).first()
    if tag is None or tag.token != token or tag.target_entity != kind:
        return _scan_page("unknown", 404, kind)
    if tag.status == ops.REVOKED:
        return _scan_page("revoked", 410, kind)
    target = ops.target_of(tag)
    if target is None:
        return _scan_page("removed", 410, kind)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.path))
    if not scope.visible_sites(current_user).where(Site.id == target.site_id).exists():
        return _scan_page("out_of_scope", 404, kind)
    response = redirect(app_url(tag, target))
    response.headers["Cache-Control"] = "no-store"
    return response


@endpoint(
    bp,
    "/api/tags/key",
    ["GET"],
    summary="The public key that checks tag signatures offline",
    response=TagKeyOut,
    tags=TAGS,
)
def tag_key():
    return {"alg": "Ed25519", "key": public_key_b64()}


# --- office --------------------------------------------------------------------------------------


def base_url() -> str:
    """The address printed on tags: PUBLIC_URL when set, else the one the office is using."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def file_name(text: str) -> str:
    """A name that is safe in a downloaded file's name (Chinese is kept)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "-", text).strip("-.")[:60] or "site"


def _locale() -> str:
    return str(get_locale() or "zh_Hans")


def _site_tags(site: Site) -> dict:
    """The newest tag of each device and location of the site, by target id: the active one
    when there is one."""
    newest: dict = {}
    for tag in Tag.live().where(ops.on_site_targets(site)).order_by(Tag.serial):
        if tag.status == ops.ACTIVE or newest.get(tag.target_id, tag).status != ops.ACTIVE:
            newest[tag.target_id] = tag
    return newest


@bp.route("/office/tags")
@office_page
def office_tags():
    site_id = request.args.get("site")
    if not site_id:
        sites = list(Site.live().order_by(Site.name))
        active = Counter(
            t.site_id for t in Tag.live().select(Tag.site).where(Tag.status == ops.ACTIVE)
        )
        return render_template("tags/sites.html", sites=sites, active=active)
    site = scope.get_site(current_user, site_id)
    targets = ops.site_targets(site)
    newest = _site_tags(site)
    rows = [(target, ops.kind_of(target), newest.get(target.id)) for target in targets]
    missing = sum(1 for _t, _k, tag in rows if tag is None or tag.status != ops.ACTIVE)
    stale = sum(
        1 for _t, _k, tag in rows if tag and tag.status == ops.ACTIVE and not is_current(tag.token)
    )
    return render_template(
        "tags/site.html",
        site=site,
        rows=rows,
        missing=missing,
        stale=stale,
        layouts=label_ops.LAYOUTS,
        default_layout=label_ops.DEFAULT_LAYOUT,
        short_id=label_ops.short_id,
    )


def _back(site_id) -> str:
    return url_for("tags.office_tags", site=str(site_id))


@bp.route("/office/tags/issue", methods=["POST"])
@office_page
def issue_missing():
    site = scope.get_site(current_user, request.form.get("site", ""))
    with savepoint():
        issued = ops.ensure_tags(actor=current_user._get_current_object(), site=site)
    if issued:
        flash(ngettext("%(num)d tag issued.", "%(num)d tags issued.", len(issued)))
    else:
        flash(_("Every device and location here already has a tag."))
    return redirect(_back(site.id))


def _tag(tag_id) -> Tag:
    tag = Tag.live().where(Tag.id == parse_id(tag_id)).first()
    if tag is None:
        raise not_found()
    return tag


@bp.route("/office/tags/<tag_id>/revoke", methods=["POST"])
@office_page
def revoke(tag_id):
    tag = _tag(tag_id)
    with savepoint():
        ops.revoke_tag(actor=current_user._get_current_object(), tag=tag)
    flash(_("Tag revoked. Scanning it now says so; issue a new one to replace it."))
    return redirect(_back(tag.site_id))


@bp.route("/office/tags/<tag_id>/reissue", methods=["POST"])
@office_page
def reissue(tag_id):
    tag = _tag(tag_id)
    try:
        with savepoint():
            ops.reissue_tag(actor=current_user._get_current_object(), tag=tag)
    except ApiError as err:
        flash(err.message, "error")
    else:
        flash(_("Tag reissued: print the new label and replace the old one."))
    return redirect(_back(tag.site_id))


@bp.route("/office/tags/reissue-all", methods=["POST"])
@office_page
def reissue_all():
    site = scope.get_site(current_user, request.form.get("site", ""))
    if not request.form.get("confirm"):
        flash(_("Tick the box to confirm that every label of this site will be replaced."), "error")
        return redirect(_back(site.id))
    with savepoint():
        issued = ops.reissue_site(actor=current_user._get_current_object(), site=site)
    flash(
        ngettext(
            "%(num)d tag reissued: print the new labels and replace the old ones.",
            "%(num)d tags reissued: print the new labels and replace the old ones.",
            len(issued),
        )
    )
    return redirect(_back(site.id))


@bp.route("/office/tags/sheet", methods=["GET", "POST"])
@office_page(transaction=False)
def sheet():
    """A label sheet (PDF): the selected tags, or every active tag of the site."""
    source = request.form if request.method == "POST" else request.args
    data = {key: source.get(key) for key in ("site", "layout", "skip") if source.get(key)}
    data["tag"] = source.getlist("tag")
    data["all"] = request.method == "GET" or bool(source.get("all"))
    form = load(SheetForm(), data)
    site = scope.get_site(current_user, form["site"])
    newest = _site_tags(site)
    active = [t for t in newest.values() if t.status == ops.ACTIVE]
    if not form["all"]:
        chosen = set(form["tag"])
        active = [t for t in active if t.id in chosen]
    if not active:
        flash(_("Choose at least one device or location with an active tag."), "error")
        return redirect(_back(site.id))
    order = {target.id: i for i, target in enumerate(ops.site_targets(site))}
    active.sort(key=lambda t: order.get(t.target_id, len(order)))
    layout = label_ops.LAYOUTS[form["layout"]]
    if form["skip"] >= layout.per_page:
        raise validation_error(
            {"skip": [_("A sheet of this stock has %(num)d labels.", num=layout.per_page)]},
            _("A sheet of this stock has %(num)d labels.", num=layout.per_page),
        )
    pdf = label_ops.sheet_pdf(
        label_ops.labels_for(active, base_url()),
        layout,
        skip=form["skip"],
        locale=_locale(),
        title=f"{_('QR tags')} · {site.name}",
    )
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"tags-{file_name(site.name)}-{layout.key}.pdf",
    )


@bp.route("/office/tags/<tag_id>/label.<fmt>")
@office_page
def single_label(tag_id, fmt):
    if fmt not in ("png", "svg"):
        raise not_found()
    tag = _tag(tag_id)
    if tag.status != ops.ACTIVE:
        raise ApiError(410, "revoked", _("This tag has been revoked; print its replacement."))
    found = label_ops.labels_for([tag], base_url())
    if not found:
        raise not_found()
    label = found[0]
    if fmt == "png":
        body = label_ops.label_png(label, locale=_locale())
        mimetype = "image/png"
    else:
        body = label_ops.label_svg(label, locale=_locale()).encode()
        mimetype = "image/svg+xml"
    return send_file(
        io.BytesIO(body),
        mimetype=mimetype,
        download_name=f"tag-{label_ops.short_id(tag.target_id)}-{tag.serial}.{fmt}",
        max_age=0,
    )
