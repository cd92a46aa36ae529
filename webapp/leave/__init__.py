"""Leave requests (请假申请) and absence explanations (《缺勤情况说明》): written on the phone
offline, decided in the office (docs/attendance.md)."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = ("operations", "schemas")
