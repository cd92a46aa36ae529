"""Rounds filled on devices: answers checked against the template version they were filled
against, report and fault numbers, submission, client acceptance and the seal
(docs/checklists.md)."""
