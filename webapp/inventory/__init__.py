"""The equipment register: schemas, operations, API, import and export, sync adapter."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "schemas")
