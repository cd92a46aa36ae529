"""Templates and their versions: drafts are edited, publishing freezes, shipped ones install.

Every function flushes and never commits: the caller's transaction commits once.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from ..errors import ApiError, validation_error
from ..models import ChecklistTemplate, TemplateVersion, User, utcnow
from ..records import create_record, update_record
from . import content as rules

SHIPPED_DIR = Path(__file__).parent / "shipped"
SHIPPED_KEYS = ("daily-round", "maintenance-report", "contact-form")
TEMPLATE_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _frozen() -> ApiError:
    return ApiError(
        409,
        "published",
        _("This version is published and can no longer change. Start a new draft instead."),
    )


def _retired() -> ApiError:
    return ApiError(409, "retired", _("This template is retired."))


def _check_content(template: ChecklistTemplate, content: Any) -> None:
    errors = rules.validate_template(content)
    if not errors and content["form"] != template.form:
        errors = {"form": [_("The content's form must be that of the template.")]}
    if errors:
        raise validation_error(errors)


def latest_version(template: ChecklistTemplate) -> TemplateVersion | None:
    return (
        TemplateVersion.live()
        .where(TemplateVersion.template == template)
        .order_by(TemplateVersion.number.desc())
        .first()
    )


def published_version(template: ChecklistTemplate) -> TemplateVersion | None:
    """The version new rounds use, or None before the first publication."""
    if not template.published_version:
        return None
    return (
        TemplateVersion.live()
        .where(
            (TemplateVersion.template == template)
            & (TemplateVersion.number == template.published_version)
        )
        .first()
    )


def draft_version(template: ChecklistTemplate) -> TemplateVersion | None:
    return (
        TemplateVersion.live()
        .where((TemplateVersion.template == template) & (TemplateVersion.status == "draft"))
        .order_by(TemplateVersion.number.desc())
        .first()
    )


def create_template(
    *,
    actor: User | None,
    key: str,
    form: str,
    title: dict[str, str],
    content: dict[str, Any],
    shipped: bool = False,
) -> ChecklistTemplate:
    """A new template in draft, with version 1 as its draft."""
    errors: dict[str, list[str]] = {}
    if not isinstance(key, str) or not TEMPLATE_KEY.match(key):
        errors["key"] = [
            _("Use at most 64 lower-case letters, digits, dots, dashes or underscores.")
        ]
    elif ChecklistTemplate.select().where(ChecklistTemplate.key == key).exists():
        errors["key"] = [_("A template with this key exists already.")]
    if form not in rules.FORMS:
        errors["form"] = [_("Choose one of: %(allowed)s.", allowed=", ".join(rules.FORMS))]
    errors.update(rules.text_errors(title, "title"))
    if errors:
        raise validation_error(errors)
    content_errors = rules.validate_template(content)
    if not content_errors and content["form"] != form:
        content_errors = {"form": [_("The content's form must be that of the template.")]}
    if content_errors:
        raise validation_error({f"content.{k}": v for k, v in content_errors.items()})
    template = create_record(
        ChecklistTemplate,
        actor=actor,
        key=key,
        form=form,
        title=dict(title),
        status="draft",
        published_version=0,
        shipped=shipped,
    )
    create_record(
        TemplateVersion,
        actor=actor,
        template=template,
        number=1,
        content=copy.deepcopy(content),
        status="draft",
        created_by=actor,
    )
    return template


def save_draft(
    version: TemplateVersion, *, actor: User | None, content: dict[str, Any]
) -> TemplateVersion:
    if version.status != "draft":
        raise _frozen()
    _check_content(version.template, content)
    return update_record(version, actor=actor, changes={"content": copy.deepcopy(content)})


def publish(version: TemplateVersion, *, actor: User | None) -> TemplateVersion:
    """Freeze the version forever and make it the one new rounds use."""
    template = version.template
    if version.status != "draft":
        raise _frozen()
    if template.status == "retired":
        raise _retired()
    _check_content(template, version.content)
    if not any(section["items"] for section in version.content["sections"]):
        raise validation_error(
            {"sections": [_("A template needs at least one item before it can be published.")]}
        )
    update_record(version, actor=actor, changes={"status": "published", "published_at": utcnow()})
    update_record(
        template,
        actor=actor,
        changes={
            "published_version": version.number,
            "status": "published",
            "title": dict(version.content["title"]),
        },
    )
    return version


def new_draft(template: ChecklistTemplate, *, actor: User | None) -> TemplateVersion:
    """A draft copied from the latest version; the existing draft if there is one."""
    if template.status == "retired":
        raise _retired()
    draft = draft_version(template)
    if draft is not None:
        return draft
    latest = latest_version(template)
    return create_record(
        TemplateVersion,
        actor=actor,
        template=template,
        number=(latest.number if latest else 0) + 1,
        content=copy.deepcopy(latest.content) if latest else {},
        status="draft",
        created_by=actor,
    )


def retire(template: ChecklistTemplate, *, actor: User | None) -> ChecklistTemplate:
    """No new rounds start from it; its versions stay for the rounds that used them."""
    return update_record(template, actor=actor, changes={"status": "retired"})


def shipped_content(key: str) -> dict[str, Any]:
    with (SHIPPED_DIR / f"{key}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def install_shipped(*, actor: User | None = None) -> list[str]:
    """Install the shipped templates; publish a new version only when their content changed.

    The shipped content counts as installed when any published version of the template holds
    it exactly, so a template the office changed since is left as the office made it.
    Returns one line per template saying what was done.
    """
    done = []
    for key in SHIPPED_KEYS:
        content = shipped_content(key)
        template = ChecklistTemplate.select().where(ChecklistTemplate.key == key).first()
        if template is None:
            template = create_template(
                actor=actor,
                key=key,
                form=content["form"],
                title=content["title"],
                content=content,
                shipped=True,
            )
            publish(draft_version(template), actor=actor)
            done.append(f"{key}: installed, version 1 published")
            continue
        if not template.shipped:
            update_record(template, actor=actor, changes={"shipped": True})
        versions = TemplateVersion.live().where(
            (TemplateVersion.template == template) & (TemplateVersion.status == "published")
        )
        if any(version.content == content for version in versions):
            done.append(f"{key}: unchanged (version {template.published_version} in use)")
            continue
        if template.status == "retired":
            done.append(f"{key}: retired, left alone")
            continue
        if draft_version(template) is not None:
            done.append(f"{key}: has an unpublished draft; publish or discard it, then install")
            continue
        draft = new_draft(template, actor=actor)
        save_draft(draft, actor=actor, content=content)
        publish(draft, actor=actor)
        done.append(f"{key}: content changed, version {draft.number} published")
    return done
