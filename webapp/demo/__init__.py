"""A realistic demo: what a service company in Hangzhou would have on its books.

Two clients (a conference centre on an annual contract, a data centre in warranty), three sites,
their rooms, an equipment register of about 150 devices, and one user per role. Everything is
created through the operation functions, so versions, change numbers and audit entries are the
same as for data entered by hand. Dates and serial numbers come from fixed arithmetic, not from
randomness: every run produces the same register.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..accounts.operations import create_user
from ..checklists.operations import install_shipped
from ..inventory.operations import create_equipment
from ..models import ChecklistTemplate, Equipment, Location, Schedule, Site, User
from ..records import create_record, update_record
from ..sites.operations import assign_engineer, create_client, create_location, create_site
from .data import (
    BRANDS,
    CLIENTS,
    DEMO_PASSWORD,
    EQUIPMENT,
    KINDS,
    SITES,
    SYSTEM_CODES,
    USERS,
    Kind,
)

_TAG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, as on service tags


def _tag(i: int) -> str:
    """A 7-character service tag, different for every i (the multiplier is prime to 34)."""
    value = (i * 2_654_435_761 + 12_345) % len(_TAG_ALPHABET) ** 7
    chars = []
    for _ in range(7):
        value, digit = divmod(value, len(_TAG_ALPHABET))
        chars.append(_TAG_ALPHABET[digit])
    return "".join(reversed(chars))


def _serial(kind: Kind, i: int, installed: date | None) -> str:
    """The i-th device's serial number: unique, since 7919 is prime to 10."""
    year = (installed.year if installed else 2016) % 100
    return kind.serial.format(n=(i * 7919 + 104_729) % 1_000_000, t=_tag(i), y=f"{year:02d}")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _accounts(password: str) -> list[dict]:
    return [
        {"role": role, "username": username, "password": password, "name": name}
        for username, role, name, *_rest in USERS
    ]


def seed_demo(*, password: str = DEMO_PASSWORD) -> list[dict]:
    """Create the demo data if absent (idempotent: if a user named 'admin' exists, create nothing
    and just return the accounts).

    Returns [{"role": ..., "username": ..., "password": ..., "name": ...}], one per role.

    Runs inside an app context with the database connected; the caller owns the transaction.
    The shipped checklist templates are installed and each demo site gets its schedules even
    when the rest of the demo is already there.
    """
    existing = User.select().where(User.username == "admin").first()
    if existing is not None:
        install_shipped(actor=existing)
        _seed_schedules(existing)
        return _accounts(password)

    admin = create_user(actor=None, data=_user_data(USERS[0], password, None))

    clients = {key: create_client(actor=admin, data=dict(data)) for key, data in CLIENTS.items()}

    sites: dict[str, Site] = {}
    rooms: dict[str, dict[str, Any]] = {}
    for key, spec in SITES.items():
        site = create_site(
            actor=admin, data={"client_id": clients[spec["client"]].id, **spec["data"]}
        )
        sites[key] = site
        rooms[key] = {
            name: create_location(
                actor=admin,
                data={
                    "site_id": site.id,
                    "name": name,
                    "kind": kind,
                    "floor": floor,
                    "notes": notes,
                },
            )
            for name, kind, floor, notes in spec["locations"]
        }

    _seed_equipment(admin, sites, rooms)

    for spec in USERS[1:]:
        client_key, stationed = spec[4], spec[5]
        client_id = clients[client_key].id if client_key else None
        user = create_user(actor=admin, data=_user_data(spec, password, client_id))
        for site_key in stationed:
            assign_engineer(actor=admin, engineer_id=user.id, site_id=sites[site_key].id)

    install_shipped(actor=admin)
    _seed_schedules(admin)
    return _accounts(password)


def _seed_day(site: Site) -> date:
    """Today where the site is: a schedule seeded at 07:00 in Hangzhou starts that day, not the
    day before (the server may keep UTC)."""
    return datetime.now(ZoneInfo(site.timezone or "Asia/Shanghai")).date()


def _rooms_with_devices(site: Site) -> list[Location]:
    """The site's rooms that hold a device in service, in name order."""
    in_service = (
        Equipment.live()
        .select(Equipment.location)
        .where((Equipment.site == site) & (Equipment.status != "retired"))
    )
    return list(
        Location.live()
        .where((Location.site == site) & Location.id.in_(in_service))
        .order_by(Location.name)
    )


def _seed_schedules(admin: User) -> None:
    """For every demo site that lacks them: the daily 看听闻摸 round of each room with devices, as
    an engineer walks it (a round of a whole building would ask about every device in it at
    once), and a monthly maintenance report for the site. They start on the day they are
    seeded, so nothing is overdue on a fresh demo. A building-wide daily round left by an
    older demo is stopped."""
    names = [spec["data"]["name"] for spec in SITES.values()]
    daily = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    report = ChecklistTemplate.get(ChecklistTemplate.key == "maintenance-report")
    for site in Site.live().where(Site.name.in_(names)).order_by(Site.name):
        starts_on = _seed_day(site)
        existing = list(
            Schedule.live().where((Schedule.site == site) & Schedule.template.in_([daily, report]))
        )
        for old in existing:
            if old.template_id == daily.id and old.location_id is None and old.active:
                update_record(old, actor=admin, changes={"active": False})
        wanted = [(report, None, "monthly")]
        wanted += [(daily, room, "daily") for room in _rooms_with_devices(site)]
        for template, room, frequency in wanted:
            room_id = room.id if room else None
            if any(s.template_id == template.id and s.location_id == room_id for s in existing):
                continue
            create_record(
                Schedule,
                actor=admin,
                template=template,
                site=site,
                location=room,
                system="",
                frequency=frequency,
                starts_on=starts_on,
                active=True,
            )


def _user_data(spec: tuple, password: str, client_id: Any) -> dict[str, Any]:
    username, role, name, phone, _client_key, _sites = spec
    return {
        "username": username,
        "display_name": name,
        "password": password,
        "role": role,
        "client_id": client_id,
        "phone": phone,
        "active": True,
    }


def _seed_equipment(admin: User, sites: dict[str, Site], rooms: dict[str, dict[str, Any]]) -> None:
    """Expand each site's register lines into devices, numbered per site and system."""
    allowed = Site.live()
    index = 0
    for site_key, lines in EQUIPMENT.items():
        spec = SITES[site_key]
        numbers: dict[str, int] = {}
        for line in lines:
            kind = KINDS[line.kind]
            brand, manufacturer, contact = BRANDS[kind.brand]
            installed = date.fromisoformat(line.installed) if line.installed else None
            years = max(kind.warranty_years, spec.get("warranty_years", 0))
            warranty = _add_years(installed, years) if installed else None
            supplier = spec["suppliers"].get(kind.system, spec["supplier"])
            for k in range(1, line.qty + 1):
                index += 1
                numbers[kind.system] = numbers.get(kind.system, 0) + 1
                code = f"{spec['code']}-{SYSTEM_CODES[kind.system]}-{numbers[kind.system]:03d}"
                create_equipment(
                    actor=admin,
                    allowed_sites=allowed,
                    data={
                        "site_id": sites[site_key].id,
                        "location_id": rooms[site_key][line.location].id,
                        "code": code,
                        "name": kind.name,
                        "system": kind.system,
                        "brand": brand,
                        "model": kind.model,
                        "serial_number": _serial(kind, index, installed),
                        "manufacturer": manufacturer,
                        "manufacturer_contact": contact,
                        "supplier": supplier,
                        "installed_on": installed,
                        "service_years": line.years,
                        "warranty_until": warranty,
                        "interfaces": kind.interfaces,
                        "free_interfaces": kind.free_interfaces,
                        "status": line.status,
                        "fault_points": kind.fault_points,
                        "notes": line.notes.replace("{k}", str(k)),
                    },
                )
