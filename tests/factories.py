"""Test data, made through the same operations the app uses."""

from __future__ import annotations

import itertools
from functools import cache

from webapp.auth.passwords import hash_password
from webapp.models import Client, Equipment, Location, Site, User
from webapp.records import create_record
from webapp.sites.operations import assign_engineer

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@cache
def password_hash() -> str:
    """Hashing is deliberately slow; tests hash once and reuse it."""
    return hash_password(PASSWORD)


def create_user(role: str, username: str | None = None, client: Client | None = None, **kw) -> User:
    return User.create(
        username=username or f"{role}{next(_counter)}",
        password_hash=password_hash(),
        role=role,
        client=client,
        display_name=kw.pop("display_name", f"Test {role}"),
        **kw,
    )


def create_client(name: str | None = None, **kw) -> Client:
    return create_record(Client, actor=None, name=name or f"Client {next(_counter)}", **kw)


def create_site(client: Client | None = None, name: str | None = None, **kw) -> Site:
    return create_record(
        Site,
        actor=None,
        client=client or create_client(),
        name=name or f"Site {next(_counter)}",
        **kw,
    )


def create_location(site: Site, name: str | None = None, **kw) -> Location:
    return create_record(
        Location, actor=None, site=site, name=name or f"Room {next(_counter)}", **kw
    )


def create_equipment(site: Site, location: Location | None = None, **kw) -> Equipment:
    kw.setdefault("name", f"Device {next(_counter)}")
    return create_record(Equipment, actor=None, site=site, location=location, **kw)


def assign(engineer: User, site: Site):
    return assign_engineer(actor=None, engineer_id=engineer.id, site_id=site.id)


def make_world() -> dict:
    """Two clients; site A (client A) has engineer and client users in scope; site B is outside."""
    client_a = create_client("会议中心")
    client_b = create_client("数据中心")
    site_a = create_site(client_a, "主楼")
    site_b = create_site(client_b, "A区机房")
    room_a = create_location(site_a, "音控机房")
    room_b = create_location(site_b, "网络间")
    users = {
        "engineer": create_user("engineer", "eng"),
        "client": create_user("client", "cli", client=client_a),
        "dispatcher": create_user("dispatcher", "disp"),
        "admin": create_user("admin", "adm"),
    }
    assign(users["engineer"], site_a)
    return {
        "clients": (client_a, client_b),
        "sites": (site_a, site_b),
        "locations": (room_a, room_b),
        "equipment": (
            create_equipment(site_a, room_a, name="数字调音台", serial_number="SN-A"),
            create_equipment(site_b, room_b, name="核心交换机", serial_number="SN-B"),
        ),
        "users": users,
        "engineer2": create_user("engineer", "eng2"),
    }
