"""Import and export of the equipment register as CSV or XLSX (docs/import-export.md).

A file is read into a `Sheet` (files.py), its columns are matched to register fields in any of
the three languages, and every row is checked against the chosen site into a `Plan`: good rows
to create or update, bad rows with their line and reason. A confirmed plan is written in the
caller's one transaction, so an import is all of its good rows or nothing. Uploads wait for
confirmation in the instance folder (`Uploads`), never in the browser.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from peewee import JOIN

from .. import bulk
from ..models import Equipment, Location, Site, User, utcnow
from ..models.choices import EQUIPMENT_STATUSES, EQUIPMENT_SYSTEMS
from ..records import audit, batched_writes, lock, stamp
from ..spreadsheets import write_csv, write_xlsx
from ..validation import N_, translate_messages
from . import operations as ops
from .files import FileProblem, Sheet, cell_text
from .schemas import EquipmentIn, EquipmentPatch

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
PREVIEW_ROWS = 50
CHUNK = 500  # rows per bulk insert


# --- Columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # a register field, or "site", "location", "id"
    label: str  # message id of the header; exported in the reader's language
    kind: str = "text"  # text, date, years, system, status, site, location, id
    aliases: tuple[str, ...] = ()  # more headers accepted on import, besides labels and key


# Export order. Every header is accepted in all three languages and as the field name.
COLUMNS = (
    Column("code", N_("Asset number"), aliases=("资产编号", "資產編號", "编号", "編號")),
    Column("name", N_("Name"), aliases=("名称", "名稱", "设备名称", "設備名稱", "device")),
    Column("system", N_("System"), "system", aliases=("系统", "系統")),
    Column("brand", N_("Brand"), aliases=("品牌",)),
    Column("model", N_("Model"), aliases=("型号", "型號")),
    Column(
        "serial_number",
        N_("Serial number"),
        aliases=("序列号", "序列號", "序號", "SN", "S/N", "serial", "serial no"),
    ),
    Column("manufacturer", N_("Manufacturer"), aliases=("厂家", "廠家", "厂商", "廠商")),
    Column(
        "manufacturer_contact",
        N_("Manufacturer contact"),
        aliases=("厂家联系方式", "廠家聯繫方式", "廠家聯絡方式"),
    ),
    Column("supplier", N_("Supplier"), aliases=("供应商", "供應商")),
    Column(
        "installed_on",
        N_("Installed on"),
        "date",
        aliases=("安装日期", "安裝日期", "installation date"),
    ),
    Column("service_years", N_("Years in use"), "years", aliases=("使用年限", "years_in_use")),
    Column("warranty_until", N_("Warranty until"), "date", aliases=("保修截止", "保固截止")),
    Column("interfaces", N_("Interfaces"), aliases=("接口", "介面")),
    Column("free_interfaces", N_("Free interfaces"), aliases=("剩余接口", "剩餘接口", "剩餘介面")),
    Column("site", N_("Site"), "site", aliases=("站点", "站點")),
    Column("location", N_("Location"), "location", aliases=("位置",)),
    Column("status", N_("Status"), "status", aliases=("状态", "狀態")),
    Column("fault_points", N_("Common fault points"), aliases=("常见故障点", "常見故障點")),
    Column("notes", N_("Notes"), aliases=("备注", "備註", "備注")),
    Column("id", N_("Record ID"), "id", aliases=("uuid",)),
)
BY_KEY = {c.key: c for c in COLUMNS}
CHOICES = {"system": EQUIPMENT_SYSTEMS, "status": EQUIPMENT_STATUSES}


def normalise(text: Any) -> str:
    """Compare names loosely: full-width forms, case, spaces, '_', '-', '*' and ':' ignored."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s_\-*:]+", "", folded)


def _in_every_language(message) -> set[str]:
    """A message (id or lazy string) as each of the three catalogues says it."""
    names = set()
    for locale in LANGUAGES:
        with force_locale(locale):
            names.add(str(message) if not isinstance(message, str) else _(message))
    return names


def header_lookup() -> dict[str, str]:
    """Normalised header -> column key, for every name a column is known by."""
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        names = {column.key, column.label, *column.aliases, *_in_every_language(column.label)}
        for name in names:
            lookup.setdefault(normalise(name), column.key)
    return lookup


def choice_lookup(key: str) -> dict[str, str]:
    """Normalised value or label (any language) -> stored value, for system and status."""
    lookup: dict[str, str] = {}
    for value, label in CHOICES[key].items():
        for name in (value, *_in_every_language(label)):
            lookup.setdefault(normalise(name), value)
    return lookup


@dataclass
class Mapping:
    columns: dict[str, int]  # column key -> index in the file's rows
    headers: dict[str, str]  # column key -> the header as the file writes it
    ignored: list[str]  # headers matching no field


def map_columns(header: list[Any]) -> Mapping:
    lookup = header_lookup()
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        if not text:
            continue
        key = lookup.get(normalise(text))
        if key is None:
            ignored.append(text)
        elif key in columns:
            raise FileProblem(
                _(
                    "The columns “%(first)s” and “%(second)s” mean the same field. "
                    "Remove one of them.",
                    first=headers[key],
                    second=text,
                )
            )
        else:
            columns[key], headers[key] = index, text
    if "name" not in columns:
        raise FileProblem(
            _(
                "The file has no name column. The first row must hold the column names, "
                "with at least %(names)s.",
                names=" / ".join(sorted(_in_every_language(BY_KEY["name"].label))),
            )
        )
    return Mapping(columns, headers, ignored)


# --- Cells ---------------------------------------------------------------------------------


class CellProblem(Exception):
    pass


DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T][\d:.]+)?$")


def parse_date(value: Any) -> date | None:
    """2026-11-21, 2026/11/21, 2026.11.21, 2026年11月21日, or a spreadsheet date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = DATE.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellProblem(_("“%(value)s” is not a date; write it as 2026-11-21.", value=text))


def parse_years(value: Any) -> int | None:
    text = cell_text(value).removesuffix("年").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise CellProblem(_("“%(value)s” is not a whole number of years.", value=cell_text(value)))


# --- Checking rows against the site --------------------------------------------------------


@dataclass
class Row:
    line: int
    item_id: uuid.UUID | None = None
    action: str = ""  # create, update or unchanged
    data: dict[str, Any] = field(default_factory=dict)  # create: all fields; update: changes
    record: Equipment | None = None  # the device an update changes
    show: dict[str, str] = field(default_factory=dict)  # what the preview shows
    problems: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


@dataclass
class Plan:
    site: Site
    mapping: Mapping
    good: list[Row]
    bad: list[Row]
    locations: dict[uuid.UUID, Location] = field(default_factory=dict)  # the site's, by id

    def counts(self) -> dict[str, int]:
        actions = [r.action for r in self.good]
        return {
            "rows": len(self.good) + len(self.bad),
            "create": actions.count("create"),
            "update": actions.count("update"),
            "unchanged": actions.count("unchanged"),
            "bad": len(self.bad),
        }


class _Site:
    """What checking rows needs from the database, read once per file."""

    def __init__(self, site: Site, ids: list[uuid.UUID]) -> None:
        self.site = site
        self.locations: dict[str, list[Location]] = {}
        self.location_by_id: dict[uuid.UUID, Location] = {}
        for location in Location.live().where(Location.site == site):
            self.locations.setdefault(normalise(location.name), []).append(location)
            self.location_by_id[location.id] = location
        self.existing: dict[uuid.UUID, Equipment] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for item in Equipment.select().where(Equipment.id.in_(chunk)):
                self.existing[item.id] = item
        self.choices = {key: choice_lookup(key) for key in CHOICES}
        # asset numbers and serial numbers in use at the site: value -> (device id, its name)
        self.taken: dict[str, dict[str, tuple[uuid.UUID, str | int]]] = {k: {} for k in UNIQUE}
        columns = (Equipment.id, Equipment.name, Equipment.code, Equipment.serial_number)
        for item in Equipment.live().select(*columns).where(Equipment.site == site):
            for key in UNIQUE:
                if value := _same(getattr(item, key)):
                    self.taken[key].setdefault(value, (item.id, item.name))


UNIQUE = ("code", "serial_number")  # a second device with one of these is a mistake


def _same(value: Any) -> str:
    return str(value or "").strip().casefold()


def row_id(seed: str, line: int) -> uuid.UUID:
    """The id a new device of this line gets: the same on every try, so confirming twice (or
    again after a crash between commit and clean-up) updates instead of duplicating."""
    return uuid.uuid5(uuid.UUID(seed), str(line))


def plan_import(sheet: Sheet, *, site: Site, seed: str) -> Plan:
    """Check every row against the site; nothing is written."""
    mapping = map_columns(sheet.header)
    ids = [_given_id(cells, mapping) or row_id(seed, line) for line, cells in sheet.rows]
    ctx = _Site(site, [i for i in ids if isinstance(i, uuid.UUID)])
    good: list[Row] = []
    bad: list[Row] = []
    seen: dict[uuid.UUID, int] = {}
    for (line, cells), target in zip(sheet.rows, ids, strict=True):
        row = _check_row(line, cells, mapping, ctx, target, seen)
        (bad if row.problems else good).append(row)
    return Plan(site, mapping, good, bad, ctx.location_by_id)


def _given_id(cells: list[Any], mapping: Mapping) -> uuid.UUID | str | None:
    index = mapping.columns.get("id")
    text = cell_text(cells[index]) if index is not None and index < len(cells) else ""
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return text  # reported by the row check


def _check_row(line, cells, mapping: Mapping, ctx: _Site, target, seen) -> Row:
    row = Row(line)

    def fail(key: str, message: str) -> None:
        header = mapping.headers.get(key) or _(BY_KEY[key].label)
        row.problems.append(f"{header}: {message}")

    values: dict[str, Any] = {}
    for key, index in mapping.columns.items():
        cell = cells[index] if index < len(cells) else None
        try:
            values[key] = _convert(BY_KEY[key].kind, cell, key, ctx)
        except CellProblem as problem:
            fail(key, str(problem))
    values.pop("id", None)
    if isinstance(target, str):
        fail("id", _("“%(value)s” is not a record ID.", value=target))
    else:
        row.item_id = target
        if target in seen:
            fail("id", _("The same record is also on line %(line)d.", line=seen[target]))
        seen.setdefault(target, line)
        record = ctx.existing.get(target)
        if record is not None and record.deleted_at is not None:
            fail("id", _("This equipment was removed. Clear the record ID to add it again."))
        elif record is not None and record.site_id != ctx.site.id:
            fail("id", _("This equipment belongs to another site."))
        else:
            row.record = record
    site_name = values.pop("site", "")
    if site_name and normalise(site_name) != normalise(ctx.site.name):
        fail("site", _("This row is for the site “%(name)s”, not the one chosen.", name=site_name))
    if "location" in values:
        name = values.pop("location")
        matches = ctx.locations.get(normalise(name), []) if name else [None]
        if not matches:
            fail(
                "location",
                _(
                    "There is no location “%(name)s” at this site. Add it in the office, "
                    "or correct the name.",
                    name=name,
                ),
            )
        elif len(matches) > 1:
            fail("location", _("Several locations at this site are called “%(name)s”.", name=name))
        else:
            values["location_id"] = matches[0].id if matches[0] else None
    if values.get("installed_on"):
        values.pop("service_years", None)  # years in use follow from the installation date
    for key in CHOICES:  # an empty system or status means "as it is" (or the default)
        if values.get(key) is None:
            values.pop(key, None)
    _load(row, values, mapping, ctx, fail)  # the contract's own checks, reported as well
    return row


def _convert(kind: str, cell: Any, key: str, ctx: _Site) -> Any:
    if kind == "date":
        found = parse_date(cell)
        return found.isoformat() if found else None
    if kind == "years":
        return parse_years(cell)
    text = cell_text(cell)
    if kind in CHOICES:
        if not text:
            return None
        value = ctx.choices[key].get(normalise(text))
        if value is None:
            value = ctx.choices[key].get(re.sub(r"(系统|系統|system)$", "", normalise(text)))
        if value is None:
            allowed = ", ".join(str(label) for label in CHOICES[key].values())
            raise CellProblem(
                _("“%(value)s” is not one of: %(allowed)s.", value=text, allowed=allowed)
            )
        return value
    return text


EQUIPMENT_IN = EquipmentIn()
EQUIPMENT_PATCH = EquipmentPatch()
FIELD_COLUMN = {"location_id": "location", "site_id": "site"}


def _load(row: Row, values: dict[str, Any], mapping: Mapping, ctx: _Site, fail) -> None:
    """Check with the register's own contract, then decide: create, update or unchanged."""
    payload = {**values, "site_id": str(ctx.site.id)}
    if payload.get("location_id"):
        payload["location_id"] = str(payload["location_id"])
    schema = EQUIPMENT_PATCH if row.record is not None else EQUIPMENT_IN
    try:
        loaded = schema.load(payload)
    except ValidationError as err:
        for name, messages in translate_messages(err.normalized_messages()).items():
            key = FIELD_COLUMN.get(name, name)
            for message in messages:
                if key in BY_KEY:
                    fail(key, message)
                else:
                    row.problems.append(message)
        return
    if row.record is None:
        row.action, row.data, final = "create", loaded, loaded
    else:
        loaded.pop("site_id", None)
        item = row.record
        row.data = {name: value for name, value in loaded.items() if getattr(item, name) != value}
        row.action = "update" if row.data else "unchanged"
        final = {name: getattr(item, name) for name in SHOWN} | loaded
    _check_unique(row, final, ctx, fail)
    location = ctx.location_by_id.get(final.get("location_id"))
    row.show = {name: final.get(name) or "" for name in SHOWN if name != "location_id"}
    row.show["system"] = str(EQUIPMENT_SYSTEMS.get(final.get("system", "other"), ""))
    row.show["location"] = location.name if location else ""


SHOWN = ("name", "code", "system", "model", "serial_number", "location_id")


def _check_unique(row: Row, final: dict[str, Any], ctx: _Site, fail) -> None:
    """An asset or serial number already used by other equipment at the site, or by an earlier
    row: most often a file imported twice, so the row is refused rather than duplicated."""
    for key in UNIQUE:
        value = _same(final.get(key))
        if not value:
            continue
        owner = ctx.taken[key].get(value)
        if owner is not None and owner[0] != row.item_id:
            shown = final.get(key)
            if isinstance(owner[1], int):
                fail(key, _("“%(value)s” is also on line %(line)d.", value=shown, line=owner[1]))
            else:
                fail(
                    key,
                    _(
                        "“%(value)s” is already registered at this site (%(name)s). "
                        "Add that equipment's record ID to change it.",
                        value=shown,
                        name=owner[1],
                    ),
                )
        elif not row.problems:
            ctx.taken[key][value] = (row.item_id, row.line)


# --- Writing -------------------------------------------------------------------------------


def apply_plan(plan: Plan, *, actor: User, filename: str) -> dict[str, int]:
    """Write every good row. Call inside one write transaction: a failure leaves nothing."""
    with batched_writes():
        # the rows to change, locked by id before the first change number, as a push does
        # (docs/sync-protocol.md, "Overlapping requests")
        for row in sorted(
            (r for r in plan.good if r.action == "update"), key=lambda r: r.record.id
        ):
            lock(row.record)
        created = _create_all([r for r in plan.good if r.action == "create"], plan, actor)
        updated = 0
        for row in plan.good:
            if row.action != "update":
                continue
            ops.update_equipment(
                row.record,
                actor=actor,
                changes=row.data,
                allowed_sites=Site.live().where(Site.id == plan.site.id),
                base_version=row.record.version,  # an office edit of what the file was made on
            )
            updated += 1
        counts = {**plan.counts(), "create": created, "update": updated}
        audit(actor, "import", plan.site, {"file": filename[:200], **counts})
    return counts


FIELDS = tuple(Equipment._meta.sorted_field_names)


def _create_all(rows: list[Row], plan: Plan, actor: User) -> int:
    """Insert new devices in bulk, each written exactly as `create_record` writes one."""
    now = utcnow()
    pending: list[dict[str, Any]] = []
    for row in rows:
        values = {k: v for k, v in row.data.items() if k not in ("site_id", "location_id")}
        values["site"] = plan.site
        values["location"] = plan.locations.get(row.data.get("location_id"))
        record = Equipment(id=row.item_id, **values)
        record.version = 1
        stamp(record)
        record.created_at = record.updated_at = now
        pending.append({name: record.__data__.get(name) for name in FIELDS})
        audit(actor, "create", record, {"id": row.item_id, **values})
        if len(pending) == CHUNK:
            bulk.insert_many(Equipment, pending)
            pending = []
    bulk.insert_many(Equipment, pending)
    return len(rows)


# --- Export --------------------------------------------------------------------------------


def export_query(filters: dict[str, Any]):
    """The register as the office list shows it, with site and location read in one query."""
    query = (
        Equipment.select(Equipment, Site, Location)
        .join(Site)
        .switch(Equipment)
        .join(Location, JOIN.LEFT_OUTER)
        .where(Equipment.deleted_at.is_null())
        .order_by(Site.name, Equipment.code, Equipment.name)
    )
    return ops.search_equipment(query, **filters)  # loaded by schemas.office_filters


TEXTUAL = frozenset({"text", "date"})


def export_table(query, *, today: date) -> tuple[list[str], list[list[Any]]]:
    """Headers in the reader's language and one row per device, cells as Python values."""
    headers = [_(c.label) for c in COLUMNS]
    rows = []
    for item in query:
        values = {c.key: getattr(item, c.key) for c in COLUMNS if c.kind in TEXTUAL}
        values.update(
            system=str(EQUIPMENT_SYSTEMS.get(item.system, item.system)),
            status=str(EQUIPMENT_STATUSES.get(item.status, item.status)),
            service_years=item.years_in_use(today),
            site=item.site.name,
            location=item.location.name if item.location_id else "",
            id=str(item.id),
        )
        rows.append([values[c.key] for c in COLUMNS])
    return headers, rows


def to_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a BOM, cells that would be read as formulas guarded with a leading apostrophe,
    which the import removes again (the shared writer, webapp/spreadsheets.py)."""
    return write_csv(headers, rows)


WIDTHS = {"name": 24, "fault_points": 30, "notes": 30, "id": 38, "manufacturer_contact": 20}


def to_xlsx(headers: list[str], rows: list[list[Any]], *, title: str) -> bytes:
    """One sheet, a bold frozen header, dates as date cells, text always as text."""
    widths = [WIDTHS.get(column.key, 14) for column in COLUMNS]
    return write_xlsx(headers, rows, title=title, widths=widths)


# --- Uploads waiting for confirmation ------------------------------------------------------

UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{24}$")
KEEP_SECONDS = 24 * 3600


class Uploads:
    """Uploaded files kept in the instance folder between preview and confirmation: a random
    id, the uploader's user id and a SHA-256 of the bytes; removed after the import or a day."""

    def __init__(self, instance_path: str) -> None:
        self.folder = Path(instance_path) / "imports"

    def _path(self, upload_id: str, suffix: str) -> Path:
        if not UPLOAD_ID.match(upload_id):
            raise KeyError(upload_id)
        return self.folder / f"{upload_id}{suffix}"

    def _write(self, path: Path, content: bytes) -> None:
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(temporary, path)

    def save(self, *, user: User, data: bytes, meta: dict[str, Any]) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep()
        upload_id = secrets.token_urlsafe(18)
        meta = {
            **meta,
            "user": str(user.id),
            "sha256": hashlib.sha256(data).hexdigest(),
            "saved_at": time.time(),
        }
        self._write(self._path(upload_id, ".upload"), data)
        self._write(self._path(upload_id, ".json"), json.dumps(meta).encode())
        return upload_id

    def meta(self, upload_id: str, user: User) -> dict[str, Any] | None:
        """What was stored with an upload (its preview), if it is this user's and not expired."""
        return self._meta(upload_id, ".json", user)

    def _meta(self, upload_id: str, suffix: str, user: User) -> dict[str, Any] | None:
        try:
            path = self._path(upload_id, suffix)
            meta = json.loads(path.read_text())
        except (KeyError, OSError, ValueError):
            return None
        if meta.get("user") != str(user.id):
            return None  # someone else's upload answers like a missing one
        if time.time() - meta.get("saved_at", 0) > KEEP_SECONDS:
            return None
        return meta

    def load(self, upload_id: str, user: User) -> tuple[dict[str, Any], bytes] | None:
        meta = self.meta(upload_id, user)
        if meta is None:
            return None
        try:
            data = self._path(upload_id, ".upload").read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            self.discard(upload_id)
            raise FileProblem(_("The uploaded file changed on the server. Upload it again."))
        return meta, data

    def discard(self, upload_id: str) -> None:
        for suffix in (".upload", ".json"):
            try:
                self._path(upload_id, suffix).unlink(missing_ok=True)
            except KeyError:
                return

    def save_result(self, upload_id: str, *, user: User, result: dict[str, Any]) -> None:
        content = {**result, "user": str(user.id), "saved_at": time.time()}
        self._write(self._path(upload_id, ".result"), json.dumps(content).encode())

    def result(self, upload_id: str, user: User) -> dict[str, Any] | None:
        return self._meta(upload_id, ".result", user)

    def sweep(self) -> None:
        """Remove whatever is older than a day: abandoned previews and old results."""
        limit = time.time() - KEEP_SECONDS
        for path in self.folder.glob("*"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                continue
