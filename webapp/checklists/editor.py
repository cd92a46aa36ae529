"""The draft editor's office pages: a draft's title, its sections and its items, each a plain
form (no JS needed). Every change goes through `operations.save_draft` (views._save), so the
content rules check it; their errors, keyed by dotted path, are shown next to the fields.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from ..models import TemplateVersion
from ..pages import office_page
from . import content as rules
from . import forms
from .views import (
    _draft,
    _item_place,
    _locked_keys,
    _save,
    _section_index,
    _to_template,
    bp,
)


@bp.route("/templates/<template_id>/versions/<int:number>/title", methods=["GET", "POST"])
@office_page
def edit_title(template_id, number):
    version = _draft(template_id, number)
    if request.method == "GET":
        values = forms.title_values(version.content)
        return render_template(
            "checklists/title.html",
            version=version,
            values=values,
            errors={},
        )
    errors = _save(version, forms.with_title(version.content, request.form))
    if not errors:
        flash(_("Saved."))
        return _to_template(version, "draft")
    return render_template(
        "checklists/title.html",
        version=version,
        values=request.form,
        errors=forms.errors_under(errors, "", shown=forms.shown_fields(request.form)),
    ), 422


# -- sections ------------------------------------------------------------------------------


def _section_form(version: TemplateVersion, index: int | None):
    template = version.template
    current = version.content["sections"][index] if index is not None else None
    locked = current["key"] if current and current["key"] in _locked_keys(template) else None
    if request.method == "GET":
        return render_template(
            "checklists/section.html",
            version=version,
            section=current,
            locked=locked,
            values=forms.section_values(current),
            errors={},
        )
    section, errors = forms.parse_section(
        request.form, version.content, index=index, locked_key=locked
    )
    if not errors:
        content = forms.put_section(version.content, section, index)
        at = len(version.content["sections"]) if index is None else index
        errors = forms.errors_under(
            _save(version, content), f"sections.{at}.", shown=forms.shown_fields(request.form)
        )
    if not errors:
        flash(_("Saved."))
        return _to_template(version, f"section-{section['key']}")
    return render_template(
        "checklists/section.html",
        version=version,
        section=current,
        locked=locked,
        values=request.form,
        errors=errors,
    ), 422


@bp.route("/templates/<template_id>/versions/<int:number>/sections/new", methods=["GET", "POST"])
@office_page
def new_section(template_id, number):
    return _section_form(_draft(template_id, number), None)


@bp.route(
    "/templates/<template_id>/versions/<int:number>/sections/<section_key>",
    methods=["GET", "POST"],
)
@office_page
def edit_section(template_id, number, section_key):
    version = _draft(template_id, number)
    return _section_form(version, _section_index(version, section_key))


@bp.route(
    "/templates/<template_id>/versions/<int:number>/sections/<section_key>/move",
    methods=["POST"],
)
@office_page
def move_section(template_id, number, section_key):
    version = _draft(template_id, number)
    content = forms.move_section(
        version.content, _section_index(version, section_key), request.form.get("direction", "")
    )
    if content is not None:
        _flash_errors(_save(version, content))
    return _to_template(version, f"section-{section_key}")


@bp.route(
    "/templates/<template_id>/versions/<int:number>/sections/<section_key>/delete",
    methods=["POST"],
)
@office_page
def delete_section(template_id, number, section_key):
    version = _draft(template_id, number)
    content = forms.remove_section(version.content, _section_index(version, section_key))
    if content is None:
        flash(_("Only an empty section can be deleted. Delete or move its items first."), "error")
        return _to_template(version, f"section-{section_key}")
    if not _flash_errors(_save(version, content)):
        flash(_("Section deleted."))
    return _to_template(version, "draft")


def _flash_errors(errors: dict[str, list[str]]) -> bool:
    if errors:
        messages = " ".join(m for ms in errors.values() for m in ms)
        flash(_("Not saved: %(reasons)s", reasons=messages), "error")
    return bool(errors)


# -- items ---------------------------------------------------------------------------------


def _item_form(version: TemplateVersion, section: int, index: int | None, kind: str):
    content = version.content
    section_key = content["sections"][section]["key"]
    current = content["sections"][section]["items"][index] if index is not None else None
    locked = None
    if current is not None and current["key"] in _locked_keys(version.template):
        locked = current["key"]
    page = {
        "version": version,
        "section": content["sections"][section],
        "item": current,
        "kind": kind,
        "locked": locked,
    }
    if request.method == "GET":
        values = forms.item_values(current) if current else forms.new_item_values(kind)
        return render_template(
            "checklists/item.html",
            values=values,
            errors={},
            rows=forms.option_rows(values),
            **page,
        )
    where = (section, index) if index is not None else None
    item, errors, rows = forms.parse_item(
        request.form, kind, content, section_key, where=where, locked_key=locked
    )
    if not errors:
        at = len(content["sections"][section]["items"]) if index is None else index
        saved = _save(version, forms.put_item(content, item, section, index))
        errors = forms.errors_under(
            saved, f"sections.{section}.items.{at}.", rows, forms.shown_fields(request.form)
        )
    if not errors:
        flash(_("Saved."))
        return _to_template(version, f"item-{item['key']}")
    return render_template(
        "checklists/item.html",
        values=request.form,
        errors=errors,
        rows=forms.option_rows(request.form),
        **page,
    ), 422


@bp.route(
    "/templates/<template_id>/versions/<int:number>/sections/<section_key>/items/new",
    methods=["GET", "POST"],
)
@office_page
def new_item(template_id, number, section_key):
    version = _draft(template_id, number)
    section = _section_index(version, section_key)
    kind = request.values.get("kind", "")
    if kind not in rules.KINDS:
        abort(400)
    return _item_form(version, section, None, kind)


@bp.route(
    "/templates/<template_id>/versions/<int:number>/items/<item_key>", methods=["GET", "POST"]
)
@office_page
def edit_item(template_id, number, item_key):
    version = _draft(template_id, number)
    section, index = _item_place(version, item_key)
    kind = version.content["sections"][section]["items"][index]["kind"]
    return _item_form(version, section, index, kind)


@bp.route("/templates/<template_id>/versions/<int:number>/items/<item_key>/move", methods=["POST"])
@office_page
def move_item(template_id, number, item_key):
    version = _draft(template_id, number)
    where = _item_place(version, item_key)
    content = forms.move_item(version.content, where, request.form.get("direction", ""))
    if content is not None:
        _flash_errors(_save(version, content))
    return _to_template(version, f"item-{item_key}")


@bp.route(
    "/templates/<template_id>/versions/<int:number>/items/<item_key>/delete", methods=["POST"]
)
@office_page
def delete_item(template_id, number, item_key):
    version = _draft(template_id, number)
    section, _index = where = _item_place(version, item_key)
    if not _flash_errors(_save(version, forms.remove_item(version.content, where))):
        flash(_("Item deleted."))
    return _to_template(version, f"section-{version.content['sections'][section]['key']}")
