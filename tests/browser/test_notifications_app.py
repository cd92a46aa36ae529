"""Notifications in a real Chromium: Settings asks for permission only when the person taps
"Notify me on this phone", never on load; the service worker shows a push the server made (in
the person's language) when one is delivered to it through the DevTools protocol
(`ServiceWorker.deliverPushMessage`, what a push service's message becomes inside the browser);
and a tap on it opens the fault's screen in the app already open.

What headless Chromium cannot do here: reach a real push service (it has no network), so the
subscription itself is made against the browser's push service only on a real phone. The
server's side of the subscription is covered by tests/test_notifications.py (API, encryption,
a local push service that decrypts) and tests/concurrency/test_notify_workers.py.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from webapp.faults import operations as faults
from webapp.models import Fault, Notification, User
from webapp.notify import worker

from .app_pages import FieldEngineer

pytestmark = pytest.mark.browser

# Counts the page's calls to the permission prompt; installed before any of the app's scripts.
COUNT_ASKS = """
window.__asked = 0;
if (window.Notification) {
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__asked += 1; return ask(...args); };
}
"""


@pytest.fixture
def engineer(phone, live_server, world):
    phone.context.add_init_script(COUNT_ASKS)
    person = FieldEngineer(phone, live_server)
    person.signs_in("eng", PASSWORD)
    person.opens_the_app()
    return person


def opens_settings(engineer: FieldEngineer) -> None:
    page = engineer.page
    page.goto(f"{engineer.base_url}/app/#/settings")
    engineer.waits_for_sync()
    expect(page.get_by_test_id("notify-status")).not_to_be_empty()


def test_settings_asks_for_notifications_only_on_a_tap(engineer):
    page = engineer.page
    opens_settings(engineer)
    assert page.evaluate("() => Notification.permission") == "default"
    expect(page.get_by_test_id("notify-status")).to_have_text("这部手机未开启通知。")
    page.reload()  # loading the app again asks nothing either
    opens_settings(engineer)
    assert page.evaluate("() => window.__asked") == 0

    page.get_by_test_id("notify-on").click()  # headless Chromium answers the prompt: denied
    page.wait_for_function("() => window.__asked === 1")
    expect(page.get_by_test_id("notify-status")).to_have_text(
        "此应用的通知已被屏蔽。请在浏览器的网站设置中允许通知，然后重试。"
    )


def test_with_permission_a_failed_subscription_is_said_in_the_users_words(engineer):
    """Allowed, the browser then asks its push service, which headless Chromium cannot reach:
    the person is told, nothing is kept on the server."""
    page = engineer.page
    page.context.grant_permissions(["notifications"], origin=engineer.base_url)
    opens_settings(engineer)
    page.get_by_test_id("notify-on").click()
    page.wait_for_function("() => window.__asked === 1")
    status = page.get_by_test_id("notify-status")
    expect(status).to_have_text("此浏览器无法连接其推送服务。请联网后重试。")
    expect(page.get_by_test_id("notify-on")).to_be_visible()


def _registration_id(cdp, scope: str) -> str:
    found: dict[str, str] = {}

    def note(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", note)
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if "id" in found:
            return found["id"]
        cdp.send("ServiceWorker.enable")  # the events arrive with the answers
    raise AssertionError("no service worker registration for " + scope)


def test_a_push_is_shown_and_a_tap_opens_the_faults_screen(engineer, app, world):
    page, base = engineer.page, engineer.base_url
    page.context.grant_permissions(["notifications"], origin=base)
    dispatcher, person = world["users"]["dispatcher"], world["users"]["engineer"]
    User.update(locale="zh_Hans").where(User.id == person.id).execute()
    with app.test_request_context():
        values = {
            "number": "F-2026-00007",
            "site": world["sites"][0].id,
            "description": "大屏黑屏",
            "reported_at": faults.server_time(),
            "reported_by": dispatcher.id,
        }
        from webapp.records import create_record

        fault = create_record(Fault, actor=None, **values, **faults.derived(Fault(**values)))
        faults.office_step(dispatcher, fault, "assigned", {"assignee_id": str(person.id)})
    page.reload()  # the phone syncs the fault it is now assigned
    engineer.waits_for_sync()
    notification = Notification.get()
    sent = worker.payload(notification).decode()  # the bytes the worker encrypts and sends

    cdp = page.context.new_cdp_session(page)
    registration = _registration_id(cdp, f"{base}/")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base, "registrationId": registration, "data": sent},
    )
    shown = []
    for _ in range(100):  # the worker shows it in its own time: ask until it is there
        shown = page.evaluate(
            "() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list =>"
            " list.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"
        )
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [
        {
            "title": "故障 F-2026-00007 已指派给您",
            "body": "大屏黑屏",
            "tag": notification.key,
            "data": {"url": f"{base}/app/#/faults/{fault.id}", "id": str(notification.id)},
        }
    ]
    assert json.loads(sent)["url"] == f"/app/#/faults/{fault.id}"

    # The tap: notificationclick's work (a real click on a system notification cannot be made
    # headless), run in the service worker on the notification it showed.
    [service_worker] = page.context.service_workers
    service_worker.evaluate("() => self.registration.getNotifications().then(([n]) => openFrom(n))")
    page.wait_for_function(f"() => location.hash === '#/faults/{fault.id}'")
    expect(page.get_by_text("F-2026-00007").first).to_be_visible()

    # A link that does not lead into the app opens the app's first page, nothing else.
    assert (
        service_worker.evaluate("() => appLink('https://elsewhere.example/#/x')") == f"{base}/app/"
    )
