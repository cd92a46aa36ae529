"""Spare parts (备品备件): stock per site and in the office, its movements, parts used on a
fault, requests for parts from the phone (docs/parts.md)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "schemas")
