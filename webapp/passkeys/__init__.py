# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("ceremony", "operations", "relying_party", "schemas")
