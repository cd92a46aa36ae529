"""Check-in rules: what a signed check-in must prove before it is kept, and who may read them.

Operations flush and never commit; the push decides the transaction. Every refusal is an
`ApiError` with a code of its own and a message in the user's language; every check runs
before anything is written, so a refused check-in leaves no trace but its refusal.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from peewee import IntegrityError

from ..auth import permissions
from ..db import savepoint
from ..errors import ApiError, forbidden, not_found
from ..models import CheckIn, Location, Passkey, Site, Tag, User, utcnow
from ..models.choices import OFFICE_ROLES
from ..passkeys import ceremony
from ..passkeys import operations as passkey_ops
from ..passkeys.relying_party import RelyingParty
from ..records import create_record
from ..tags.signing import TokenError, read_token
from . import clock
from .access import EARLIEST_OFFSET, LATEST_OFFSET, local_day
from .record import LEGACY_VERSION, canonical_bytes, challenge_of, has_access_fields

VERIFIED = "verified"
UNSIGNED = "unsigned"

# Flags the office sees; none refuses a check-in.
CLOCK_OUTSIDE = "clock_outside_window"  # the phone's time is before the stamp or after arrival
NO_SERVER_TIME = "no_server_time"  # the phone held no readable stamp: no lower bound
COUNTER_REPEATED = "counter_repeated"  # another check-in already carried this count: a copy?
SYNCED_PASSKEY = "synced_passkey"  # the passkey may live on several devices
NO_TAG = "no_tag"  # the site was picked, no tag scanned

CLOCK_SLACK = timedelta(minutes=5)  # a phone's clock a little behind the server's is no flag

# Refusals, each with its own code.
TAMPERED = "checkin_tampered"
SIGNED_ANOTHER = "checkin_signed_for_another_record"
OTHER_USER = "checkin_other_user"
OTHER_USERS_PASSKEY = "checkin_other_users_passkey"
BAD_TAG = "checkin_bad_tag"
TAG_REVOKED = "checkin_tag_revoked"
BAD_TIME = "checkin_bad_device_time"
EXISTS = "checkin_exists"
ACCESS_REQUIRED = "checkin_access_required"


def refusal(code: str) -> ApiError:
    messages = {
        TAMPERED: _(
            "This check-in was changed after it was signed on the phone. It was not accepted."
        ),
        SIGNED_ANOTHER: _(
            "This signature was made for another check-in, not this one. It was not accepted."
        ),
        OTHER_USER: _("A check-in can only be sent by the engineer it is for."),
        OTHER_USERS_PASSKEY: _(
            "This check-in was signed with another person's passkey. It was not accepted."
        ),
        BAD_TAG: _(
            "The room's label in this check-in was not issued by your service, or belongs to "
            "another room. Tell the office."
        ),
        TAG_REVOKED: _(
            "The room's label in this check-in was withdrawn. Ask the office for a new label."
        ),
        BAD_TIME: _("The phone's time in this check-in cannot be read."),
        EXISTS: _("A check-in with this id was already received. It was not accepted again."),
        ACCESS_REQUIRED: _(
            "This room is restricted: a check-in there needs the purpose and the number of "
            "people. Sync, then check in again: the phone will ask for them."
        ),
    }
    status = 403 if code in (OTHER_USER, OTHER_USERS_PASSKEY) else 422
    if code == EXISTS:
        status = 409
    return ApiError(status, code, messages[code])


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def parse_device_time(text: str) -> datetime:
    """The phone's time as naive UTC; it must carry its offset (an hour's doubt otherwise)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise refusal(BAD_TIME) from None
    if value.tzinfo is None:
        raise refusal(BAD_TIME)
    return value.astimezone(UTC).replace(tzinfo=None)


def missing_access(data: dict[str, Any]) -> list[str]:
    """What a check-in at a restricted room lacks: a purpose (not blank) and a number of people.
    The phone's `checkins.accessProblems` asks the same (tests/checkin_access_vectors.json)."""
    missing = []
    if not (data.get("purpose") or "").strip():
        missing.append("purpose")
    if data.get("people") is None:
        missing.append("people")
    return missing


def _check_tag(token: str, location: Location | None) -> Tag:
    if location is None:
        raise refusal(BAD_TAG)
    try:
        kind, tag_id = read_token(token)
    except TokenError:
        raise refusal(BAD_TAG) from None
    tag = Tag.get_or_none(Tag.id == tag_id)
    if kind != "location" or tag is None or tag.token != token or tag.target_id != location.id:
        raise refusal(BAD_TAG)
    if tag.status != "active" or tag.deleted_at is not None:
        raise refusal(TAG_REVOKED)
    return tag


def _check_signature(
    *, user: User, assertion: dict, challenge: bytes, rp: RelyingParty
) -> tuple[Passkey, ceremony.Asserted]:
    """The passkey that signed, and what it proved: the sign-in's own check, with the record's
    hash as the challenge and the sign count left out (docs/checkins.md, "On the server")."""
    try:
        credential_id = ceremony.credential_id_of(assertion)
    except ceremony.Refused as refused:
        raise passkey_ops.refuse(refused.code, 422) from None
    passkey = Passkey.get_or_none(Passkey.credential_id == credential_id)
    if passkey is None:
        raise passkey_ops.refuse(passkey_ops.UNKNOWN_PASSKEY, 422)
    if passkey.user_id != user.id:
        raise refusal(OTHER_USERS_PASSKEY)
    try:
        asserted = passkey_ops.verify_passkey_assertion(
            passkey, assertion, challenge=challenge, rp=rp, check_counter=False
        )
    except ApiError as err:
        if err.code == ceremony.WRONG_CHALLENGE:
            raise refusal(SIGNED_ANOTHER) from None
        raise ApiError(422, err.code, err.message) from None
    if asserted.user_handle is not None and asserted.user_handle != passkey_ops.user_handle(user):
        raise refusal(OTHER_USERS_PASSKEY)
    return passkey, asserted


def record_checkin(
    *, actor: User, id: uuid.UUID, data: dict[str, Any], site_ids: set, rp: RelyingParty
) -> CheckIn:
    """Check a check-in from the phone and keep it with what was verified; refuse it otherwise."""
    permissions.require(actor, "checkin", "create")
    if data["user_id"] != actor.id:
        raise refusal(OTHER_USER)
    if data["site_id"] not in site_ids:
        raise not_found()
    site = Site.get_by_id(data["site_id"])
    location = None
    if data["location_id"] is not None:
        location = Location.get_or_none(
            (Location.id == data["location_id"]) & (Location.site == site.id)
        )
        if location is None:
            raise not_found()
    signed_fields = {**data, "id": id}
    sent = _unb64(data["canonical"])
    expected = canonical_bytes(signed_fields)
    if sent != expected and not has_access_fields(data):
        # Made before the phone's app knew the access fields (version 1): still the same record.
        legacy = canonical_bytes(signed_fields, LEGACY_VERSION)
        expected = legacy if sent == legacy else expected
    if sent != expected:
        raise refusal(TAMPERED)
    restricted = location is not None and location.restricted
    if data["kind"] == "in" and restricted and missing_access(data):
        raise refusal(ACCESS_REQUIRED)
    device_time = parse_device_time(data["device_time"])
    if CheckIn.select().where(CheckIn.id == id).exists():
        raise refusal(EXISTS)
    tag = _check_tag(data["tag_token"], location) if data["tag_token"] else None

    flags: list[str] = []
    passkey = asserted = None
    if data["assertion"] is not None:
        passkey, asserted = _check_signature(
            user=actor, assertion=data["assertion"], challenge=challenge_of(expected), rp=rp
        )
        if asserted.sign_count > 0 and (
            CheckIn.select()
            .where((CheckIn.passkey == passkey.id) & (CheckIn.sign_count == asserted.sign_count))
            .exists()
        ):
            flags.append(COUNTER_REPEATED)
        if asserted.backed_up:
            flags.append(SYNCED_PASSKEY)
    if tag is None:
        flags.append(NO_TAG)

    received = utcnow()
    window_start = clock.read_stamp(data["server_time"])
    if window_start is None:
        flags.append(NO_SERVER_TIME)
    if (
        window_start is not None and device_time < window_start - CLOCK_SLACK
    ) or device_time > received + CLOCK_SLACK:
        flags.append(CLOCK_OUTSIDE)

    try:
        with savepoint():
            return create_record(
                CheckIn,
                actor=actor,
                id=id,
                user=actor,
                site=site,
                location=location,
                tag=tag,
                tag_token=data["tag_token"],
                kind=data["kind"],
                device_text=data["device_time"],
                device_time=device_time,
                server_stamp=data["server_time"],
                window_start=window_start,
                received_at=received,
                content_hash=challenge_of(expected).hex(),
                signed=passkey is not None,
                passkey=passkey,
                credential_id=passkey.credential_id if passkey else "",
                assertion=data["assertion"],
                sign_count=asserted.sign_count if asserted else 0,
                backed_up=bool(asserted and asserted.backed_up),
                verification=VERIFIED if passkey is not None else UNSIGNED,
                flags=flags,
                purpose=data["purpose"],
                people=data["people"],
                escorts=data["escorts"],
            )
    except IntegrityError:  # the same record, sent by a push running beside this one
        raise refusal(EXISTS) from None


# Reading ------------------------------------------------------------------------------------


def checkins_for(
    actor: User, *, site_id=None, user_id=None, first_day=None, last_day=None, flagged=False
):
    """Check-ins the actor may read: the office all, an engineer their own; those made from
    `first_day` to `last_day` (both included) by the phone's own day, as the access log and the
    month sheet read them: 07:50 on the 1st in China is still the month before in UTC."""
    query = CheckIn.select(CheckIn, User).join(User, on=(CheckIn.user == User.id))
    if actor.role not in OFFICE_ROLES:
        if actor.role != "engineer":
            raise forbidden()
        query = query.where(CheckIn.user == actor.id)
    if site_id is not None:
        query = query.where(CheckIn.site == site_id)
    if user_id is not None:
        query = query.where(CheckIn.user == user_id)
    if first_day is not None:  # every time zone's version of the days, narrowed below
        start = datetime.combine(first_day, datetime.min.time()) - EARLIEST_OFFSET
        query = query.where(CheckIn.device_time >= start)
    if last_day is not None:
        end = datetime.combine(last_day + timedelta(days=1), datetime.min.time()) + LATEST_OFFSET
        query = query.where(CheckIn.device_time < end)
    rows = [
        r
        for r in query.order_by(CheckIn.device_time.desc())
        if (first_day is None or local_day(r) >= first_day)
        and (last_day is None or local_day(r) <= last_day)
    ]
    if flagged:
        rows = [r for r in rows if r.flags or not r.signed]
    return rows
