"""Checklist templates: the content rules (content.py), shared with the device through
static/js/checklist.js, and the operations on templates and versions (operations.py)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("content", "operations")
