"""Printed reports: the round report as a PDF, the office's round list and its export."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ()
