"""Notifications by Web Push (docs/notifications.md): subscriptions made from the phone's
Settings, an outbox filled in the same transaction as the change it tells of, the worker that
sends it and the escalation sweep it runs."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("outbox",)
