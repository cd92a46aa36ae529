"""The app's layout on a 390 px phone, in Chinese and in English, measured in Chromium.

Found on a phone: the top bar grew to two lines when the outbox badge appeared, a required
field's `*` fell onto a line of its own, and a date broke at its hyphen. Each is measured here
on the boxes the browser laid out, not on the CSS that should prevent it.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PASSWORD, create_equipment

from .app_pages import FieldEngineer
from .conftest import PHONE_UA, TIMEOUT_MS

pytestmark = pytest.mark.browser

LANGUAGES = {"zh": "zh-CN", "en": "en-US"}

TOP_BAR = """() => {
  const bar = document.querySelector('header.app-top');
  const brand = bar.querySelector('.brand');
  const links = [...bar.querySelectorAll('.app-nav a')];
  const nav = bar.querySelector('.app-nav');
  const boxes = [brand, ...links].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
  return {
    height: bar.getBoundingClientRect().height,
    rows: new Set(boxes.map((r) => Math.round(r.top))).size,
    badge: Boolean(bar.querySelector('.nav-badge')),
    overflow: document.documentElement.scrollWidth > window.innerWidth
      || nav.scrollWidth > nav.clientWidth,
    clipped: boxes.some((r) => r.left < -0.5 || r.right > window.innerWidth + 0.5),
    overlap: boxes.some((r, i) => i > 0 && r.left < boxes[i - 1].right - 0.5),
  };
}"""

# Every label holding a required mark: the mark must sit on the line box of the label's last
# word. For each: the label's text, and whether the star's box shares a line with the text.
REQUIRED_MARKS = """() => [...document.querySelectorAll('label')]
  .filter((l) => l.querySelector('.req'))
  .map((label) => {
    const star = label.querySelector('.req').getBoundingClientRect();
    const text = [...label.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(text[text.length - 1]);
    const rects = [...range.getClientRects()];
    const last = rects[rects.length - 1];
    return { label: label.textContent.trim(), sameLine: Math.abs(star.top - last.top) < 2
      && star.left >= last.right - 1 };
  })"""

# Every ISO date shown on the page (YYYY-MM-DD in a text node): how many line boxes it spans.
DATES = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      found.push({ date: match[0], lines: lines.size, in: node.parentElement.className });
    }
  }
  return found;
}"""


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def phone_in(request, browser):
    """A 390 px phone whose browser asks for Chinese, or for English."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale=LANGUAGES[request.param],
        user_agent=PHONE_UA,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def engineer(phone_in, live_server, world):
    person = FieldEngineer(phone_in, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def test_the_top_bar_keeps_one_line_when_the_outbox_badge_appears(engineer, world):
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/")
    page.locator("main .tile").first.wait_for()
    before = page.evaluate(TOP_BAR)
    assert not before["badge"]

    engineer.goes_offline()
    for n in range(12):  # two digits in the badge
        engineer.edits(str(world["equipment"][0].id), notes=f"风扇清灰 {n}")
    page.goto(f"{engineer.base_url}/app/#/")
    page.locator(".app-nav .nav-badge").wait_for()
    after = page.evaluate(TOP_BAR)

    assert page.locator(".app-nav .nav-badge").inner_text() == "12"
    assert before["rows"] == after["rows"] == 1, (before, after)  # brand and links on one row
    assert after["height"] == before["height"], (before, after)
    for state in (before, after):
        assert not state["overflow"] and not state["clipped"] and not state["overlap"], state


def test_a_required_mark_stays_on_its_labels_line(engineer, world):
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/sites/{world['sites'][0].id}/new")
    page.get_by_test_id("equipment-form").wait_for()
    marks = page.evaluate(REQUIRED_MARKS)
    assert marks, "no required field on the form"
    assert [m["label"] for m in marks if not m["sameLine"]] == []


def test_no_date_breaks_across_lines(engineer, world):
    site = world["sites"][0]
    device = create_equipment(
        site,
        world["locations"][0],
        name="会议室数字音频处理器（主扩声系统）",
        installed_on=date(2019, 11, 21),
        warranty_until=date(2024, 6, 30),
    )
    in_warranty = create_equipment(site, name="无线话筒接收机", warranty_until=date(2031, 12, 31))
    page = engineer.page
    engineer.taps_sync_now()
    for item in (device, in_warranty):
        page.goto(f"{engineer.base_url}/app/#/equipment/{item.id}")
        page.locator(f"[data-testid=equipment][data-id='{item.id}']").wait_for()
        dates = page.evaluate(DATES)
        assert {d["date"] for d in dates} >= {
            str(item.warranty_until),
            *([str(item.installed_on)] if item.installed_on else []),
        }
        assert [d for d in dates if d["lines"] != 1] == []
