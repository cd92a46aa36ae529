"""Who may do what (DESIGN §4): one table of (entity, operation) -> roles, read by every edge.

Operations call `require(actor, entity, op)` themselves, so a JSON route, a sync mutation and an
office page that reach the same operation answer alike. Edges may ask the same table first
(`roles_for` for `api.endpoint`'s `roles=`, `require` before a sync handler validates) to refuse
early and to document the rule; they never hold a list of roles of their own.

Which records a user may see is the other half of access and lives in `auth/scope.py`.

The rule where the JSON API and sync once disagreed: engineers register and correct equipment in
the field (through sync, offline), so `POST`/`PATCH /api/equipment` admit engineers as well;
only the office removes equipment. Client users read, never write, except their own preferences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from ..errors import ApiError, forbidden
from ..models import User

OFFICE = ("dispatcher", "admin")  # OFFICE_ROLES, in the order the API document lists them
FIELD = ("engineer", *OFFICE)  # those who work on site: engineers, and the office on their behalf
ANY_ROLE = ("engineer", "client", *OFFICE)


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]
    message: Callable[[], str] | None = None  # the refusal in the user's language, if not generic


def _rounds() -> str:
    return _("Only engineers and the office do rounds.")


ROUND_WORK = Rule(FIELD, _rounds)
OFFICE_ONLY = Rule(OFFICE)

PERMISSIONS: dict[tuple[str, str], Rule] = {
    # the equipment register: engineers register and correct devices in the field
    ("equipment", "create"): Rule(FIELD),
    ("equipment", "update"): Rule(FIELD),
    ("equipment", "delete"): Rule(OFFICE, lambda: _("Only the office can remove equipment.")),
    ("equipment", "import"): OFFICE_ONLY,
    # files of equipment, rounds and faults; a client user only a photo of a fault they reported
    # (报修), the rest of that rule in attachments/sync.py
    ("attachment", "create"): Rule(ANY_ROLE),
    ("attachment", "upload"): Rule(ANY_ROLE),
    # rounds, their answers, faults
    ("round", "create"): ROUND_WORK,
    ("round", "update"): ROUND_WORK,  # its answers, submitting and signing it too
    ("round", "update_any"): OFFICE_ONLY,  # not only one's own rounds
    # a fault: from a round (the round's rule, in rounds.operations.create_fault), or reported
    # from a device's screen, by client users too (报修); its steps: which role takes which step
    # is the faults' own rule (faults.operations), the office alone assigns and closes
    ("fault", "create"): Rule(ANY_ROLE),
    ("fault_event", "create"): Rule(ANY_ROLE),
    # check-ins at a site or room, by whoever works there (checkins/operations.py)
    ("checkin", "create"): Rule(FIELD),
    # the machine-room access log (checkins/access.py): every site's, so the office's alone
    ("access_log", "read"): OFFICE_ONLY,
    # leave and absence explanations: an engineer files their own (leave/operations.py), the
    # office decides
    ("leave", "file"): Rule(
        ("engineer",), lambda: _("Only an engineer files leave and explanations.")
    ),
    ("leave", "decide"): Rule(OFFICE, lambda: _("Only the office decides.")),
    # spare parts (parts/operations.py): the office keeps the stock and answers requests;
    # whoever works on a fault uses parts from its site's stock; engineers ask for parts
    ("part", "manage"): Rule(OFFICE, lambda: _("Only the office manages the stock of parts.")),
    ("part", "use"): Rule(FIELD),
    ("part_request", "create"): Rule(
        ("engineer",), lambda: _("Only an engineer asks the office for parts.")
    ),
    ("part_request", "decide"): Rule(OFFICE, lambda: _("Only the office decides.")),
    # conflicts between a device's edit and the server's
    (
        "conflict",
        "resolve",
    ): Rule(FIELD, lambda: _("Only engineers and the office resolve conflicts.")),
    # the office's records: clients, sites, locations, assignments, people, checklists, tags
    **{
        (entity, op): OFFICE_ONLY
        for entity in ("client", "site", "location", "assignment", "user")
        for op in ("create", "update", "delete")
    },
    # revoking someone else's passkey ("lost phone"): it ends a way of signing in and of
    # signing check-ins, so administrators alone; everyone removes their own (passkeys/views.py)
    ("passkey", "revoke"): Rule(("admin",), lambda: _("Only an administrator revokes a passkey.")),
    # notifications on one's own phone (notify/operations.py): anyone signed in, their own only
    ("push_subscription", "manage"): Rule(ANY_ROLE),
    ("office", "use"): OFFICE_ONLY,  # the office pages (webapp/pages.py)
    ("user", "read"): OFFICE_ONLY,
    ("user", "end_sessions"): OFFICE_ONLY,
    ("audit", "read"): OFFICE_ONLY,
    ("template", "edit"): OFFICE_ONLY,
    ("tag", "issue"): OFFICE_ONLY,
    ("report", "read_all"): OFFICE_ONLY,
}


def rule(entity: str, op: str) -> Rule:
    try:
        return PERMISSIONS[(entity, op)]
    except KeyError:
        raise LookupError(f"no permission declared for {entity}/{op}") from None


def roles_for(entity: str, op: str) -> tuple[str, ...]:
    """The roles that may do `op` on `entity`, for an edge's declaration (`roles=`)."""
    return rule(entity, op).roles


def may(user: User | None, entity: str, op: str) -> bool:
    """Whether `user` may do `op` on `entity`; None is the command line, which may do all."""
    return user is None or user.role in rule(entity, op).roles


def require(user: User | None, entity: str, op: str) -> None:
    """Refuse with 403 unless `user` may do `op` on `entity`."""
    if may(user, entity, op):
        return
    message = rule(entity, op).message
    raise ApiError(403, "forbidden", message()) if message else forbidden()
