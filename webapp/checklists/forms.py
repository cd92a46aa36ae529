"""The office's template editor and schedule forms: posted form fields to content and back.

A form field is named by its dotted path inside the thing edited ("label.en", "counts.1.key",
"options.2.label.zh_Hant"), the same path `content.validate_template` names its errors by, so
each error lands next to its field. Nothing here touches the database.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from werkzeug.datastructures import MultiDict

from ..models.choices import SENSES
from ..validation import Schema
from . import content as rules

FORM_LABELS = {
    "round": _l("Inspection round"),
    "maintenance_report": _l("Maintenance report"),
    "contact_form": _l("Customer service contact form"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "retired": _l("Withdrawn from use"),
}
KIND_LABELS = {
    "check": _l("Check (normal / abnormal / not applicable)"),
    "count_pair": _l("Two counts (checked / handled)"),
    "measurement": _l("Measurement with tolerance"),
    "text": _l("Text"),
    "choice": _l("Choice"),
    "photo": _l("Photo"),
}
KIND_SHORT = {
    "check": _l("Check"),
    "count_pair": _l("Two counts"),
    "measurement": _l("Measurement"),
    "text": _l("Text"),
    "choice": _l("Choice"),
    "photo": _l("Photo"),
}
SENSE_LABELS = SENSES  # the house vocabulary (models/choices.py)
REQUIREMENT_LABELS = {"note": _l("a note"), "photo": _l("a photo")}
LANG_LABELS = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}

EXTRA_ROWS = 2  # blank option rows offered for adding options
MIN_ROWS = 4  # option rows of a new choice


# -- keys ----------------------------------------------------------------------------------


def slug(value: str, limit: int = 24) -> str:
    """ASCII letters and digits joined by dashes: "Supply voltage" -> "supply-voltage"."""
    words = re.findall(r"[a-z0-9]+", (value or "").lower())
    return "-".join(words)[:limit].strip("-")


def unique(base: str, taken: set[str], limit: int = 64) -> str:
    candidate, n = base[:limit], 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = base[: limit - len(suffix)] + suffix, n + 1
    return candidate


def item_keys(content: dict[str, Any]) -> set[str]:
    return {
        item.get("key")
        for section in content.get("sections", [])
        for item in section.get("items", [])
    }


def section_keys(content: dict[str, Any]) -> set[str]:
    return {section.get("key") for section in content.get("sections", [])}


def frozen_keys(contents: list[dict[str, Any]]) -> set[str]:
    """Section and item keys of published versions: they never change again."""
    keys: set[str] = set()
    for content in contents:
        keys |= section_keys(content) | item_keys(content)
    return keys


# -- finding things ------------------------------------------------------------------------


def find_section(content: dict[str, Any], key: str) -> int | None:
    for s, section in enumerate(content.get("sections", [])):
        if section.get("key") == key:
            return s
    return None


def find_item(content: dict[str, Any], key: str) -> tuple[int, int] | None:
    for s, section in enumerate(content.get("sections", [])):
        for i, item in enumerate(section.get("items", [])):
            if item.get("key") == key:
                return s, i
    return None


# -- texts ---------------------------------------------------------------------------------


def texts(form: MultiDict, prefix: str) -> dict[str, str]:
    return {lang: form.get(f"{prefix}.{lang}", "").strip() for lang in rules.LANGS}


def is_blank(obj: dict[str, str]) -> bool:
    return not any(obj.values())


def flat(value: Any, prefix: str, out: MultiDict) -> None:
    """Write a content fragment as form values under dotted names."""
    if isinstance(value, dict):
        for name, inner in value.items():
            flat(inner, f"{prefix}.{name}" if prefix else name, out)
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
        for n, inner in enumerate(value):
            flat(inner, f"{prefix}.{n}", out)
    elif isinstance(value, list):
        for inner in value:
            out.add(prefix, inner)
    elif isinstance(value, bool):
        if value:
            out.add(prefix, "on")
    elif value is not None:
        out.add(prefix, str(value))


# -- the template's title and new templates ------------------------------------------------

FIRST_SECTION = {
    "key": "general",
    "title": {"zh_Hans": "检查项目", "zh_Hant": "檢查項目", "en": "Checks"},
    "items": [],
}


def new_template(form: MultiDict) -> dict[str, Any]:
    """The arguments of `operations.create_template` from the New template form."""
    title = texts(form, "title")
    kind = form.get("form", "").strip()
    return {
        "key": form.get("key", "").strip(),
        "form": kind,
        "title": title,
        "content": {"title": title, "form": kind, "sections": [copy.deepcopy(FIRST_SECTION)]},
    }


ACCEPTANCE_LABELS = {
    "client": _l("The client accepts and signs (hand-over on the device)"),
    "none": _l("No signature: submitting closes the round"),
}


def title_values(content: dict[str, Any]) -> MultiDict:
    """The title form's values: the title in three languages and who closes a round."""
    values = section_values({"title": content.get("title", {})})
    values["acceptance"] = "client" if rules.client_signs(content) else "none"
    return values


def with_title(content: dict[str, Any], form: MultiDict) -> dict[str, Any]:
    changed = copy.deepcopy(content)
    changed["title"] = texts(form, "title")
    if "acceptance" in form:
        chosen = form.get("acceptance", "").strip()
        if chosen == "client":
            changed.pop("acceptance", None)  # the default: content stays as shipped
        else:
            changed["acceptance"] = chosen
    return changed


# -- sections ------------------------------------------------------------------------------


def section_values(section: dict[str, Any] | None) -> MultiDict:
    values = MultiDict()
    if section is not None:
        flat({k: v for k, v in section.items() if k != "items"}, "", values)
    return values


def parse_section(
    form: MultiDict, content: dict[str, Any], *, index: int | None, locked_key: str | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A section (without its items) from the form; `index` is None for a new one."""
    title = texts(form, "title")
    others = {s.get("key") for n, s in enumerate(content.get("sections", [])) if n != index}
    errors: dict[str, list[str]] = {}
    if locked_key is not None:
        key = locked_key
    else:
        key = form.get("key", "").strip()
        if not key and index is not None:
            key = content["sections"][index]["key"]  # an emptied box keeps the key
        elif not key:
            key = unique(slug(title["en"]) or f"section-{len(others) + 1}", others)
        elif key in others:
            errors["key"] = [_("This key is used twice.")]
    section: dict[str, Any] = {"key": key, "title": title}
    if form.get("repeat"):
        section["repeat"] = "equipment"
    return section, errors


def put_section(
    content: dict[str, Any], section: dict[str, Any], index: int | None
) -> dict[str, Any]:
    """The content with the section added (index None) or its heading replaced."""
    changed = copy.deepcopy(content)
    sections = changed.setdefault("sections", [])
    if index is None:
        sections.append({**section, "items": []})
    else:
        sections[index] = {**section, "items": sections[index].get("items", [])}
    return changed


def remove_section(content: dict[str, Any], index: int) -> dict[str, Any] | None:
    """The content without the section, or None when the section still has items."""
    if content["sections"][index].get("items"):
        return None
    changed = copy.deepcopy(content)
    del changed["sections"][index]
    return changed


def moved(items: list[Any], index: int, direction: str) -> bool:
    """Swap an entry with its neighbour in place; False when it cannot move that way."""
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    return True


def move_section(content: dict[str, Any], index: int, direction: str) -> dict[str, Any] | None:
    changed = copy.deepcopy(content)
    return changed if moved(changed["sections"], index, direction) else None


def move_item(
    content: dict[str, Any], where: tuple[int, int], direction: str
) -> dict[str, Any] | None:
    changed = copy.deepcopy(content)
    s, i = where
    return changed if moved(changed["sections"][s]["items"], i, direction) else None


def remove_item(content: dict[str, Any], where: tuple[int, int]) -> dict[str, Any]:
    changed = copy.deepcopy(content)
    s, i = where
    del changed["sections"][s]["items"][i]
    return changed


# -- items ---------------------------------------------------------------------------------


def new_item_values(kind: str) -> MultiDict:
    """What a new item's form starts with."""
    values = MultiDict({"required": "on"})
    if kind == "check":
        values["sense"] = "look"
    if kind == "count_pair":
        values["counts.0.key"], values["counts.1.key"] = "checked", "handled"
        for lang, first, second in (
            ("zh_Hans", "检查", "处理"),
            ("zh_Hant", "檢查", "處理"),
            ("en", "checked", "handled"),
        ):
            values[f"counts.0.label.{lang}"], values[f"counts.1.label.{lang}"] = first, second
        values["abnormal_if"] = "1"
    if kind == "measurement":
        values["tolerance"] = "0"
    if kind in rules.CAN_BE_ABNORMAL:
        values["abnormal_requires"] = "note"
    return values


def item_values(item: dict[str, Any]) -> MultiDict:
    """An item as the form's values."""
    values = MultiDict()
    apart = ("options", "abnormal_options", "abnormal_if")
    plain = {k: v for k, v in item.items() if k not in apart}
    plain["required"] = item.get("required", True)  # absent means required
    flat(plain, "", values)
    if item["kind"] == "count_pair":
        keys = [count.get("key") for count in item.get("counts", [])]
        if item.get("abnormal_if") in keys:
            values["abnormal_if"] = str(keys.index(item["abnormal_if"]))
    if item["kind"] == "choice":
        abnormal = set(item.get("abnormal_options") or [])
        for o, option in enumerate(item.get("options", [])):
            flat(option, f"options.{o}", values)
            if option.get("key") in abnormal:
                values[f"options.{o}.abnormal"] = "on"
    return values


def option_rows(values: MultiDict) -> int:
    """How many option rows the form shows: the posted ones, or the item's and some blank."""
    found = (re.match(r"options\.(\d+)\.", name) for name in values)
    posted = {int(match.group(1)) for match in found if match}
    if "option_rows" in values:
        return max(posted, default=-1) + 1
    return max(max(posted, default=-1) + 1 + EXTRA_ROWS, MIN_ROWS)


def number(raw: str) -> Any:
    """A number typed in a box; what cannot be read stays text for the rules to refuse."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def parse_item(
    form: MultiDict,
    kind: str,
    content: dict[str, Any],
    section_key: str,
    *,
    where: tuple[int, int] | None,
    locked_key: str | None,
) -> tuple[dict[str, Any], dict[str, list[str]], dict[int, int]]:
    """An item from the form; its errors found here; and which form row each option came from.

    `where` is the item's place when editing, None for a new item. Empty keys are made from
    the section key and the English label; a key in a published version stays as it is.
    """
    errors: dict[str, list[str]] = {}
    label = texts(form, "label")
    taken = item_keys(content)
    current = None
    if where is not None:
        s, i = where
        current = content["sections"][s]["items"][i].get("key")
        taken.discard(current)
    if locked_key is not None:
        key = locked_key
    else:
        key = form.get("key", "").strip()
        if not key and current is not None:
            key = current  # an emptied box keeps the key
        elif not key:
            base = f"{section_key}.{slug(label['en']) or kind}"
            key = unique(base, taken)
        elif key in taken:
            errors["key"] = [_("This key is used twice.")]
    item: dict[str, Any] = {"key": key, "kind": kind, "label": label}
    hint = texts(form, "hint")
    if not is_blank(hint):
        item["hint"] = hint
    item["required"] = bool(form.get("required"))
    if kind in rules.CAN_BE_ABNORMAL:
        chosen = form.getlist("abnormal_requires")
        item["abnormal_requires"] = [r for r in rules.REQUIREMENTS if r in chosen]
    rows: dict[int, int] = {}
    if kind == "check":
        item["sense"] = form.get("sense", "")
    elif kind == "count_pair":
        item["counts"] = []
        for c in (0, 1):
            count_label = texts(form, f"counts.{c}.label")
            count_key = form.get(f"counts.{c}.key", "").strip()
            count_key = count_key or slug(count_label["en"]).replace("-", "_") or f"count_{c + 1}"
            item["counts"].append({"key": count_key, "label": count_label})
        trigger = form.get("abnormal_if", "")
        if trigger in ("0", "1"):
            item["abnormal_if"] = item["counts"][int(trigger)]["key"]
    elif kind == "measurement":
        item["unit"] = form.get("unit", "").strip()
        item["nominal"] = number(form.get("nominal", ""))
        item["tolerance"] = number(form.get("tolerance", ""))
    elif kind == "text":
        item["multiline"] = bool(form.get("multiline"))
    elif kind == "choice":
        item["options"], abnormal = [], []
        option_keys: set[str] = set()
        for o in range(option_rows(form)):
            option_label = texts(form, f"options.{o}.label")
            option_key = form.get(f"options.{o}.key", "").strip()
            if not option_key and is_blank(option_label):
                continue  # a blank row
            if not option_key:
                base = slug(option_label["en"]).replace("-", "_") or f"option_{o + 1}"
                option_key = unique(base, option_keys)
            option_keys.add(option_key)
            rows[len(item["options"])] = o
            item["options"].append({"key": option_key, "label": option_label})
            if form.get(f"options.{o}.abnormal"):
                abnormal.append(option_key)
        item["abnormal_options"] = abnormal
    return item, errors, rows


def put_item(
    content: dict[str, Any], item: dict[str, Any], section: int, index: int | None
) -> dict[str, Any]:
    """The content with the item added at the end of the section (index None) or replaced."""
    changed = copy.deepcopy(content)
    items = changed["sections"][section].setdefault("items", [])
    if index is None:
        items.append(item)
    else:
        items[index] = item
    return changed


ALWAYS_SHOWN = frozenset(
    {"key", "required", "repeat", "multiline", "abnormal_if", "abnormal_requires"}
    | {"counts", "options", "abnormal_options", "title", "label", "hint", "form"}
)


def shown_fields(form: MultiDict) -> set[str]:
    """The names a form shows errors for: its fields, the groups they are in, its checkboxes."""
    names = set(ALWAYS_SHOWN)
    for name in form:
        parts = name.split(".")
        names.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return names


def errors_under(
    errors: dict[str, list[str]],
    prefix: str,
    rows: dict[int, int] | None = None,
    shown: set[str] | None = None,
) -> dict[str, list[str]]:
    """The errors of one part of the content, keyed by form field; the others under "_".

    `rows` maps an option's place in the item to the form row it was typed in; `shown` names
    the fields the form shows errors next to (all of them when None).
    """
    found: dict[str, list[str]] = {}
    for path, messages in errors.items():
        name = path[len(prefix) :] if path.startswith(prefix) else None
        match = re.match(r"options\.(\d+)(\..*)?$", name or "")
        if match and rows is not None:
            name = f"options.{rows.get(int(match.group(1)), match.group(1))}{match.group(2) or ''}"
        if name is None or (shown is not None and name not in shown):
            name = "_"
        found.setdefault(name, []).extend(messages)
    return found


# -- schedules -----------------------------------------------------------------------------


class ScheduleForm(Schema):
    """The schedule form's fields; the rules between them are in schedules.py."""

    template_id = fields.UUID(allow_none=True, load_default=None)
    site_id = fields.UUID(allow_none=True, load_default=None)
    location_id = fields.UUID(allow_none=True, load_default=None)
    system = fields.String(load_default="")
    frequency = fields.String(allow_none=True, load_default=None)
    starts_on = fields.Date(allow_none=True, load_default=None)


def schedule_data(form: MultiDict) -> dict[str, Any]:
    """Form values as the schema expects them: an empty box means "none"."""
    data: dict[str, Any] = {}
    for name in ScheduleForm().fields:
        value = form.get(name, "").strip()
        if value:
            data[name] = value
        elif name != "system":
            data[name] = None
    return data


def schedule_values(schedule: Any) -> MultiDict:
    return MultiDict(
        {
            "template_id": str(schedule.template_id),
            "site_id": str(schedule.site_id),
            "location_id": str(schedule.location_id or ""),
            "system": schedule.system,
            "frequency": schedule.frequency,
            "starts_on": schedule.starts_on.isoformat() if schedule.starts_on else "",
        }
    )
