"""The push subscription API (/api/push): the server's public key, subscribe this browser, list
and end one's own subscriptions."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..api import endpoint
from ..auth.login import current_session
from ..auth.permissions import roles_for
from . import keys
from . import operations as ops
from .schemas import PushKeyOut, SubscriptionEnd, SubscriptionIn, SubscriptionOut

api = Blueprint("push_api", __name__, url_prefix="/api/push")
TAGS = ["notifications"]
ROLES = roles_for("push_subscription", "manage")


@endpoint(
    api,
    "/key",
    ["GET"],
    summary="The server's VAPID public key, to subscribe with",
    response=PushKeyOut,
    roles=ROLES,
    tags=TAGS,
)
def push_key():
    return {"public_key": keys.public_key()}


@endpoint(
    api,
    "/subscriptions",
    ["GET"],
    summary="My push subscriptions",
    response=SubscriptionOut,
    many=True,
    roles=ROLES,
    tags=TAGS,
)
def my_subscriptions():
    return ops.subscriptions_of(current_user._get_current_object(), current_session())


@endpoint(
    api,
    "/subscriptions",
    ["POST"],
    summary="Notify me on this browser: its PushSubscription.toJSON()",
    body=SubscriptionIn,
    response=SubscriptionOut,
    status=201,
    roles=ROLES,
    tags=TAGS,
)
def subscribe(body):
    return ops.subscribe(
        actor=current_user._get_current_object(), session=current_session(), data=body
    )


@endpoint(
    api,
    "/subscriptions",
    ["DELETE"],
    summary="Stop notifying me on this browser",
    body=SubscriptionEnd,
    status=204,
    roles=ROLES,
    tags=TAGS,
)
def unsubscribe(body):
    ops.unsubscribe(actor=current_user._get_current_object(), endpoint=body["endpoint"])
    return "", 204
