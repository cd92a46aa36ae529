"""peewee models. No request, session or current_app in here."""

from .auth import LoginThrottle, UserSession
from .base import BaseModel, SyncedModel, utcnow
from .calendar import SiteDay
from .checkins import CheckIn
from .checklists import ChecklistTemplate, Schedule, TemplateVersion
from .equipment import Equipment
from .faults import FaultEvent
from .leave import AbsenceExplanation, LeaveRequest
from .notifications import Notification, PushSubscription
from .organisation import Client, Location, Site
from .parts import PartMovement, PartRequest, PartStock, PartUse
from .passkeys import Passkey, PasskeyChallenge
from .people import Assignment, User
from .rounds import Answer, Fault, Round
from .sync import (
    Attachment,
    Departure,
    RecordHistory,
    SyncClient,
    SyncConflict,
    SyncMutation,
)
from .system import AuditEntry, Counter, ServerMeta
from .tags import Tag

ALL_MODELS = [
    Client,
    Site,
    Location,
    User,
    Assignment,
    Equipment,
    Counter,
    ServerMeta,
    LoginThrottle,
    UserSession,
    AuditEntry,
    SyncClient,
    SyncMutation,
    SyncConflict,
    RecordHistory,
    Attachment,
    Departure,
    ChecklistTemplate,
    TemplateVersion,
    Schedule,
    Round,
    Answer,
    Fault,
    FaultEvent,
    Tag,
    Passkey,
    PasskeyChallenge,
    LeaveRequest,
    AbsenceExplanation,
    CheckIn,
    PartStock,
    PartUse,
    PartRequest,
    PartMovement,
    SiteDay,
    PushSubscription,
    Notification,
]
SYNCED_MODELS = [
    Client,
    Site,
    Location,
    Assignment,
    Equipment,
    SyncConflict,
    Attachment,
    ChecklistTemplate,
    TemplateVersion,
    Schedule,
    Round,
    Answer,
    Fault,
    FaultEvent,
    Tag,
    LeaveRequest,
    AbsenceExplanation,
    CheckIn,
    PartStock,
    PartUse,
    PartRequest,
]

__all__ = [
    "AbsenceExplanation",
    "LeaveRequest",
    "Notification",
    "PushSubscription",
    "ALL_MODELS",
    "Answer",
    "CheckIn",
    "ChecklistTemplate",
    "Fault",
    "FaultEvent",
    "Round",
    "Schedule",
    "Tag",
    "TemplateVersion",
    "Attachment",
    "Departure",
    "RecordHistory",
    "SyncClient",
    "SyncConflict",
    "SyncMutation",
    "SYNCED_MODELS",
    "Assignment",
    "AuditEntry",
    "BaseModel",
    "Client",
    "Counter",
    "Equipment",
    "Location",
    "PartMovement",
    "PartRequest",
    "PartStock",
    "PartUse",
    "Passkey",
    "PasskeyChallenge",
    "LoginThrottle",
    "ServerMeta",
    "Site",
    "SiteDay",
    "SyncedModel",
    "User",
    "UserSession",
    "utcnow",
]
