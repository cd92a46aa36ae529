"""The server owns the leave types (models/choices.py LEAVE_KINDS); the phone's form lists the
same keys (static/js/views/leave.js), each label a translated string of the catalogues."""

from __future__ import annotations

import re
from pathlib import Path

from webapp.models.choices import LEAVE_KINDS

VIEW = Path(__file__).resolve().parent.parent / "static" / "js" / "views" / "leave.js"


def test_the_phone_lists_the_servers_leave_types_with_the_same_labels():
    source = VIEW.read_text("utf-8")
    block = re.search(r"export const LEAVE_KINDS = \(\) => \(\{(.*?)\}\);", source, re.S)
    assert block, "LEAVE_KINDS not found in views/leave.js"
    pairs = dict(re.findall(r"(\w+): t\('([^']+)'\)", block.group(1)))
    assert list(pairs) == list(LEAVE_KINDS)
    assert pairs == {key: label._args[0] for key, label in LEAVE_KINDS.items()}
