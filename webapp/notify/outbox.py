"""Queue a notification in the transaction of the change it tells of (docs/notifications.md).

One row per (person, event): the event's `key` is unique per person, so queuing the same event
again (a retried push, two workers sweeping one fault) adds nothing. The words are written now,
in the person's language, so the worker only sends. Nothing here sends or reads the network:
the worker (`worker.py`) does, after the change has committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import Notification, PushSubscription, User, utcnow

TITLE_MAX = 200
BODY_MAX = 300


def _locale(user: User) -> str:
    """The person's language: their choice in Settings, else the app's language on the phone
    that last subscribed, else the server's default."""
    if user.locale:
        return user.locale
    phone = (
        PushSubscription.select(PushSubscription.locale)
        .where((PushSubscription.user == user.id) & (PushSubscription.locale != ""))
        .order_by(PushSubscription.created_at.desc())
        .first()
    )
    if phone is not None:
        return phone.locale
    default = current_app.config.get("BABEL_DEFAULT_LOCALE") if has_app_context() else None
    return default or "en"


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def queue(
    users: Iterable[User],
    *,
    key: str,
    kind: str,
    words,
    url: str,
    due: datetime | None = None,
) -> int:
    """Queue one notification per person for the event `key`; `words()` gives (title, body)
    and is called in each person's language. Returns how many were new."""
    rows: list[dict[str, Any]] = []
    seen = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        with force_locale(_locale(user)):
            title, body = words()
        rows.append(
            {
                "user": user.id,
                "key": key,
                "kind": kind,
                "title": _cut(title, TITLE_MAX),
                "body": _cut(body, BODY_MAX),
                "url": url,
                "due_at": due or utcnow(),
                "created_at": utcnow(),
                "delivered": [],
            }
        )
    if not rows:
        return 0
    before = Notification.select().where(Notification.key == key).count()
    Notification.insert_many(rows).on_conflict_ignore().execute()
    return Notification.select().where(Notification.key == key).count() - before


def dispatchers() -> list[User]:
    """The dispatchers on duty: every active dispatcher (there is no duty roster yet)."""
    return list(User.select().where((User.role == "dispatcher") & User.active))


# The events ---------------------------------------------------------------------------------


def fault_url(fault_id) -> str:
    return f"/app/#/faults/{fault_id}"


def fault_assigned(fault, assignee: User, event_id) -> int:
    """A fault assigned (or reassigned) to an engineer: tell them."""

    def words():
        return (
            _("Fault %(number)s is assigned to you", number=fault.number or "—"),
            fault.description,
        )

    return queue(
        [assignee],
        key=f"fault-assigned:{event_id}",
        kind="fault_assigned",
        words=words,
        url=fault_url(fault.id),
    )


def fault_clock(fault, clock: str, level: str, people: Iterable[User]) -> int:
    """A fault's clock at 80 % of its limit (`warning`) or past it (`breached`)."""

    def words():
        number = fault.number or "—"
        if clock == "respond":
            title = (
                _("Fault %(number)s: time to respond is almost up", number=number)
                if level == "warning"
                else _("Fault %(number)s: time to respond is over", number=number)
            )
        else:
            title = (
                _("Fault %(number)s: time to resolve is almost up", number=number)
                if level == "warning"
                else _("Fault %(number)s: time to resolve is over", number=number)
            )
        return title, fault.description

    return queue(
        people,
        key=f"clock:{fault.id}:{clock}:{level}",
        kind="fault_clock",
        words=words,
        url=fault_url(fault.id),
    )


def leave_decided(record, author: User) -> int:
    """A leave request approved or returned: tell the engineer who asked."""
    first, last = record.first_day, record.last_day

    def words():
        days = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        title = (
            _("Your leave %(days)s is approved", days=days)
            if record.status == "approved"
            else _("Your leave %(days)s was returned", days=days)
        )
        return title, record.office_note

    return queue(
        [author],
        key=f"leave-{record.status}:{record.id}",
        kind="leave_decided",
        words=words,
        url="/app/#/leave",
    )


def explanation_decided(record, author: User) -> int:
    """An absence explanation accepted or returned: tell the engineer who wrote it."""

    def words():
        title = (
            _("Your explanation for %(month)s is accepted", month=record.month)
            if record.status == "accepted"
            else _("Your explanation for %(month)s was returned", month=record.month)
        )
        return title, record.office_note

    return queue(
        [author],
        key=f"explanation-{record.status}:{record.id}",
        kind="explanation_decided",
        words=words,
        url="/app/#/leave",
    )
