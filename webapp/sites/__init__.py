"""Clients, sites, locations and assignments (schemas, operations, API, sync adapter)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "schemas")
