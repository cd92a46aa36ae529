"""Leave requests (请假申请) and absence explanations (《缺勤情况说明》): written on the phone
offline, decided in the office (docs/attendance.md)."""
