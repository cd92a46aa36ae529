"""Throttling of password sign-ins (docs/security.md, "Sign-in throttling").

Three counters of recent failures, each one row of `LoginThrottle` keyed by what it counts:
- the pair (account, address): at the limit, that pair is locked out for the window, so someone
  guessing from one place stops there while the owner elsewhere signs in as usual;
- the address: at the limit, the address is locked out (one machine spraying many accounts);
- the account, from anywhere: never a lockout, only a delay before the next attempt that doubles
  with each failure past a few, capped at about a minute (a guesser spread over many addresses
  is slowed to about one try a minute). A browser where the account signed in before skips this
  delay (`known_device.py`): its pair is (account, browser) and counts only its own failures.

A failure is forgotten when its counter has had no new failure for the window.

Check and record are one step: `reserve_attempt` locks the rows (FOR UPDATE, in key order, so two
attempts never wait on each other crosswise; SQLite lets one writer in at a time anyway), refuses
or counts the attempt as a failure in advance, and the caller commits before checking the
password. A right password then takes its reservation back (`forgive_attempt`). Parallel
attempts therefore see each other: with a limit of 5, exactly 5 are checked.

A passkey sign-in proves possession of a key and is never refused because someone mistyped or
guessed a password. What is limited for passkeys is the anonymous step before: handing out
sign-in challenges (`count_request`), a fixed number per address and window, so that one
machine cannot fill the challenge table or keep the server busy with ceremonies it never ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from peewee import SqliteDatabase

from ..errors import ApiError
from ..extensions import db
from ..models import LoginThrottle, utcnow

KEY_PART = 64  # usernames are at most 64 characters; an address is shorter


@dataclass(frozen=True)
class ThrottleRules:
    """The numbers, from the LOGIN_* settings (webapp/config.py)."""

    window_seconds: int = 15 * 60
    max_per_account_and_address: int = 5
    max_per_address: int = 30
    delay_after: int = 3
    delay_first_seconds: float = 1.0
    delay_max_seconds: float = 60.0

    @classmethod
    def from_config(cls, config) -> ThrottleRules:
        return cls(
            window_seconds=int(config["LOGIN_WINDOW_SECONDS"]),
            max_per_account_and_address=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]),
            max_per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
            delay_after=int(config["LOGIN_DELAY_AFTER_FAILURES"]),
            delay_first_seconds=float(config["LOGIN_DELAY_FIRST_SECONDS"]),
            delay_max_seconds=float(config["LOGIN_DELAY_MAX_SECONDS"]),
        )

    def account_delay(self, failures: int) -> float:
        """Seconds the account waits after its `failures`-th recent failure."""
        if failures < self.delay_after:
            return 0.0
        doublings = min(failures - self.delay_after, 30)
        return min(self.delay_max_seconds, self.delay_first_seconds * 2**doublings)


@dataclass(frozen=True)
class Reservation:
    """An attempt counted as a failure in advance; `forgive_attempt` takes it back."""

    account: str
    pair: str
    address: str


def keys_for(username: str, address: str, device: str | None = None) -> Reservation:
    """The counters of an attempt. From a browser where the account signed in before
    (`device`, known_device.py), the pair is (account, that browser) instead of the address."""
    user = username.strip().lower()[:KEY_PART]
    where = (address or "unknown")[:KEY_PART]
    pair = f"device:{device[:32]}" if device else where
    return Reservation(
        account=f"password:account:{user}",
        pair=f"password:pair:{user}|{pair}",
        address=f"password:address:{where}",
    )


def reserve_attempt(
    *,
    username: str,
    address: str,
    rules: ThrottleRules,
    device: str | None = None,
    now: datetime | None = None,
) -> Reservation:
    """Refuse with 429 while a counter is over its limit; else count this attempt as a failure.

    A known `device` (a browser where this account signed in before) skips the account's delay:
    failures elsewhere never keep the owner out. Call inside a write transaction and commit it
    before checking the password.
    """
    now = now or utcnow()
    keys = keys_for(username, address, device)
    ordered = sorted({keys.account, keys.pair, keys.address})
    LoginThrottle.insert_many(
        [{"key": k, "failures": 0, "last_failure_at": now} for k in ordered]
    ).on_conflict_ignore().execute()
    query = LoginThrottle.select().where(LoginThrottle.key.in_(ordered)).order_by(LoginThrottle.key)
    if not isinstance(db.obj, SqliteDatabase):  # SQLite: BEGIN IMMEDIATE already holds the lock
        query = query.for_update()
    rows = {row.key: row for row in query}
    window = timedelta(seconds=rules.window_seconds)

    def recent(row: LoginThrottle) -> int:
        return row.failures if now - row.last_failure_at < window else 0

    pair, by_address, account = rows[keys.pair], rows[keys.address], rows[keys.account]
    limits = ((pair, rules.max_per_account_and_address), (by_address, rules.max_per_address))
    for row, limit in limits:
        if recent(row) >= limit:
            raise _locked_out(row.last_failure_at + window - now)
    wait = account.last_failure_at + timedelta(seconds=rules.account_delay(recent(account))) - now
    if device is None and recent(account) and wait > timedelta(0):
        raise _slowed_down(wait)
    for row in rows.values():
        LoginThrottle.update(failures=recent(row) + 1, last_failure_at=now).where(
            LoginThrottle.key == row.key
        ).execute()
    return keys


def forgive_attempt(reservation: Reservation) -> None:
    """The password was right: clear the pair and take this attempt back from the others.

    Failures from elsewhere stay counted (they may be an attack still going on) until they age
    out of the window.
    """
    LoginThrottle.delete().where(LoginThrottle.key == reservation.pair).execute()
    others = LoginThrottle.key.in_([reservation.account, reservation.address])
    LoginThrottle.update(failures=LoginThrottle.failures - 1).where(
        others & (LoginThrottle.failures > 0)
    ).execute()
    LoginThrottle.delete().where(others & (LoginThrottle.failures <= 0)).execute()


def prune_throttle(*, rules: ThrottleRules, now: datetime | None = None) -> int:
    """Delete counters with no failure in the window (they count nothing any more).

    Run outside other work: on PostgreSQL it skips rows another attempt holds, so it never waits.
    """
    cutoff = (now or utcnow()) - timedelta(seconds=rules.window_seconds)
    stale = LoginThrottle.select(LoginThrottle.key).where(LoginThrottle.last_failure_at < cutoff)
    if not isinstance(db.obj, SqliteDatabase):
        stale = stale.limit(1000).for_update(skip_locked=True)
    return LoginThrottle.delete().where(LoginThrottle.key.in_(stale)).execute()


def _locked_out(remaining: timedelta) -> ApiError:
    seconds = max(1, math.ceil(remaining.total_seconds()))
    return ApiError(
        429,
        "too_many_requests",
        _(
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            minutes=max(1, math.ceil(seconds / 60)),
        ),
        headers={"Retry-After": str(seconds)},
    )


def _slowed_down(remaining: timedelta) -> ApiError:
    seconds = max(1, math.ceil(remaining.total_seconds()))
    return ApiError(
        429,
        "too_many_requests",
        _(
            "Several wrong passwords for this account. Try again in %(seconds)d seconds.",
            seconds=seconds,
        ),
        headers={"Retry-After": str(seconds)},
    )


def count_request(
    *, key: str, limit: int, window_seconds: int, now: datetime | None = None
) -> None:
    """Count one request under `key` in a fixed window that starts with the first request; at
    `limit` refuse with 429 and Retry-After until the window ends. One locked row per key (the
    same table and locking as the password counters), so parallel requests see each other."""
    now = now or utcnow()
    window = timedelta(seconds=window_seconds)
    key = key[:160]
    LoginThrottle.insert(key=key, failures=0, last_failure_at=now).on_conflict_ignore().execute()
    query = LoginThrottle.select().where(LoginThrottle.key == key)
    if not isinstance(db.obj, SqliteDatabase):
        query = query.for_update()
    row = query.get()
    started, count = row.last_failure_at, row.failures
    if now - started >= window:
        started, count = now, 0
    if count >= limit:
        raise _too_many_challenges(started + window - now)
    LoginThrottle.update(failures=count + 1, last_failure_at=started).where(
        LoginThrottle.key == key
    ).execute()


def _too_many_challenges(remaining: timedelta) -> ApiError:
    seconds = max(1, math.ceil(remaining.total_seconds()))
    return ApiError(
        429,
        "too_many_requests",
        _(
            "Too many passkey sign-ins started from this network. Try again in %(seconds)d "
            "seconds.",
            seconds=seconds,
        ),
        headers={"Retry-After": str(seconds)},
    )
