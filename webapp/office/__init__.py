"""The office's generic pages: lists, forms and removal driven by resources.py."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ()
