"""Fixed vocabularies, in the users' words. Values are stored; labels are translated on display.

This module is the only owner of every vocabulary: the server's schemas, forms and reports use
it, and the phone receives it as /app/contract.json (webapp/pwa/contract.py, docs/pwa.md) with
each label as its English msgid, which the phone translates through its own catalogue.
"""

from flask_babel import LazyString, gettext


class Label(LazyString):
    """A label translated when shown, which remembers its English msgid for the phone."""

    def __init__(self, msgid: str) -> None:
        super().__init__(gettext, msgid)
        self.msgid = msgid


_l = Label  # the extraction keyword (scripts/update-catalogues.sh)

ROLES = {
    "engineer": _l("On-site engineer"),
    "client": _l("Client"),
    "dispatcher": _l("Dispatcher"),
    "admin": _l("Administrator"),
}
OFFICE_ROLES = frozenset({"dispatcher", "admin"})

CLIENT_TYPES = {
    "in_warranty": _l("In warranty"),
    "annual_contract": _l("Annual contract"),
    "per_visit_contract": _l("Per-visit contract"),
    "by_letter": _l("Service by letter"),
}

# How a client's service-level clocks run (docs/faults.md).
CLOCK_MODES = {"round_the_clock": _l("Round the clock"), "working_hours": _l("Working hours")}

LOCATION_KINDS = {
    "machine_room": _l("Machine room"),
    "control_room": _l("Control room"),
    "server_room": _l("Server room"),
    "floor": _l("Floor"),
    "meeting_room": _l("Meeting room"),
    "other": _l("Other"),
}

EQUIPMENT_SYSTEMS = {
    "audio": _l("Audio"),
    "video": _l("Video"),
    "central_control": _l("Central control"),
    "power": _l("Power"),
    "network": _l("Network"),
    "server": _l("Server"),
    "other": _l("Other"),
}

EQUIPMENT_STATUSES = {
    "in_service": _l("In service"),
    "faulty": _l("Faulty"),
    "spare": _l("Spare"),
    "retired": _l("Retired"),
}

LANGUAGES = {
    "zh_Hans": "简体中文",
    "zh_Hant": "繁體中文",
    "en": "English",
}

# --- rounds: what the phone offers and the report prints (docs/checklists.md) -----------------

ROUND_STATUSES = {
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted, waiting for the client's signature"),
    "sealed": _l("Signed and sealed"),
}
ANSWER_STATUSES = {
    "normal": _l("Normal"),
    "abnormal": _l("Abnormal"),
    "na": _l("Not applicable"),
}
# How an item is checked; "measure" is printed as the phone shows it: Measurement.
SENSES = {
    "look": _l("Look"),
    "listen": _l("Listen"),
    "smell": _l("Smell"),
    "touch": _l("Touch"),
    "function": _l("Function test"),
    "measure": _l("Measurement"),
}
SEVERITIES = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical"),
}
HANDOVER = {"yes": _l("Yes"), "no": _l("No"), "none": _l("None")}
FAULT_KINDS = {"fault": _l("Fault"), "service_request": _l("Service request")}
# A fault's life (webapp/faults): the steps taken on it, the status they lead to, their details,
# and why a step that arrived out of order had no effect.
FAULT_STEPS = {
    "responded": _l("Responded"),
    "on_site": _l("On site"),
    "waiting": _l("Waiting"),
    "resumed": _l("Resumed"),
    "resolved": _l("Resolved"),
    "confirmed": _l("Confirmed by the client"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
    "assigned": _l("Assigned"),
    "escalated": _l("Escalated"),
    "reviewed": _l("Case analysis"),
}
FAULT_STATUSES = {
    "reported": _l("Reported"),
    "responded": _l("Responded"),
    "on_site": _l("On site"),
    "waiting": _l("Waiting"),
    "resolved": _l("Resolved"),
    "confirmed": _l("Confirmed by the client"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
FAULT_CHANNELS = {"phone": _l("By phone"), "on_the_way": _l("On the way")}
FAULT_ESCALATIONS = {
    "specialist": _l("Specialist engineer"),
    "manufacturer": _l("Manufacturer"),
    # by itself, when a clock reaches 80 % (webapp/notify/escalation.py); never chosen by hand
    "dispatch": _l("Dispatchers on duty (by itself, near the limit)"),
}
AUTOMATIC_ESCALATION = "dispatch"
FAULT_WAITING = {"parts": _l("Waiting for parts"), "client": _l("Waiting for the client")}
FAULT_EFFECTS = {
    "after_end": _l("No effect: the fault was already closed or cancelled."),
    "already": _l("No effect: this step had already been taken."),
    "not_yet": _l("No effect: an earlier step is missing."),
    "not_waiting": _l("No effect: nothing was waiting."),
}

SATISFACTION = {
    "very_satisfied": _l("Very satisfied"),
    "satisfied": _l("Satisfied"),
    "average": _l("Average"),
    "unsatisfied": _l("Unsatisfied"),
}
REASONS = {
    "attitude": _l("Service attitude"),
    "skill": _l("Technical skill"),
    "response": _l("Response speed"),
}

# Where a screen has room for a few characters only (a phone's answer button, a badge), the
# same value under a shorter label.
SHORT_LABELS = {
    "answer_status": {"na": _l("N/A")},
    "round_status": {"submitted": _l("Submitted")},
}

# Leave (请假申请): the types the seeds' forms name.
LEAVE_KINDS = {
    "personal": _l("Personal leave"),
    "sick": _l("Sick leave"),
    "annual": _l("Annual leave"),
    "in_lieu": _l("Time off in lieu"),
    "marriage": _l("Marriage leave"),
    "bereavement": _l("Bereavement leave"),
}
# A site's own calendar exception (models/calendar.py): office only, not sent to the phone.
SITE_DAY_KINDS = {
    "working": _l("Extra working day"),
    "rest": _l("Extra day off"),
}
LEAVE_STATUSES = {
    "waiting": _l("Waiting for a decision"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
    "withdrawn": _l("Withdrawn"),
}
LEAVE_NOTICES = {
    "on_time": _l("On time"),
    "short_notice": _l("Short notice"),
    "afterwards": _l("Filed afterwards (emergency)"),
}
# Absence explanations (《缺勤情况说明》).
EXPLANATION_STATUSES = {
    "waiting": _l("Waiting for a decision"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned"),
}

# Spare parts (备品备件, docs/parts.md): how a stock item's quantity changes, and the office's
# answer to a request for parts.
PART_MOVEMENTS = {
    "receive": _l("Received into stock"),
    "transfer_out": _l("Sent to a site"),
    "transfer_in": _l("Received from the office"),
    "use": _l("Used on a fault"),
    "reconcile": _l("Shortfall reconciled"),
}
PART_REQUEST_STATUSES = {
    "waiting": _l("Waiting for the office"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
}
# Web Push (webapp/notify/): what a notification is about, and where it is in the outbox.
NOTIFICATION_KINDS = {
    "fault_assigned": _l("A fault assigned to me"),
    "fault_clock": _l("A fault's clock near its limit or breached"),
    "leave_decided": _l("My leave request answered"),
    "explanation_decided": _l("My absence explanation answered"),
}
NOTIFICATION_STATES = {
    "queued": _l("Queued"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "gone": _l("Nowhere to send"),
}

# Every vocabulary the phone receives in /app/contract.json, by the name it is asked for.
VOCABULARIES = {
    "client_type": CLIENT_TYPES,
    "location_kind": LOCATION_KINDS,
    "equipment_system": EQUIPMENT_SYSTEMS,
    "equipment_status": EQUIPMENT_STATUSES,
    "round_status": ROUND_STATUSES,
    "answer_status": ANSWER_STATUSES,
    "sense": SENSES,
    "severity": SEVERITIES,
    "fault_kind": FAULT_KINDS,
    "fault_status": FAULT_STATUSES,
    "fault_step": FAULT_STEPS,
    "fault_channel": FAULT_CHANNELS,
    "fault_escalation": FAULT_ESCALATIONS,
    "fault_waiting": FAULT_WAITING,
    "fault_effect": FAULT_EFFECTS,
    "handover": HANDOVER,
    "satisfaction": SATISFACTION,
    "reason": REASONS,
    "leave_kind": LEAVE_KINDS,
    "leave_status": LEAVE_STATUSES,
    "leave_notice": LEAVE_NOTICES,
    "explanation_status": EXPLANATION_STATUSES,
    "part_movement": PART_MOVEMENTS,
    "part_request_status": PART_REQUEST_STATUSES,
}
