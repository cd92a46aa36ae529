"""The first page: an engineer's or a client user's sites."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ()
