"""Check-ins and check-outs at a site or room, signed offline with a passkey (docs/checkins.md)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("clock", "schemas")
