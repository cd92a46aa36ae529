"""Faults and service requests: their life, their service-level clocks."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("board", "clock", "operations", "schemas")  # board: the clocks read now (the sweep)
