"""Passkeys in a real browser with Chromium's virtual authenticator: an engineer adds one in
the app's Settings, signs out, signs in with it (no username, no password); the office revokes
it ("lost phone") and it signs nobody in any more; the password still does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.models import Passkey, UserSession

from .app_pages import FieldEngineer
from .pages import Admin

pytestmark = pytest.mark.browser

REVOKED_ZH = "此通行密钥已被移除或吊销。请用密码登录，或联系办公室。"


def add_virtual_authenticator(page, *, verifies: bool = True):
    """A phone's built-in passkey store: resident keys, user verification by screen lock."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "ctap2Version": "ctap2_1",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": verifies,
                "automaticPresenceSimulation": True,
            }
        },
    )


@pytest.fixture
def public_url(app, live_server):
    app.config["PUBLIC_URL"] = live_server  # the relying party is the address the phone uses
    return live_server


def signs_out_of_the_app(page) -> None:
    # Chromium's virtual authenticator answers an autofill (conditional) request at once, which
    # would sign in before the button is pressed: this test presses the button.
    page.evaluate(
        "() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; }"
    )
    page.goto(page.url.split("#")[0] + "#/settings")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("sign-out").get_by_role("button").click()
    expect(page.get_by_test_id("sign-in")).to_be_visible()


def test_a_passkey_added_in_settings_signs_in_until_the_office_revokes_it(
    phone, desktop, public_url, world
):
    engineer = FieldEngineer(phone, public_url)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    add_virtual_authenticator(phone)

    phone.goto(f"{public_url}/app/#/settings")
    card = phone.get_by_test_id("passkeys-card")
    card.locator("#passkey-name").fill("红米手机")
    card.get_by_test_id("add-passkey").click()
    expect(card.get_by_test_id("passkey")).to_have_count(1)
    expect(card.get_by_test_id("passkey")).to_contain_text("红米手机")
    passkey = Passkey.get()
    assert passkey.user_id == world["users"]["engineer"].id and passkey.revoked_at is None

    signs_out_of_the_app(phone)
    phone.get_by_test_id("passkey-sign-in").click()
    expect(phone.get_by_test_id("sign-in")).to_be_hidden()
    engineer.waits_for_sync()
    used = Passkey.get_by_id(passkey.id)
    assert used.last_used_at is not None and used.sign_count >= 1
    live = UserSession.select().where(
        (UserSession.user == world["users"]["engineer"]) & UserSession.revoked_at.is_null()
    )
    assert live.count() == 1, "signed in with a session of its own"

    office = Admin(desktop, public_url)
    office.signs_in("adm", PASSWORD)
    office.opens(f"/office/users/{world['users']['engineer'].id}")
    row = desktop.get_by_test_id("user-passkeys").get_by_role("row").filter(has_text="红米手机")
    with desktop.expect_navigation():
        row.get_by_role("button", name="Revoke").click()
    assert "Passkey revoked." in office.notices()

    signs_out_of_the_app(phone)
    phone.get_by_test_id("passkey-sign-in").click()
    expect(phone.get_by_test_id("sign-in").get_by_role("alert")).to_have_text(REVOKED_ZH)
    expect(phone.get_by_test_id("sign-in")).to_be_visible()
    assert Passkey.get_by_id(passkey.id).revoked_at is not None


def test_an_office_user_adds_a_passkey_on_the_account_page_and_the_autofill_signs_in(
    desktop, public_url, world
):
    office = Admin(desktop, public_url)
    office.signs_in("adm", PASSWORD)
    add_virtual_authenticator(desktop)
    office.opens("/office/account")
    card = desktop.get_by_test_id("passkeys-card")
    card.locator("#passkey-name").fill("Office PC")
    card.get_by_test_id("add-passkey").click()
    expect(card.locator("tr[data-testid=passkey]")).to_contain_text("Office PC")
    expect(card.get_by_role("status")).to_have_text("Passkey added. Next time, sign in with it.")

    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Sign out").click()
    # The sign-in page offers the passkey in the username field's autofill; the virtual
    # authenticator picks it at once, and the page goes on to the office.
    desktop.wait_for_url(f"{public_url}/office/")
    assert Passkey.get().last_used_at is not None


def test_a_passkey_the_phone_could_not_verify_says_so_and_adds_nothing(phone, public_url, world):
    engineer = FieldEngineer(phone, public_url)
    engineer.signs_in("eng", PASSWORD)
    engineer.opens_the_app()
    add_virtual_authenticator(phone, verifies=False)  # the screen lock check fails
    phone.goto(f"{public_url}/app/#/settings")
    card = phone.get_by_test_id("passkeys-card")
    card.get_by_test_id("add-passkey").click()
    expect(card.get_by_test_id("passkey-status")).to_have_text(
        "通行密钥请求已取消或超时。请重试，或改用密码。"
    )
    expect(card.get_by_test_id("passkey")).to_have_count(0)
    assert Passkey.select().count() == 0
