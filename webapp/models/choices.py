"""Fixed vocabularies, in the users' words. Values are stored; labels are translated on display."""

from flask_babel import lazy_gettext as _l

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
