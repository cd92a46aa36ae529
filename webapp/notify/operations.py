"""Subscriptions: a person subscribes this browser from Settings, on a signed-in device, and
only ever sees or ends their own (docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from peewee import fn

from ..auth import permissions
from ..errors import not_found
from ..models import Notification, PushSubscription, User, UserSession, utcnow


def subscriptions_of(actor: User, session: UserSession | None) -> list[PushSubscription]:
    rows = list(
        PushSubscription.select()
        .where(PushSubscription.user == actor.id)
        .order_by(PushSubscription.created_at)
    )
    for row in rows:
        row.this_device = session is not None and row.session_id == session.id
    return rows


def subscribe(*, actor: User, session: UserSession, data: dict[str, Any]) -> PushSubscription:
    """Keep this browser's subscription for this person and sign-in. The browser's endpoint is
    its own: subscribed again (new keys, or another person signed in on it), the row is taken
    over, never doubled."""
    permissions.require(actor, "push_subscription", "manage")
    values = {
        "user": actor.id,
        "session": session.id,
        "p256dh": data["keys"]["p256dh"],
        "auth": data["keys"]["auth"],
        "locale": str(get_locale() or ""),
    }
    row = (
        PushSubscription.select()
        .where(PushSubscription.endpoint == data["endpoint"])
        .for_update()
        .first()
        if PushSubscription._meta.database.for_update
        else PushSubscription.get_or_none(PushSubscription.endpoint == data["endpoint"])
    )
    if row is None:
        PushSubscription.insert(
            endpoint=data["endpoint"], created_at=utcnow(), **values
        ).on_conflict_ignore().execute()
    PushSubscription.update(**values).where(PushSubscription.endpoint == data["endpoint"]).execute()
    row = PushSubscription.get(PushSubscription.endpoint == data["endpoint"])
    row.this_device = True
    return row


def unsubscribe(*, actor: User, endpoint: str) -> None:
    """End one's own subscription; another person's answers 404, like one that does not exist."""
    permissions.require(actor, "push_subscription", "manage")
    deleted = (
        PushSubscription.delete()
        .where((PushSubscription.endpoint == endpoint) & (PushSubscription.user == actor.id))
        .execute()
    )
    if not deleted:
        raise not_found()


OUTBOX_PER_PAGE = 100


def outbox_page(actor: User, *, state: str | None, page: int) -> dict[str, Any]:
    """The office's view of the outbox: every notification in `state` (or all), newest first,
    a page at a time, with how many there are in each state."""
    permissions.require(actor, "office", "use")
    counts = dict(
        Notification.select(Notification.state, fn.COUNT(Notification.id))
        .group_by(Notification.state)
        .tuples()
    )
    query = Notification.select(Notification, User).join(User, on=(Notification.user == User.id))
    if state is not None:
        query = query.where(Notification.state == state)
    total = counts.get(state, 0) if state is not None else sum(counts.values())
    pages = max(1, -(-total // OUTBOX_PER_PAGE))
    page = min(page, pages)
    rows = query.order_by(Notification.created_at.desc(), Notification.id).paginate(
        page, OUTBOX_PER_PAGE
    )
    return {"rows": list(rows), "counts": counts, "page": page, "pages": pages, "total": total}
