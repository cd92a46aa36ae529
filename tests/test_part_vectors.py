"""The stock rule on the server: every case of tests/part_vectors.json (the phone runs the same
file in Chromium, tests/browser/test_part_vectors.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp.parts.rules import after

VECTORS = json.loads((Path(__file__).parent / "part_vectors.json").read_text("utf-8"))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_stock_after_each_shared_case(case):
    assert after(case["quantity"], case["uses"]) == case["expect"]


@pytest.mark.parametrize("case", VECTORS["refused"], ids=lambda c: c["name"])
def test_each_refused_case_is_refused(case):
    with pytest.raises(ValueError):
        after(case["quantity"], case["uses"])
