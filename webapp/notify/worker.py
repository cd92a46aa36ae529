"""The worker: sends the notification outbox by Web Push and runs the escalation sweep
(`flask worker`; docs/notifications.md).

Claiming: a short write transaction takes due rows — `SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL, so workers running at once take different rows without waiting on each other; on
SQLite `BEGIN IMMEDIATE` lets one claimer in at a time — and moves each claimed row's due time
a lease ahead before it commits. The sending happens after that commit, with no transaction
open, and a second short transaction records what happened. Another worker never sees a
claimed row as due, so nothing is sent twice; a worker that dies mid-send leaves its rows to
come due again when the lease runs out (sent again: at least once, never lost).

Per subscription: 201/202 sent; 404/410 the subscription is gone (removed); 413 or another
4xx, the notification failed (a retry would fare no better); 429, 5xx or no answer, tried again
later with a growing wait, up to MAX_ATTEMPTS. A notification whose person has no live
subscription is `gone`: there is nowhere to send it.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from pywebpush import WebPushException, webpush

from ..db import write_transaction
from ..extensions import db
from ..models import Notification, PushSubscription, UserSession, utcnow
from . import keys

log = logging.getLogger(__name__)

BATCH = 50
BATCHES_PER_ROUND = 40  # at most 2,000 notifications a round, then the sweep again
LEASE = timedelta(minutes=5)  # longer than a batch of sends can take
MAX_ATTEMPTS = 8
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
TIMEOUT = 10  # seconds for one push service's answer
TTL = 24 * 60 * 60  # how long the push service keeps a message for a phone that is off


def backoff(attempts: int) -> timedelta:
    """The wait before try number `attempts + 1`: 30 s, 1 min, 2 min, … at most an hour."""
    return min(FIRST_WAIT * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _skip_locked(query):
    if Notification._meta.database.for_update:
        return query.for_update("FOR UPDATE SKIP LOCKED")
    return query


def claim(limit: int = BATCH) -> list[Notification]:
    """Take up to `limit` due notifications for this worker (see the module's note)."""
    now = utcnow()
    with write_transaction():
        query = (
            Notification.select()
            .where((Notification.state == "queued") & (Notification.due_at <= now))
            .order_by(Notification.due_at, Notification.id)
            .limit(limit)
        )
        rows = list(_skip_locked(query))
        if rows:
            Notification.update(due_at=now + LEASE, attempts=Notification.attempts + 1).where(
                Notification.id.in_([r.id for r in rows])
            ).execute()
            for row in rows:
                row.attempts += 1
    return rows


def subscriptions_of(user_id) -> list[PushSubscription]:
    """The live subscriptions of a person: made on a signed-in device still signed in."""
    return list(
        PushSubscription.select()
        .join(UserSession)
        .where((PushSubscription.user == user_id) & UserSession.revoked_at.is_null())
        .order_by(PushSubscription.created_at)
    )


def payload(notification: Notification) -> bytes:
    return json.dumps(
        {
            "id": str(notification.id),
            "title": notification.title,
            "body": notification.body,
            "url": notification.url,
            "tag": notification.key,
        },
        ensure_ascii=False,
    ).encode()


@dataclass
class Outcome:
    delivered: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # subscriptions the push service dropped
    retry: str = ""  # why to try again later
    failed: str = ""  # why it will never go


def send_one(
    notification: Notification,
    subscriptions: list[PushSubscription],
    session: requests.Session | None = None,
) -> Outcome:
    """Send to each subscription it has not reached yet; no database work here. One HTTP
    session per batch: its connections to a push service are kept and reused."""
    outcome = Outcome()
    done = set(notification.delivered or [])
    data = payload(notification)
    for sub in subscriptions:
        if str(sub.id) in done:
            continue
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        try:
            webpush(
                info,
                data,
                vapid_private_key=keys.vapid(),
                vapid_claims={"sub": keys.subject()},
                ttl=TTL,
                timeout=TIMEOUT,
                headers={"Urgency": "high"},
                requests_session=session,
            )
        except WebPushException as err:
            status = err.response.status_code if err.response is not None else None
            if status in (404, 410):
                outcome.gone.append(str(sub.id))
            elif status is not None and 400 <= status < 500 and status != 429:
                outcome.failed = f"{status} from the push service"
            else:
                outcome.retry = f"{status or 'no answer'} from the push service"
            continue
        except (requests.RequestException, OSError) as err:
            outcome.retry = f"no answer: {type(err).__name__}"
            continue
        outcome.delivered.append(str(sub.id))
    return outcome


def record(notification: Notification, outcome: Outcome, reached_nobody: bool) -> str:
    """Write what happened to one claimed notification; returns its new state."""
    now = utcnow()
    delivered = sorted(set(notification.delivered or []) | set(outcome.delivered))
    changes = {"delivered": delivered}
    if outcome.retry and notification.attempts < MAX_ATTEMPTS:
        changes.update(state="queued", due_at=now + backoff(notification.attempts))
    elif delivered:
        changes.update(state="sent", sent_at=now)
    elif reached_nobody and not outcome.failed and not outcome.retry:
        changes.update(state="gone")
    else:
        changes.update(state="failed")
    changes["last_error"] = (outcome.retry or outcome.failed)[:300]
    with write_transaction():
        if outcome.gone:
            PushSubscription.delete().where(PushSubscription.id.in_(outcome.gone)).execute()
        if outcome.delivered:
            PushSubscription.update(last_sent_at=now).where(
                PushSubscription.id.in_(outcome.delivered)
            ).execute()
        Notification.update(**changes).where(Notification.id == notification.id).execute()
    return changes["state"]


def send_due(limit: int = BATCH) -> dict[str, int]:
    """Claim one batch and send it; returns how many ended in each state."""
    counts: dict[str, int] = {}
    with requests.Session() as session:
        for notification in claim(limit):
            subscriptions = subscriptions_of(notification.user_id)
            outcome = send_one(notification, subscriptions, session)
            reached_nobody = not subscriptions or len(outcome.gone) == len(subscriptions)
            state = record(notification, outcome, reached_nobody)
            counts[state] = counts.get(state, 0) + 1
    return counts


def run_once() -> dict[str, int]:
    """One round: the escalation sweep, then the outbox until nothing is due (or a round's
    worth of batches is done)."""
    from .escalation import sweep

    totals = {"escalated": sweep()}
    for _batch in range(BATCHES_PER_ROUND):  # bounded: the next round goes on where this ended
        counts = send_due()
        if not counts:
            break
        for state, n in counts.items():
            totals[state] = totals.get(state, 0) + n
    return totals


def run(interval: float = 5.0, stop: threading.Event | None = None) -> None:
    """Loop until `stop` is set; a failed round is logged and the loop goes on."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            with db.connection_context():
                done = run_once()
            if any(done.values()):
                log.info("notifications: %s", done)
        except Exception:  # a database restart, a bug in one round: the next round tries again
            log.exception("notification worker round failed")
        stop.wait(interval)


def start_thread(app, interval: float = 5.0) -> threading.Event:
    """Run the worker in this process (the demo); set the returned event to stop it."""
    stop = threading.Event()

    def target():
        with app.app_context():
            run(interval, stop)

    threading.Thread(target=target, name="rounds-worker", daemon=True).start()
    return stop
