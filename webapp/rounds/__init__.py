"""Rounds filled on devices: answers checked against the template version they were filled
against, report and fault numbers, submission, client acceptance and the seal
(docs/checklists.md)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "schemas", "seal")
