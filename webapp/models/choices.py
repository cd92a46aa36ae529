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

# Leave (请假申请): the types the seeds' forms name.
LEAVE_KINDS = {
    "personal": _l("Personal leave"),
    "sick": _l("Sick leave"),
    "annual": _l("Annual leave"),
    "in_lieu": _l("Time off in lieu"),
    "marriage": _l("Marriage leave"),
    "bereavement": _l("Bereavement leave"),
}
LEAVE_STATUSES = {
    "waiting": _l("Waiting"),
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
    "waiting": _l("Waiting"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned"),
}
