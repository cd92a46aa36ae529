"""Subscriptions: a person subscribes this browser from Settings, on a signed-in device, and
only ever sees or ends their own (docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale

from ..auth import permissions
from ..errors import not_found
from ..models import PushSubscription, User, UserSession, utcnow


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
