"""The app shell at /app/, its service worker and translations."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ()
