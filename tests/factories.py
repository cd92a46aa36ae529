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
