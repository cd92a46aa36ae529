"""Attendance: working days, and what a day's check-ins say against a site's working hours."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("calendar", "leave", "rules")
