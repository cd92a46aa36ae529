"""QR tags on equipment and locations: signed tokens, issuing and revoking, printed labels."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "signing")
