"""The sync protocol: push, pull, cursors, conflicts, and the registry of feature adapters."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("conflicts", "epoch", "registry")
