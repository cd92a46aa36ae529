"""The server on the shared tag cases (tests/tag_vectors.json).

The same cases run in Chromium against static/js/tags.js (tests/browser/test_tag_rules.py): a
token or a link the phone opens, the server opens, and the other way round.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests import tag_vectors
from tests.factories import create_equipment, create_location
from webapp.models import Tag
from webapp.records import create_record
from webapp.tags import signing
from webapp.tags.signing import TokenError, read_token

VECTORS = json.loads(tag_vectors.PATH.read_text("utf-8"))
TOKENS = {case["name"]: case for case in VECTORS["tokens"]}


def test_the_file_is_what_the_generator_makes():
    assert tag_vectors.PATH.read_text("utf-8") == tag_vectors.render(), (
        "tests/tag_vectors.json is stale: run .venv/bin/python -m tests.tag_vectors"
    )


def test_the_cases_cover_every_kind_of_spelling():
    names = set(TOKENS)
    assert sum(name.startswith("unused bits") for name in names) == 15
    assert {"padded with =", "a trailing character", "signed with another key", "revoked tag"} <= (
        names
    )
    reasons = {case.get("reason") for case in VECTORS["tokens"]}
    assert reasons == {None, "malformed", "signature"}
    links = VECTORS["links"]
    assert any(c["opens"] for c in links) and any(not c["opens"] for c in links)


@pytest.mark.parametrize("case", VECTORS["tokens"], ids=lambda case: case["name"])
def test_token_vectors(case):
    key = tag_vectors.KEY.public_key()
    if case["ok"]:
        kind, tag_id = read_token(case["token"], key=key)
        assert (kind, str(tag_id)) == (case["kind"], case["tag_id"])
    else:
        with pytest.raises(TokenError) as caught:
            read_token(case["token"], key=key)
        assert caught.value.reason == case["reason"]


@pytest.fixture
def tagged(app, world, tmp_path):
    """The vectors' key in use, and their three tags issued: on a device, on a room, revoked."""
    key_file = tmp_path / "vectors-key.pem"
    key_file.write_bytes(tag_vectors.private_pem())
    app.config["TAG_KEY_FILE"] = str(key_file)
    app.extensions.pop(signing._CACHE_KEY, None)
    site = world["sites"][0]
    targets = {
        "equipment tag": create_equipment(site, name="调音台"),
        "location tag": create_location(site, "音控室"),
        "revoked tag": create_equipment(site, name="功放"),
    }
    for name, target in targets.items():
        case = TOKENS[name]
        create_record(
            Tag,
            actor=None,
            id=uuid.UUID(case["tag_id"]),
            target_entity=case["kind"],
            target_id=target.id,
            site=site,
            token=case["token"],
            status="revoked" if case.get("revoked") else "active",
        )
    return targets


def opens(response) -> str | None:
    """The tag a response leads to: for someone not signed in, sign-in and back to /t/<token>."""
    if response.status_code != 302:
        return None
    target = urlsplit(response.headers["Location"])
    back = parse_qs(target.query).get("next", [""])[0]
    if not target.path.endswith("/sign-in") or not back.startswith("/t/"):
        return None
    return back.removeprefix("/t/")


def test_the_scan_address_answers_every_token_case(client, tagged):
    answers = {}
    for case in VECTORS["tokens"]:
        response = client.get(f"/t/{quote(case['token'], safe='')}")
        answers[case["name"]] = (response.status_code, opens(response))
    for case in VECTORS["tokens"]:
        got = answers[case["name"]]
        if case.get("revoked"):
            assert got == (410, None), case["name"]
        elif case["ok"]:
            assert got == (302, case["token"]), case["name"]
        else:
            assert got == (404, None), case["name"]


@pytest.mark.parametrize(
    "case", [c for c in VECTORS["links"] if c["path"]], ids=lambda case: case["name"]
)
def test_link_vectors(client, tagged, case):
    """What a phone's camera app opens: the server follows exactly the links the app follows."""
    response = client.get(case["path"])
    led_to = opens(response)
    if case["opens"]:
        assert led_to == TOKENS["equipment tag"]["token"], (response.status_code, case["path"])
    else:
        assert led_to is None, (response.status_code, case["path"])
