"""The office's pages for spare parts: the stock list (a site's or the office's store, low stock
only), an item's page with its movements and the forms that move it (receive, send to a site,
reconcile a shortfall), and the requests from the phones. Views stay thin: the rules live in
operations.py."""

from __future__ import annotations

import contextlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from ..auth.scope import parse_id
from ..errors import ApiError
from ..models import PartRequest, PartStock, Site
from ..models.choices import PART_MOVEMENTS, PART_REQUEST_STATUSES
from ..pages import office_page, savepoint
from ..validation import translate_messages
from . import operations as ops
from .schemas import (
    Receive,
    Reconcile,
    RequestDecision,
    StockCreate,
    StockEdit,
    StockFilter,
    Transfer,
)

bp = Blueprint("parts", __name__, url_prefix="/office/parts")
LABELS = {"movements": PART_MOVEMENTS, "statuses": PART_REQUEST_STATUSES}


def _me():
    return current_user._get_current_object()


def _typed(names) -> dict:
    return {k: request.form.get(k, "").strip() for k in names}


def _numbers(data: dict, names) -> dict:
    """Numbers typed in a form as numbers; what is not one is left for the schema to name."""
    out = {}
    for k, v in data.items():
        if v == "" and k in names:
            continue
        if k in names:
            with contextlib.suppress(ValueError):
                v = int(v)
        out[k] = v
    return out


def _run(schema, typed: dict, numbers, work):
    """Load the form, run the operation in a savepoint; the errors by field, or None."""
    try:
        data = schema.load(_numbers(typed, numbers))
        with savepoint():
            work(data)
    except ValidationError as err:
        return translate_messages(err.normalized_messages())
    except ApiError as err:
        return err.fields or {"_": [err.message]}
    return None


def _sites():
    return Site.live().order_by(Site.name)


@bp.route("")
@office_page
def stock_list():
    typed = {k: request.args.get(k, "").strip() for k in ("site", "low")}
    try:
        chosen, errors = StockFilter().load({k: v for k, v in typed.items() if v}), {}
    except ValidationError as err:
        chosen, errors = StockFilter().load({}), translate_messages(err.normalized_messages())
    if chosen["low"]:
        query = ops.low_stock(chosen["site"])
    else:
        query = PartStock.live()
        if chosen["site"] == "office":
            query = query.where(PartStock.site.is_null())
        elif chosen["site"]:
            query = query.where(PartStock.site == chosen["site"])
    rows = list(query.order_by(PartStock.name, PartStock.model))
    names = {s.id: s.name for s in _sites()}
    groups: dict = {}
    for row in rows:
        groups.setdefault(row.site_id, []).append(row)
    ordered = sorted(groups.items(), key=lambda g: (g[0] is not None, names.get(g[0], "")))
    return render_template(
        "parts/list.html",
        groups=ordered,
        names=names,
        typed=typed,
        errors=errors,
        sites=_sites(),
        low=chosen["low"],
    ), (422 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@office_page
def new():
    names = ("site_id", "name", "model", "location", "minimum", "opening")
    typed = _typed(names) if request.method == "POST" else {"site_id": request.args.get("site", "")}
    errors: dict = {}
    if request.method == "POST":
        made: list = []
        data = {k: v for k, v in typed.items() if not (k == "site_id" and v == "")}
        errors = (
            _run(
                StockCreate(),
                data,
                ("minimum", "opening"),
                lambda d: made.append(ops.create_stock(actor=_me(), data=d)),
            )
            or {}
        )
        if not errors:
            flash(_("Stock item added."))
            return redirect(url_for("parts.item", stock_id=made[0].id))
    return render_template("parts/new.html", typed=typed, errors=errors, sites=_sites()), (
        422 if errors else 200
    )


def _item(stock_id) -> PartStock:
    return ops.stock_item(parse_id(stock_id))


def _item_page(stock: PartStock, errors: dict | None = None, form: str = "", typed=None):
    return render_template(
        "parts/item.html",
        s=stock,
        movements=list(ops.movements_of(stock)),
        sites=_sites(),
        errors=errors or {},
        form=form,
        typed=typed or {},
        labels=LABELS,
    ), (422 if errors else 200)


@bp.route("/<stock_id>", methods=["GET", "POST"])
@office_page
def item(stock_id):
    """The item, its movements, and its own fields (never the quantity) edited."""
    stock = _item(stock_id)
    if request.method == "GET":
        return _item_page(stock)
    typed = _typed(("name", "model", "location", "minimum"))
    errors = _run(
        StockEdit(),
        typed,
        ("minimum",),
        lambda d: ops.edit_stock(stock, actor=_me(), data=d),
    )
    if errors:
        return _item_page(stock, errors, "edit", typed)
    flash(_("Saved."))
    return redirect(url_for("parts.item", stock_id=stock.id))


@bp.route("/<stock_id>/receive", methods=["POST"])
@office_page
def receive(stock_id):
    stock = _item(stock_id)
    typed = _typed(("quantity", "reason"))
    errors = _run(
        Receive(),
        typed,
        ("quantity",),
        lambda d: ops.receive(stock, actor=_me(), quantity=d["quantity"], reason=d["reason"]),
    )
    if errors:
        return _item_page(stock, errors, "receive", typed)
    flash(_("Received into stock."))
    return redirect(url_for("parts.item", stock_id=stock.id))


@bp.route("/<stock_id>/transfer", methods=["POST"])
@office_page
def transfer(stock_id):
    stock = _item(stock_id)
    typed = _typed(("site_id", "quantity", "reason"))
    errors = _run(
        Transfer(),
        typed,
        ("quantity",),
        lambda d: ops.transfer(
            stock, actor=_me(), site_id=d["site_id"], quantity=d["quantity"], reason=d["reason"]
        ),
    )
    if errors:
        return _item_page(stock, errors, "transfer", typed)
    flash(_("Sent to the site; its phones see it on their next sync."))
    return redirect(url_for("parts.item", stock_id=stock.id))


@bp.route("/<stock_id>/reconcile", methods=["POST"])
@office_page
def reconcile(stock_id):
    stock = _item(stock_id)
    typed = _typed(("reason",))
    errors = _run(
        Reconcile(),
        typed,
        (),
        lambda d: ops.reconcile(stock, actor=_me(), reason=d["reason"]),
    )
    if errors:
        return _item_page(stock, errors, "reconcile", typed)
    flash(_("Shortfall reconciled."))
    return redirect(url_for("parts.item", stock_id=stock.id))


@bp.route("/requests")
@office_page
def requests():
    rows = sorted(
        PartRequest.live().order_by(PartRequest.created_at.desc()),
        key=lambda r: 0 if r.status == "waiting" else 1,
    )
    return render_template("parts/requests.html", rows=rows, labels=LABELS)


@bp.route("/requests/<request_id>", methods=["GET", "POST"])
@office_page
def request_page(request_id):
    record = ops.request_item(parse_id(request_id))
    errors: dict = {}
    typed = (
        _typed(("decision", "source_id", "quantity", "note")) if request.method == "POST" else {}
    )
    if request.method == "POST":
        data = {k: v for k, v in typed.items() if v != "" or k in ("decision", "note")}
        errors = (
            _run(
                RequestDecision(),
                data,
                ("quantity",),
                lambda d: ops.decide_request(record, actor=_me(), data=d),
            )
            or {}
        )
        if not errors:
            flash(_("Answer saved; it reaches the engineer's phone on the next sync."))
            return redirect(url_for("parts.request_page", request_id=record.id))
        record = ops.request_item(record.id)
    sources = (
        PartStock.live().where(PartStock.site.is_null()).order_by(PartStock.name, PartStock.model)
    )
    return render_template(
        "parts/request.html",
        r=record,
        sources=list(sources),
        typed=typed,
        errors=errors,
        labels=LABELS,
    ), (422 if errors else 200)
