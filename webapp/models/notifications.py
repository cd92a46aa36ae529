"""Web Push: the phones that asked to be notified, and the outbox of notifications to send
(docs/notifications.md). Rules in `webapp/notify/`."""

from __future__ import annotations

import uuid

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, UUIDField

from .auth import UserSession
from .base import BaseModel, utcnow
from .fields import JSONText
from .people import User


class PushSubscription(BaseModel):
    """One browser's push subscription, made from Settings on one signed-in device. It ends with
    that sign-in (the session's row goes, or is revoked: nothing is sent to it any more)."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    user = ForeignKeyField(User, backref="push_subscriptions", on_delete="CASCADE")
    session = ForeignKeyField(UserSession, backref="+", on_delete="CASCADE")
    endpoint = CharField(max_length=1000, unique=True)  # the push service's URL for this browser
    p256dh = CharField(max_length=200)  # the browser's ECDH public key, base64url
    auth = CharField(max_length=64)  # the browser's auth secret, base64url
    # the app's language when it subscribed: the words of a person who chose none in Settings
    locale = CharField(max_length=16, default="")
    created_at = DateTimeField(default=utcnow)
    last_sent_at = DateTimeField(null=True)


class Notification(BaseModel):
    """One notification for one person about one event: queued in the transaction that made
    the event, sent by the worker (`flask worker`). `key` names the event; (user, key) is unique,
    so the same event never queues twice for one person."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    key = CharField(max_length=200)  # "fault-assigned:<event id>", "clock:<fault>:resolve:warning"
    kind = CharField(max_length=32)  # models/choices.py NOTIFICATION_KINDS
    title = CharField(max_length=200)  # in the person's language, written when queued
    body = TextField(default="")
    url = CharField(max_length=300, default="/app/")  # the app screen a tap opens
    state = CharField(max_length=16, default="queued", index=True)  # queued, sent, failed, gone
    due_at = DateTimeField(default=utcnow, index=True)  # the next try (naive UTC)
    attempts = IntegerField(default=0)
    delivered = JSONText(default=list)  # subscription ids it reached (a retry skips them)
    last_error = CharField(max_length=300, default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "key"), True),)
