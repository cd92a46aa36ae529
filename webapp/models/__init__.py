"""peewee models. No request, session or current_app in here."""

from .base import BaseModel, SyncedModel, utcnow
from .equipment import Equipment
from .organisation import Client, Location, Site
from .people import Assignment, User
from .sync import Attachment, RecordHistory, SyncClient, SyncConflict, SyncMutation
from .system import AuditEntry, Counter, LoginFailure, ServerMeta

ALL_MODELS = [
    Client,
    Site,
    Location,
    User,
    Assignment,
    Equipment,
    Counter,
    ServerMeta,
    LoginFailure,
    AuditEntry,
    SyncClient,
    SyncMutation,
    SyncConflict,
    RecordHistory,
    Attachment,
]
SYNCED_MODELS = [Client, Site, Location, Assignment, Equipment, SyncConflict, Attachment]

__all__ = [
    "ALL_MODELS",
    "Attachment",
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
    "LoginFailure",
    "ServerMeta",
    "Site",
    "SyncedModel",
    "User",
    "utcnow",
]
