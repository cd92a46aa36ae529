"""Files of equipment, rounds and faults: resumable uploads, storage, the sync adapter."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "storage")
