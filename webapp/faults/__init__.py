"""Faults and service requests: their life, their service-level clocks."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("clock", "operations", "schemas")
