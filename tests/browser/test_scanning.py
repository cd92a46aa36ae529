"""Scanning QR labels with the phone's camera, offline, in a real browser.

The camera is Chromium's fake capture device playing a Y4M video made from a photo-like frame of
a label: the label sheet PDF the office prints (rendered with pdftoppm, first label cropped),
seen at an angle, out of focus and grainy (tests/browser/camera.py). Each test signs the engineer
in, lets the app sync (so the tags and devices are on the phone), turns the network off and
scans. Chromium on Linux has no native BarcodeDetector, so this is the vendored jsQR path.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.models import Tag
from webapp.tags import labels, operations, signing

from . import camera
from .app_pages import FieldEngineer
from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE_UA, TIMEOUT_MS
from .pages import Admin

pytestmark = pytest.mark.browser

SCAN_TIMEOUT_MS = 20_000


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def phone_with_camera(browser, live_server, tmp_path):
    """`start(video)` -> the engineer on a phone whose camera shows `video`, signed in, synced.

    Each phone is its own Chromium profile: the fake camera is chosen when Chromium starts.
    """
    contexts = []

    def start(video: Path, *, camera_allowed: bool = True) -> FieldEngineer:
        args = [
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        if camera_allowed:
            args.append("--use-fake-ui-for-media-stream")  # "Allow" on the permission prompt
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / f"profile-{len(contexts)}"),
            executable_path=CHROMIUM,
            args=args,
            viewport={"width": 390, "height": 844},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            user_agent=PHONE_UA,
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.pages[0] if context.pages else context.new_page()
        engineer = FieldEngineer(page, live_server)
        engineer.signs_in("eng", PASSWORD)
        engineer.opens_the_app()
        return engineer

    yield start
    for context in contexts:
        context.close()


def issue(app, target) -> Tag:
    with app.app_context():
        return operations.issue_tag(actor=None, target=target)


def label_sheet(desktop, live_server, site) -> bytes:
    """The label sheet PDF as the office downloads it (every active tag of the site)."""
    office = Admin(desktop, live_server)
    office.signs_in("adm", PASSWORD)
    response = desktop.request.get(f"{live_server}/office/tags/sheet?site={site.id}")
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def first_label(pdf: bytes, workdir: Path) -> Image.Image:
    layout = labels.LAYOUTS[labels.DEFAULT_LAYOUT]
    left, top = layout.origin(0)
    return camera.first_label_of_pdf(pdf, workdir, (left, top, layout.width, layout.height))


def video_of(label: Image.Image, path: Path, frames: int = 3) -> Path:
    """A few photo-like frames of the label: at a steep angle, the hand moving a little between
    them, then steadier. Each label's code is new (a tag's token is random), and some codes are
    not read at the steepest angle by any frame: a person then holds the phone straighter, so the
    video does too, instead of the test failing one run in several."""
    shots = [
        camera.photo_of_label(label, tilt=0.15, turn=8 - 3 * i, blur=1.2, noise=8, seed=i)
        for i in range(frames)
    ]
    shots += [
        camera.photo_of_label(label, tilt=0.08, turn=2 - i, blur=0.8, noise=6, seed=frames + i)
        for i in range(2)
    ]
    return camera.write_y4m(path, shots)


def label_of_text(text: str) -> Image.Image:
    """A label like the printed ones, for codes the office never printed (forgeries)."""
    code = camera.qr_label(text, module=8)
    label = Image.new("RGB", (code.width * 2, code.height), "white")
    label.paste(code, (0, 0))
    return label


def forge(token: str, index: int) -> str:
    """The token with one byte changed (index into the 82 decoded bytes)."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def wait_for_tag_on_phone(engineer: FieldEngineer, tag: Tag) -> None:
    """The tag record and the signing key are on the phone (they come with the sync)."""
    engineer.page.wait_for_function(
        """async (id) => {
          const s = await window.__rounds.db.getMeta('session');
          const rec = await window.__rounds.db.record(s.id, 'tag', id);
          const key = await window.__rounds.db.getMeta('tag-key');
          return Boolean(rec && rec.local && key && key.key);
        }""",
        arg=str(tag.id),
        polling=200,
    )


def scan(engineer: FieldEngineer) -> None:
    engineer.page.goto(f"{engineer.base_url}/app/#/scan")
    engineer.page.get_by_test_id("scan").wait_for()


def opened(engineer: FieldEngineer, hash_: str) -> None:
    """The scan opened `hash_`; if not, the failure says what the scan screen showed."""
    try:
        engineer.page.wait_for_function(
            "(want) => location.hash === want", arg=hash_, timeout=SCAN_TIMEOUT_MS
        )
    except PlaywrightError:
        screen = engineer.page.evaluate(
            """() => {
              const el = document.querySelector('[data-testid=scan]');
              const status = document.querySelector('[data-testid=scan-status]');
              const result = document.querySelector('[data-testid=scan-result]');
              return {
                hash: location.hash,
                controlled: Boolean(navigator.serviceWorker.controller),
                frames: el && el.dataset.frames, decoder: el && el.dataset.decoder,
                status: status && [status.dataset.state, status.textContent],
                result: result && [result.dataset.reason, result.textContent],
              };
            }"""
        )
        raise AssertionError(f"the scan did not open {hash_}: {screen}") from None


def scan_result(engineer: FieldEngineer) -> tuple[str, str]:
    """(reason, message) of the refusal the scan screen shows."""
    result = engineer.page.locator("[data-testid=scan-result][data-reason]")
    result.wait_for(timeout=SCAN_TIMEOUT_MS)
    return result.get_attribute("data-reason"), result.inner_text()


def offline(engineer: FieldEngineer) -> None:
    engineer.goes_offline()
    assert engineer.page.evaluate("() => navigator.onLine") is False


# --- the label opens its device ------------------------------------------------------------------


def test_a_printed_label_photographed_at_an_angle_opens_its_device_offline(
    phone_with_camera, desktop, live_server, world, app, tmp_path
):
    device = world["equipment"][0]
    issue(app, device)
    label = first_label(label_sheet(desktop, live_server, world["sites"][0]), tmp_path)
    engineer = phone_with_camera(video_of(label, tmp_path / "label.y4m"))
    wait_for_tag_on_phone(engineer, Tag.get(Tag.target_id == device.id))

    offline(engineer)
    scan(engineer)

    opened(engineer, f"#/equipment/{device.id}")
    expect(engineer.page.locator("main h1")).to_have_text(device.name)
    stopped = engineer.page.evaluate(
        "() => !document.querySelector('video') || !document.querySelector('video').srcObject"
    )
    assert stopped, "the camera was left running"


def test_a_tag_link_opened_from_the_camera_app_lands_on_the_same_device_offline(
    phone_with_camera, world, app, tmp_path
):
    device = world["equipment"][0]
    tag = issue(app, device)
    nothing = camera.photo_of_label(camera.text_label(["no code"]), noise=4)
    engineer = phone_with_camera(camera.write_y4m(tmp_path / "none.y4m", [nothing]))
    wait_for_tag_on_phone(engineer, tag)

    offline(engineer)
    response = engineer.page.goto(f"{engineer.base_url}/t/{tag.token}")

    assert response is not None and response.from_service_worker
    engineer.page.wait_for_url(f"**/app/#/equipment/{device.id}")
    expect(engineer.page.locator("main h1")).to_have_text(device.name)


# --- what does not open --------------------------------------------------------------------------


def test_a_picture_with_no_code_keeps_the_scanner_looking_and_says_so(
    phone_with_camera, world, tmp_path
):
    label = camera.text_label(["Rounds", "SN-A", "no QR code here"])
    frames = [camera.photo_of_label(label, seed=i, noise=6) for i in range(2)]
    engineer = phone_with_camera(camera.write_y4m(tmp_path / "nothing.y4m", frames))
    errors = []
    engineer.page.on("pageerror", lambda error: errors.append(str(error)))

    offline(engineer)
    scan(engineer)

    status = engineer.page.get_by_test_id("scan-status")
    engineer.page.wait_for_function(
        "() => document.querySelector('[data-testid=scan-status]').dataset.state === 'nothing-yet'",
        timeout=SCAN_TIMEOUT_MS,
    )
    section = engineer.page.get_by_test_id("scan")
    assert section.get_attribute("data-decoder") == "jsqr"
    frames_then = int(section.get_attribute("data-frames"))
    engineer.page.wait_for_timeout(1_500)
    assert int(section.get_attribute("data-frames")) >= frames_then + 2, "stopped looking"
    assert "二维码" in status.inner_text() or "QR" in status.inner_text()
    assert engineer.page.url.endswith("#/scan")
    assert not engineer.page.get_by_test_id("scan-result").is_visible()
    assert errors == []


def test_a_forged_label_is_named_as_such(phone_with_camera, live_server, world, app, tmp_path):
    device = world["equipment"][0]
    tag = issue(app, device)
    # One byte of the tag id changed: the label claims a tag the office never issued.
    url = f"{live_server}/t/{forge(tag.token, 5)}"
    engineer = phone_with_camera(video_of(label_of_text(url), tmp_path / "forged.y4m"))
    wait_for_tag_on_phone(engineer, tag)

    offline(engineer)
    scan(engineer)

    reason, message = scan_result(engineer)
    assert reason == "forged"
    assert message.strip()
    assert engineer.page.url.endswith("#/scan"), "a forged label opened something"


def test_a_revoked_label_asks_for_a_new_one(
    phone_with_camera, desktop, live_server, world, app, tmp_path
):
    device = world["equipment"][0]
    tag = issue(app, device)
    label = first_label(label_sheet(desktop, live_server, world["sites"][0]), tmp_path)
    with app.app_context():
        operations.revoke_tag(actor=world["users"]["admin"], tag=tag)
    engineer = phone_with_camera(video_of(label, tmp_path / "revoked.y4m"))
    wait_for_tag_on_phone(engineer, tag)

    offline(engineer)
    scan(engineer)

    reason, message = scan_result(engineer)
    assert reason == "revoked"
    assert device.name in message, "the message does not say which label to replace"
    assert engineer.page.url.endswith("#/scan")

    engineer.page.goto(f"{engineer.base_url}/t/{tag.token}")  # the same label, camera app
    assert scan_result(engineer) == (reason, message)


def test_a_label_of_a_site_outside_the_engineer_s_scope_is_not_on_the_phone(
    phone_with_camera, desktop, live_server, world, app, tmp_path
):
    elsewhere = world["equipment"][1]  # site B: the engineer is not assigned there
    mine = issue(app, world["equipment"][0])
    issue(app, elsewhere)
    label = first_label(label_sheet(desktop, live_server, world["sites"][1]), tmp_path)
    engineer = phone_with_camera(video_of(label, tmp_path / "elsewhere.y4m"))
    wait_for_tag_on_phone(engineer, mine)

    offline(engineer)
    scan(engineer)

    reason, message = scan_result(engineer)
    assert reason == "not-here"
    assert elsewhere.name not in message, "the phone showed a record outside the scope"
    assert engineer.page.url.endswith("#/scan")


def test_a_refused_camera_says_how_to_allow_it(phone_with_camera, world, tmp_path):
    nothing = camera.photo_of_label(camera.text_label(["no code"]), noise=4)
    video = camera.write_y4m(tmp_path / "none.y4m", [nothing])
    engineer = phone_with_camera(video, camera_allowed=False)

    scan(engineer)

    status = engineer.page.get_by_test_id("scan-status")
    engineer.page.wait_for_function(
        "() => document.querySelector('[data-testid=scan-status]').dataset.state"
        " === 'camera-problem'"
    )
    assert status.get_attribute("data-problem") == "denied"
    assert engineer.page.get_by_test_id("scan-retry").is_visible()


# --- reading a scanned text ----------------------------------------------------------------------


def test_what_a_scanned_text_is_taken_for(phone, live_server, world, app):
    """tags.js on every kind of text a QR code can hold, and a location's tag."""
    device, room = world["equipment"][0], world["locations"][0]
    tag, room_tag = issue(app, device), issue(app, room)
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    wait_for_tag_on_phone(engineer, room_tag)
    origin, token = live_server, tag.token
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    other_version = base64.urlsafe_b64encode(bytes([2]) + raw[1:]).decode().rstrip("=")
    other_kind = base64.urlsafe_b64encode(raw[:1] + bytes([7]) + raw[2:]).decode().rstrip("=")
    texts = {
        "url": f"{origin}/t/{token}",
        "url with a slash": f"{origin}/t/{token}/",
        "bare token": token,
        "other origin": f"https://rounds.example.org/t/{token}",
        "wifi": "WIFI:T:WPA;S:guest;P:12345678;;",
        "office page": f"{origin}/office/tags",
        "cut short": f"{origin}/t/{token[:-6]}",
        "unknown version": f"{origin}/t/{other_version}",
        "unknown kind": f"{origin}/t/{other_kind}",
        "signature changed": f"{origin}/t/{forge(token, 40)}",
        "tag id changed": f"{origin}/t/{forge(token, 5)}",
        "location": f"{origin}/t/{room_tag.token}",
        "empty": "",
        "markup": "<img src=x onerror=alert(1)>",
    }
    another_key = signing.b64url(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    # The phone runs the bundle; the test reaches the source module itself, loaded while online
    # (the worker keeps the bundle, not the modules), then used offline.
    engineer.page.evaluate("() => import('/static/js/tags.js').then(() => true)")
    engineer.goes_offline()
    outcomes = engineer.page.evaluate(
        """async ([texts, key]) => {
          const tags = await import('/static/js/tags.js');
          const s = await window.__rounds.db.getMeta('session');
          const out = {};
          for (const [name, text] of Object.entries(texts)) {
            out[name] = await tags.openTag(window.__rounds.db, s.id, text, location.origin);
            delete out[name].tag;
          }
          out['no key'] = await tags.readTag(texts.url, { origin: location.origin });
          out['another key'] = await tags.readTag(texts.url, { origin: location.origin, key });
          // A phone without the key (or without Ed25519): the synced record decides alone.
          await window.__rounds.db.setMeta('tag-key', null);
          for (const name of ['url', 'signature changed', 'tag id changed']) {
            out[`keyless ${name}`] = await tags.openTag(window.__rounds.db, s.id, texts[name],
              location.origin);
            delete out[`keyless ${name}`].tag;
          }
          return out;
        }""",
        [texts, another_key],
    )
    opened = {"path": f"/equipment/{device.id}", "kind": "equipment"}
    assert outcomes["url"] == opened
    assert outcomes["bare token"] == opened
    assert outcomes["location"] == {"path": f"/sites/{room.site_id}", "kind": "location"}
    # The server's /t/<token> does not answer /t/<token>/ either (tests/tag_vectors.json).
    for name in ("url with a slash", "other origin", "wifi", "office page", "empty", "markup"):
        assert outcomes[name] == {"reason": "not-ours"}, name
    for name in ("cut short", "unknown version", "unknown kind"):
        assert outcomes[name] == {"reason": "malformed"}, name
    for name in ("signature changed", "tag id changed"):
        assert outcomes[name] == {"reason": "forged"}, name
    assert outcomes["no key"]["reason"] == "unverified"
    assert outcomes["no key"]["tagId"] == str(tag.id)
    assert outcomes["another key"]["reason"] == "forged", "a key that did not sign it accepted it"
    assert outcomes["keyless url"] == opened
    assert outcomes["keyless signature changed"] == {"reason": "forged"}
    assert outcomes["keyless tag id changed"] == {"reason": "not-here"}


# --- the worker's wider scope --------------------------------------------------------------------


def test_the_worker_answers_tag_links_but_leaves_office_pages_to_the_network(
    phone, live_server, world
):
    """Registered for / (for /t/<token>), the worker still answers only the app's requests."""
    engineer = FieldEngineer(phone, live_server)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    scope = phone.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.scope)")
    assert scope == f"{live_server}/"

    answered = []
    phone.on("response", lambda r: answered.append((r.url, r.from_service_worker)))
    response = phone.goto(f"{live_server}/sites/{world['sites'][0].id}")  # a server page
    phone.wait_for_load_state("load")
    assert response.ok and not response.from_service_worker
    from_worker = [url for url, by_worker in answered if by_worker]
    assert from_worker == [], f"the worker answered a server page's requests: {from_worker}"

    engineer.goes_offline()
    with pytest.raises(PlaywrightError):
        phone.goto(f"{live_server}/sites/{world['sites'][0].id}")  # not kept: no network, no page
