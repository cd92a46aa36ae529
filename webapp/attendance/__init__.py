"""Attendance: working days, and what a day's check-ins say against a site's working hours."""
