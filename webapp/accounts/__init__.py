"""People: user accounts, their roles and the audit log (schemas, operations, API)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "schemas")
