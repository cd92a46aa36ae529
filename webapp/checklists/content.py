"""The rules of a checklist template's content and of the answers given to it (no database).

docs/checklists.md is the contract. static/js/checklist.js mirrors `expand`, `check_answer`,
`missing` and `text` line for line so the device and the server agree; the shared cases in
tests/checklist_vectors.json run against both.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask_babel import gettext as _

from ..models.choices import ANSWER_STATUSES
from ..models.choices import SENSES as SENSE_LABELS

LANGS = ("zh_Hans", "zh_Hant", "en")
FORMS = ("round", "maintenance_report", "contact_form")
KINDS = ("check", "count_pair", "measurement", "text", "choice", "photo")
SENSES = tuple(SENSE_LABELS)
STATUSES = tuple(ANSWER_STATUSES)
REQUIREMENTS = ("note", "photo")
CAN_BE_ABNORMAL = ("check", "count_pair", "measurement", "choice")
REPEATS = ("equipment",)
ACCEPTANCE = ("client", "none")  # a round is closed by the client's signature, or by no one

KEY = re.compile(r"^[a-z0-9_.-]{1,64}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_TEXT = 2000
MAX_LABEL = 500
MAX_UNIT = 16
LIMIT = 1e9
SCALE = 1e6  # six decimals

COMMON_FIELDS = ("key", "kind", "label", "hint", "required", "abnormal_requires")
EXTRA_FIELDS = {
    "check": ("sense",),
    "count_pair": ("counts", "abnormal_if"),
    "measurement": ("unit", "nominal", "tolerance"),
    "text": ("multiline",),
    "choice": ("options", "abnormal_options"),
    "photo": (),
}


# -- numbers -------------------------------------------------------------------------------


def _round_half_up(value: float) -> float:
    """Math.round of JavaScript: the nearest integer, halves upwards."""
    low = math.floor(value)
    return low + 1 if value - low >= 0.5 else low


def _scaled(value: float) -> int:
    """The number in millionths, exact for every number the rules let through."""
    return int(_round_half_up(value * SCALE))


def is_number(value: Any) -> bool:
    """A JSON number, not a boolean."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_error(value: Any) -> str | None:
    """Why `value` may not be stored as a number, or None: finite, at most 6 decimals, |x| < 1e9.
    Both sides then write it the same way."""
    if not is_number(value):
        return _("Enter a number.")
    if isinstance(value, float) and not math.isfinite(value):
        return _("Special numeric values (nan or infinity) are not permitted.")
    if abs(value) >= LIMIT:
        return _("The number must be between -999999999 and 999999999.")
    if _round_half_up(value * SCALE) / SCALE != value:
        return _("At most 6 decimals.")
    return None


def is_number_ok(value: Any) -> bool:
    return number_error(value) is None


def _is_whole(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return is_number(value)


BLANK = re.compile(r"^[ \t\n\r\f\v\u00a0\u3000]*$")


def _blank(value: Any) -> bool:
    """No text: not a string, or only spaces (the same spaces on the device)."""
    return not isinstance(value, str) or BLANK.match(value) is not None


# -- texts ---------------------------------------------------------------------------------


def text(obj: Any, locale: str) -> str:
    """The text in `locale`, else Simplified Chinese, else English, else ""."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return ""
    for lang in (locale, "zh_Hans", "en"):
        value = obj.get(lang)
        if not _blank(value):
            return value
    return ""


def text_errors(obj: Any, path: str) -> dict[str, list[str]]:
    """Errors of a {"zh_Hans", "zh_Hant", "en"} object, keyed "<path>" or "<path>.<language>"."""
    if not isinstance(obj, dict):
        return {path: [_("Give the text in Simplified Chinese, Traditional Chinese and English.")]}
    errors: dict[str, list[str]] = {}
    for lang in LANGS:
        value = obj.get(lang)
        if _blank(value):
            errors[f"{path}.{lang}"] = [_("This field may not be empty.")]
        elif len(value) > MAX_LABEL:
            errors[f"{path}.{lang}"] = [_("At most %(limit)d characters.", limit=MAX_LABEL)]
    for lang in obj:
        if lang not in LANGS:
            errors[f"{path}.{lang}"] = [_("Unknown field.")]
    return errors


# -- templates -----------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.found.setdefault(path, []).append(message)

    def text(self, path: str, obj: Any) -> None:
        for where, messages in text_errors(obj, path).items():
            for message in messages:
                self.add(where, message)

    def key(self, path: str, value: Any, seen: set[str] | None = None) -> None:
        if not isinstance(value, str) or not KEY.match(value):
            self.add(
                path, _("Use 1 to 64 lower-case letters, digits, dots, dashes or underscores.")
            )
        elif seen is not None:
            if value in seen:
                self.add(path, _("This key is used twice."))
            seen.add(value)


def validate_template(content: Any) -> dict[str, list[str]]:
    """Every error of a template's content, keyed by a dotted path; {} when it is valid."""
    errors = _Errors()
    if not isinstance(content, dict):
        errors.add("content", _("Not a valid mapping type."))
        return errors.found
    for name in content:
        if name not in ("title", "form", "acceptance", "sections"):
            errors.add(str(name), _("Unknown field."))
    errors.text("title", content.get("title"))
    if content.get("form") not in FORMS:
        errors.add("form", _("Choose one of: %(allowed)s.", allowed=", ".join(FORMS)))
    if "acceptance" in content and content["acceptance"] not in ACCEPTANCE:
        errors.add("acceptance", _("Choose one of: %(allowed)s.", allowed=", ".join(ACCEPTANCE)))
    sections = content.get("sections")
    if not isinstance(sections, list):
        errors.add("sections", _("Not a valid list."))
        return errors.found
    section_keys: set[str] = set()
    item_keys: set[str] = set()
    for s, section in enumerate(sections):
        path = f"sections.{s}"
        if not isinstance(section, dict):
            errors.add(path, _("Not a valid mapping type."))
            continue
        for name in section:
            if name not in ("key", "title", "repeat", "items"):
                errors.add(f"{path}.{name}", _("Unknown field."))
        errors.key(f"{path}.key", section.get("key"), section_keys)
        errors.text(f"{path}.title", section.get("title"))
        repeat = section.get("repeat")
        if repeat is not None and repeat not in REPEATS:
            errors.add(f"{path}.repeat", _("Choose one of: %(allowed)s.", allowed="equipment"))
        items = section.get("items")
        if not isinstance(items, list):
            errors.add(f"{path}.items", _("Not a valid list."))
            continue
        for i, item in enumerate(items):
            _validate_item(errors, f"{path}.items.{i}", item, item_keys)
    return errors.found


def _validate_item(errors: _Errors, path: str, item: Any, item_keys: set[str]) -> None:
    if not isinstance(item, dict):
        errors.add(path, _("Not a valid mapping type."))
        return
    errors.key(f"{path}.key", item.get("key"), item_keys)
    kind = item.get("kind")
    if kind not in KINDS:
        errors.add(f"{path}.kind", _("Choose one of: %(allowed)s.", allowed=", ".join(KINDS)))
        return
    for name in item:
        if name not in COMMON_FIELDS and name not in EXTRA_FIELDS[kind]:
            errors.add(f"{path}.{name}", _("Unknown field."))
    errors.text(f"{path}.label", item.get("label"))
    if item.get("hint") is not None:
        errors.text(f"{path}.hint", item["hint"])
    if "required" in item and not isinstance(item["required"], bool):
        errors.add(f"{path}.required", _("Not a valid boolean."))
    requires = item.get("abnormal_requires")
    if requires is not None:
        if kind not in CAN_BE_ABNORMAL:
            errors.add(f"{path}.abnormal_requires", _("An item of this kind is never abnormal."))
        elif (
            not isinstance(requires, list)
            or any(r not in REQUIREMENTS for r in requires)
            or len(set(requires)) != len(requires)
        ):
            errors.add(
                f"{path}.abnormal_requires",
                _("Choose among: %(allowed)s.", allowed=", ".join(REQUIREMENTS)),
            )
    if kind == "check":
        if item.get("sense") not in SENSES:
            errors.add(f"{path}.sense", _("Choose one of: %(allowed)s.", allowed=", ".join(SENSES)))
    elif kind == "count_pair":
        _validate_counts(errors, path, item)
    elif kind == "measurement":
        unit = item.get("unit")
        if not isinstance(unit, str) or not unit.strip() or len(unit) > MAX_UNIT:
            errors.add(f"{path}.unit", _("Give a unit of at most 16 characters, such as V."))
        nominal = item.get("nominal")
        if nominal is not None and number_error(nominal):
            errors.add(f"{path}.nominal", number_error(nominal))
        tolerance = item.get("tolerance")
        if number_error(tolerance):
            errors.add(f"{path}.tolerance", number_error(tolerance))
        elif tolerance < 0:
            errors.add(f"{path}.tolerance", _("The tolerance may not be negative."))
    elif kind == "text":
        if "multiline" in item and not isinstance(item["multiline"], bool):
            errors.add(f"{path}.multiline", _("Not a valid boolean."))
    elif kind == "choice":
        _validate_options(errors, path, item)


def _validate_counts(errors: _Errors, path: str, item: dict[str, Any]) -> None:
    counts = item.get("counts")
    if not isinstance(counts, list) or len(counts) != 2:
        errors.add(f"{path}.counts", _("Give exactly two counts."))
        return
    keys: set[str] = set()
    for c, count in enumerate(counts):
        if not isinstance(count, dict):
            errors.add(f"{path}.counts.{c}", _("Not a valid mapping type."))
            continue
        for name in count:
            if name not in ("key", "label"):
                errors.add(f"{path}.counts.{c}.{name}", _("Unknown field."))
        errors.key(f"{path}.counts.{c}.key", count.get("key"), keys)
        errors.text(f"{path}.counts.{c}.label", count.get("label"))
    abnormal_if = item.get("abnormal_if")
    if abnormal_if is not None and abnormal_if not in keys:
        errors.add(f"{path}.abnormal_if", _("Name one of the two counts."))


def _validate_options(errors: _Errors, path: str, item: dict[str, Any]) -> None:
    options = item.get("options")
    if not isinstance(options, list) or len(options) < 2:
        errors.add(f"{path}.options", _("Give at least two options."))
        return
    keys: set[str] = set()
    for o, option in enumerate(options):
        if not isinstance(option, dict):
            errors.add(f"{path}.options.{o}", _("Not a valid mapping type."))
            continue
        for name in option:
            if name not in ("key", "label"):
                errors.add(f"{path}.options.{o}.{name}", _("Unknown field."))
        errors.key(f"{path}.options.{o}.key", option.get("key"), keys)
        errors.text(f"{path}.options.{o}.label", option.get("label"))
    abnormal = item.get("abnormal_options")
    if abnormal is None:
        return
    if (
        not isinstance(abnormal, list)
        or any(not isinstance(k, str) or k not in keys for k in abnormal)
        or len(set(abnormal)) != len(abnormal)
    ):
        errors.add(f"{path}.abnormal_options", _("Name options of this item, each once."))


# -- rounds --------------------------------------------------------------------------------


def client_signs(content: dict[str, Any]) -> bool:
    """Whether a round of this content is closed by the client's acceptance and signature.

    Yes unless the template says "none": the maintenance report carries the acceptance block,
    and the daily round's operations record is signed off by the client's project lead
    (domain §1, §7)."""
    return content.get("acceptance", "client") != "none"


def expand(content: dict[str, Any], equipment_ids: list[Any]) -> list[dict[str, Any]]:
    """The questions of a round in order; a repeated section once per device, device by device.

    Each entry: key (the answer's item_key), item, section, equipment_id (None outside a
    repeated section)."""
    entries = []
    for section in content.get("sections", []):
        if section.get("repeat") == "equipment":
            for equipment_id in equipment_ids or []:
                eid = str(equipment_id)
                for item in section["items"]:
                    entries.append(
                        {
                            "key": f"{item['key']}@{eid}",
                            "item": item,
                            "section": section,
                            "equipment_id": eid,
                        }
                    )
        else:
            for item in section["items"]:
                entries.append(
                    {"key": item["key"], "item": item, "section": section, "equipment_id": None}
                )
    return entries


def find(content: dict[str, Any], equipment_ids: list[Any], item_key: str) -> dict | None:
    """The entry of `expand` answered under `item_key`, or None when the round has no such item."""
    for entry in expand(content, equipment_ids):
        if entry["key"] == item_key:
            return entry
    return None


class AnswerError(Exception):
    """An answer that does not fit its item; `messages` are translated, keyed by field."""

    def __init__(self, messages: dict[str, list[str]]) -> None:
        super().__init__(messages)
        self.messages = messages


def _get(answer: Any, name: str) -> Any:
    if isinstance(answer, dict):
        return answer.get(name)
    return getattr(answer, name, None)


def check_answer(item: dict[str, Any], answer: Any) -> str:
    """The status the answer stands for; raises AnswerError when it does not fit the item.

    `answer` holds status, value, note and photos (a dict, or a record with those attributes).
    For every kind but `check` the status follows from the value, and a given status must agree.
    """
    if not isinstance(answer, dict) and not hasattr(answer, "status"):
        raise AnswerError({"answer": [_("Not a valid mapping type.")]})
    errors: dict[str, list[str]] = {}
    status = _get(answer, "status")
    value = _get(answer, "value")
    note = _get(answer, "note")
    photos = _get(answer, "photos")
    kind = item["kind"]
    if note is not None and not isinstance(note, str):
        errors["note"] = [_("Not a valid string.")]
    elif note is not None and len(note) > MAX_TEXT:
        errors["note"] = [_("At most %(limit)d characters.", limit=MAX_TEXT)]
    if photos is not None and (
        not isinstance(photos, list)
        or any(not isinstance(p, str) or not UUID.match(p) for p in photos)
    ):
        errors["photos"] = [_("Give a list of photo ids.")]
    elif photos is not None and len({p.lower() for p in photos}) != len(photos):
        errors["photos"] = [_("A photo appears twice.")]
    derived = None
    if status is not None and status not in STATUSES:
        errors["status"] = [_("Choose one of: %(allowed)s.", allowed=", ".join(STATUSES))]
    elif status == "na":
        if value is not None:
            errors["value"] = [_("A question that does not apply takes no value.")]
        derived = "na"
    elif kind in ("check", "photo"):
        if value is not None:
            errors["value"] = [_("This kind of item takes no value.")]
        if kind == "check":
            if status is None:
                errors["status"] = [_("Say whether it is normal or abnormal.")]
            derived = status
        else:
            derived = "normal"
    elif kind == "count_pair":
        derived = _count_pair(item, value, errors)
    elif kind == "measurement":
        derived = _measurement(item, value, errors)
    elif kind == "text":
        if value is not None and not isinstance(value, str):
            errors["value"] = [_("Not a valid string.")]
        elif value is not None and len(value) > MAX_TEXT:
            errors["value"] = [_("At most %(limit)d characters.", limit=MAX_TEXT)]
        derived = "normal"
    elif kind == "choice":
        keys = [option["key"] for option in item["options"]]
        if not isinstance(value, str) or value not in keys:
            errors["value"] = [_("Choose one of the options.")]
        else:
            derived = "abnormal" if value in (item.get("abnormal_options") or []) else "normal"
    if derived is not None and status is not None and status != derived and "status" not in errors:
        errors["status"] = [_disagrees(derived)]
    if errors:
        raise AnswerError(errors)
    return derived


def _disagrees(derived: str) -> str:
    if derived == "abnormal":
        return _("By its value this answer is abnormal.")
    return _("By its value this answer is normal.")


def _count_pair(item: dict[str, Any], value: Any, errors: dict[str, list[str]]) -> str | None:
    keys = [count["key"] for count in item["counts"]]
    if not isinstance(value, dict):
        errors["value"] = [_("Give both counts.")]
        return None
    for name in value:
        if name not in keys:
            errors.setdefault("value", []).append(_("Unknown count: %(key)s.", key=name))
    for key in keys:
        count = value.get(key)
        if count is None:
            errors[f"value.{key}"] = [_("Give this count.")]
        elif not _is_whole(count) or count < 0:
            errors[f"value.{key}"] = [_("Give a whole number, 0 or more.")]
        elif count >= LIMIT:
            errors[f"value.{key}"] = [_("The number must be between -999999999 and 999999999.")]
    if any(k.startswith("value") for k in errors):
        return None
    trigger = item.get("abnormal_if")
    return "abnormal" if trigger is not None and value[trigger] > 0 else "normal"


def _measurement(item: dict[str, Any], value: Any, errors: dict[str, list[str]]) -> str | None:
    if not isinstance(value, dict):
        errors["value"] = [_("Give the reading.")]
        return None
    own = item.get("nominal")
    for name in value:
        if name != "reading" and (name != "nominal" or own is not None):
            errors.setdefault("value", []).append(_("Unknown field: %(key)s.", key=name))
    reading = value.get("reading")
    if reading is None:
        errors["value.reading"] = [_("Give the reading.")]
    elif number_error(reading):
        errors["value.reading"] = [number_error(reading)]
    nominal = own
    if own is None:
        nominal = value.get("nominal")
        if nominal is None:
            errors["value.nominal"] = [_("Give the rated value.")]
        elif number_error(nominal):
            errors["value.nominal"] = [number_error(nominal)]
    if any(k.startswith("value") for k in errors):
        return None
    off = abs(_scaled(reading) - _scaled(nominal))
    return "abnormal" if off > _scaled(item["tolerance"]) else "normal"


def _answered(item: dict[str, Any], answer: Any) -> bool:
    status = _get(answer, "status")
    if status == "na":
        return True
    kind = item["kind"]
    if kind == "check":
        return status in ("normal", "abnormal")
    if kind == "text":
        return not _blank(_get(answer, "value"))
    if kind == "photo":
        return True  # the photos are checked below
    return _get(answer, "value") is not None


def _has_photos(answer: Any) -> bool:
    photos = _get(answer, "photos")
    return isinstance(photos, list) and len(photos) > 0


def missing(
    content: dict[str, Any], equipment_ids: list[Any], answers_by_key: dict[str, Any]
) -> list[dict[str, Any]]:
    """What stops the round from being submitted, in template order.

    Each entry: key, equipment_id, label (the item's text object) and reason: "unanswered" (a
    required item), "note" or "photo" (an abnormal answer without what it must carry, or a
    required photo item without a photo)."""
    found = []
    for entry in expand(content, equipment_ids):
        item = entry["item"]
        answer = answers_by_key.get(entry["key"])
        required = item.get("required", True)
        reasons = []
        if answer is None or not _answered(item, answer):
            if required:
                reasons.append("unanswered")
        elif _get(answer, "status") == "abnormal":
            for need in item.get("abnormal_requires") or []:
                if need == "note" and _blank(_get(answer, "note")):
                    reasons.append("note")
                if need == "photo" and not _has_photos(answer):
                    reasons.append("photo")
        elif (
            item["kind"] == "photo"
            and required
            and _get(answer, "status") != "na"
            and not _has_photos(answer)
        ):
            reasons.append("photo")
        for reason in reasons:
            found.append(
                {
                    "key": entry["key"],
                    "equipment_id": entry["equipment_id"],
                    "label": item["label"],
                    "reason": reason,
                }
            )
    return found
