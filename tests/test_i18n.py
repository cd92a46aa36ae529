"""Three languages: chosen by the user's setting, else the browser; no string left untranslated."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir

from tests.conftest import sign_in_as
from tests.factories import create_user
from webapp.i18n import TRANSLATIONS_DIR, load_catalogue, match_language

ROOT = TRANSLATIONS_DIR.parent.parent


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-Hans-CN", "zh_Hans"),
        ("zh-TW,zh;q=0.9", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("zh-Hant", "zh_Hant"),
        ("zh-Hans-HK", "zh_Hans"),  # the script said outright wins over the region
        ("zh-Hans-TW,zh-TW;q=0.9", "zh_Hans"),
        ("zh-Hant-CN", "zh_Hant"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,de;q=0.5", None),
        ("fr-FR,zh-TW;q=0.5", "zh_Hant"),
    ],
)
def test_browser_languages_map_onto_our_catalogues(header, expected):
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    assert match_language(list(parse_accept_header(header, LanguageAccept))) == expected


def test_the_browser_language_picks_the_page_language(client):
    assert 'lang="zh-Hans"' in client.get("/sign-in", headers={"Accept-Language": "zh-CN"}).text
    assert 'lang="zh-Hant"' in client.get("/sign-in", headers={"Accept-Language": "zh-TW"}).text
    assert 'lang="en"' in client.get("/sign-in", headers={"Accept-Language": "en-US"}).text
    assert "登录" in client.get("/sign-in", headers={"Accept-Language": "zh-CN"}).text
    assert "登入" in client.get("/sign-in", headers={"Accept-Language": "zh-TW"}).text


def test_the_users_setting_wins_over_the_browser(app, client):
    user = create_user("dispatcher", "li", locale="zh_Hant")
    sign_in_as(client, user)
    page = client.get("/office/", headers={"Accept-Language": "en-US"})
    assert 'lang="zh-Hant"' in page.text


def test_choosing_a_language_is_remembered(app, client):
    html = client.get("/sign-in", headers={"Accept-Language": "en"}).text
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/language", data={"csrf_token": token, "lang": "zh_Hans", "next": "/sign-in"})
    assert 'lang="zh-Hans"' in client.get("/sign-in", headers={"Accept-Language": "en"}).text


def _used_messages() -> set[str]:
    """What `scripts/update-catalogues.sh` extracts, with the same mapping (babel.cfg)."""
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {
        "_": None,
        "gettext": None,
        "_l": None,
        "N_": None,
        "lazy_gettext": None,
        "ngettext": (1, 2),
        "t": None,
        "tn": (1, 2),
    }
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_extraction_sees_every_string_the_app_translates():
    """A t('…') the extractor misses (inside a template literal, say) would be dropped from the
    catalogues and shown in English: every literal call in static/js is extracted."""
    import re

    call = re.compile(r"""\bt(?:n)?\(\s*'((?:[^'\\]|\\.)*)'""")
    written = set()
    for path in (ROOT / "static" / "js").rglob("*.js"):
        written.update(m.replace("\\'", "'") for m in call.findall(path.read_text("utf-8")))
    assert len(written) > 300
    assert sorted(written - _used_messages()) == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_every_string_in_use_is_in_the_catalogue(locale):
    used = _used_messages()
    assert len(used) > 100  # the extraction found the app's strings
    catalogue = load_catalogue(locale)
    missing = sorted(m for m in used if m not in catalogue)
    assert not missing, f"{locale} lacks {len(missing)} strings: {missing[:10]}"
    if locale != "en":
        untranslated = sorted(m for m in used if not catalogue[m].string or catalogue[m].fuzzy)
        assert not untranslated, (
            f"{locale} has {len(untranslated)} untranslated: {untranslated[:10]}"
        )


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_translations_keep_their_placeholders(locale):
    import re

    catalogue = load_catalogue(locale)
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == expected, (message.id, s)


# Characters written one way in Simplified Chinese and another in Traditional: those the zh_Hans
# catalogue uses, listed once from a conversion table (准 and 台 left out: Taiwan writes them
# too, as in 核准 and 一台). One of them in the zh_Hant catalogue is a Simplified word left in a
# Traditional page, as 响應 for 響應 was on the fault clocks.
SIMPLIFIED_ONLY = (
    "与专丢两严丧个临为么书于产仅从们会传体余储关内册写冲决况冻击划则创删别办务动区单占厂历压厘发变"
    "叠号后吗听启员响团围国图场坏处备复头宝实审对导将尔尝层属岗师带帮并库应废开异弃张当录态总悬户执"
    "扫护报拨择损换据摄数断无旧时旷显暂术机权条来标栏样档检楼横残没测浏满点状独现电盖盘码确离种称稳"
    "笔筛签简类紧级纸纹线组终经绑结给络绝统继续维编网职联脑腾节范获补装见规视览触计订认让训议记许设"
    "访证识诊试话询该详语误说请读调谢负责败账贴贵资载较辑输达迁过运还这进连迟适选邮采里钟钥铭销锁错"
    "长闭问间闻阅阈队际随页项须预领频题额驳驻验骤"
)


def _traditional_texts(value, where: str):
    """Every zh_Hant text of a shipped checklist template, with where it is."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "zh_Hant" and isinstance(inner, str):
                yield where, inner
            else:
                yield from _traditional_texts(inner, f"{where}/{key}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _traditional_texts(inner, f"{where}[{n}]")


def test_traditional_chinese_writes_no_simplified_characters():
    import json
    from pathlib import Path

    texts = []
    for message in load_catalogue("zh_Hant"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [(message.id, s) for s in strings if s]
    shipped = Path(__file__).parent.parent / "webapp" / "checklists" / "shipped"
    for path in sorted(shipped.glob("*.json")):
        texts += _traditional_texts(json.loads(path.read_text("utf-8")), path.name)
    assert len(texts) > 1000
    found = [(where, s) for where, s in texts if any(ch in SIMPLIFIED_ONLY for ch in s)]
    assert not found, found
