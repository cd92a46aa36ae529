"""Notifications: subscriptions (own only, CSRF), queuing in the transaction of the change
(assigned, leave and explanation answered), the worker sending through a real local push
service that decrypts each message, the answers a push service gives (410 gone, 500 again
later), and the escalation sweep (once, however often it runs)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import Api, sign_in_as
from tests.push_receiver import PushReceiver
from webapp.auth.sessions import start_session
from webapp.faults import operations as faults
from webapp.leave import operations as leave_ops
from webapp.models import (
    AbsenceExplanation,
    Fault,
    FaultEvent,
    LeaveRequest,
    Notification,
    PushSubscription,
    User,
    utcnow,
)
from webapp.notify import escalation, outbox, worker
from webapp.notify import operations as push_ops
from webapp.records import create_record


@pytest.fixture
def receiver(app):
    app.config["PUSH_ALLOW_HTTP"] = True
    served = PushReceiver()
    yield served
    served.close()


def make_fault(site, reporter, *, minutes_ago: float = 0, number="F-2026-00001") -> Fault:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    values = {
        "number": number,
        "site": site.id,
        "description": "大屏黑屏",
        "reported_at": at.replace(microsecond=0).isoformat(),
        "reported_by": reporter.id,
    }
    return create_record(Fault, actor=None, **values, **faults.derived(Fault(**values)))


def subscribe(user, subscription: dict) -> PushSubscription:
    session, _token = start_session(user=user, address="127.0.0.1", user_agent="test")
    return push_ops.subscribe(actor=user, session=session, data=subscription)


# Subscriptions --------------------------------------------------------------------------------


def test_subscribe_list_and_end_ones_own(app, client, world, receiver):
    engineer = world["users"]["engineer"]
    api = Api(client, sign_in_as(client, engineer))
    key = api.get("/api/push/key")
    assert key.status_code == 200 and len(key.get_json()["public_key"]) == 87
    body = receiver.subscription("eng")
    made = api.post("/api/push/subscriptions", json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["this_device"] is True
    again = api.post("/api/push/subscriptions", json=body)  # the same browser: one row
    assert again.status_code == 201 and PushSubscription.select().count() == 1
    listed = api.get("/api/push/subscriptions").get_json()
    assert [s["endpoint"] for s in listed] == [body["endpoint"]]
    ended = api.send("DELETE", "/api/push/subscriptions", json={"endpoint": body["endpoint"]})
    assert ended.status_code == 204 and PushSubscription.select().count() == 0


def test_only_ones_own_subscriptions(app, world, receiver):
    engineer, other = world["users"]["engineer"], world["engineer2"]
    theirs = subscribe(other, receiver.subscription("other"))
    client = app.test_client()
    api = Api(client, sign_in_as(client, engineer))
    assert api.get("/api/push/subscriptions").get_json() == []
    gone = api.send("DELETE", "/api/push/subscriptions", json={"endpoint": theirs.endpoint})
    assert gone.status_code == 404
    assert PushSubscription.get_by_id(theirs.id).user_id == other.id


def test_subscribing_needs_the_csrf_token_and_a_sign_in(app, world, receiver):
    client = app.test_client()
    body = receiver.subscription("eng")
    assert Api(client).post("/api/push/subscriptions", json=body).status_code == 401
    sign_in_as(client, world["users"]["engineer"])
    refused = Api(client).post("/api/push/subscriptions", json=body)  # no X-CSRF-Token
    assert refused.status_code in (400, 403)
    assert PushSubscription.select().count() == 0


def test_a_subscription_is_checked(app, client, world, receiver):
    api = Api(client, sign_in_as(client, world["users"]["engineer"]))
    body = receiver.subscription("eng")
    app.config["PUSH_ALLOW_HTTP"] = False  # production: https only
    answer = api.post("/api/push/subscriptions", json=body)
    assert answer.status_code == 422 and "endpoint" in answer.get_json()["error"]["fields"]
    app.config["PUSH_ALLOW_HTTP"] = True
    bad_keys = {**body, "keys": {"p256dh": "AAAA", "auth": body["keys"]["auth"]}}
    assert api.post("/api/push/subscriptions", json=bad_keys).status_code == 422


# Queued with the change -----------------------------------------------------------------------


def test_assigning_a_fault_queues_one_notification_in_the_assignees_language(app, world):
    site = world["sites"][0]
    dispatcher, engineer = world["users"]["dispatcher"], world["users"]["engineer"]
    User.update(locale="zh_Hans").where(User.id == engineer.id).execute()
    with app.test_request_context():
        fault = make_fault(site, dispatcher)
        faults.office_step(dispatcher, fault, "assigned", {"assignee_id": str(engineer.id)})
        fault = Fault.get_by_id(fault.id)
        faults.office_step(dispatcher, fault, "closed", {})  # not an assignment: nothing
    rows = list(Notification.select())
    assert [(r.user_id, r.kind, r.url) for r in rows] == [
        (engineer.id, "fault_assigned", f"/app/#/faults/{fault.id}")
    ]
    assert rows[0].title == "故障 F-2026-00001 已指派给您" and rows[0].body == "大屏黑屏"


def test_reassigning_tells_the_new_assignee(app, world):
    site = world["sites"][0]
    dispatcher, first, second = (
        world["users"]["dispatcher"],
        world["users"]["engineer"],
        world["engineer2"],
    )
    with app.test_request_context():
        fault = make_fault(site, dispatcher)
        faults.office_step(dispatcher, fault, "assigned", {"assignee_id": str(first.id)})
        fault = Fault.get_by_id(fault.id)
        faults.office_step(dispatcher, fault, "assigned", {"assignee_id": str(second.id)})
    assert sorted(str(r.user_id) for r in Notification.select()) == sorted(
        [str(first.id), str(second.id)]
    )


def test_a_decided_leave_and_explanation_tell_their_author(app, world):
    engineer, dispatcher, site = (
        world["users"]["engineer"],
        world["users"]["dispatcher"],
        world["sites"][0],
    )
    common = {"actor": None, "engineer": engineer, "site": site}
    request = create_record(
        LeaveRequest,
        **common,
        first_day=date(2026, 12, 20),
        last_day=date(2026, 12, 21),
        kind="sick",
        filed_at="2026-12-02T10:00:00+08:00",
        notice="on_time",
    )
    explanation = create_record(
        AbsenceExplanation,
        **common,
        month="2026-11",
        text="地铁停运",
        written_at="2026-12-01T10:00:00+08:00",
    )
    with app.test_request_context():
        leave_ops.decide_leave(request, actor=dispatcher, decision="approve", note="")
        leave_ops.decide_explanation(
            explanation, actor=dispatcher, decision="return", note="补证明"
        )
    rows = {r.kind: r for r in Notification.select()}
    assert set(rows) == {"leave_decided", "explanation_decided"}
    assert rows["leave_decided"].title == "Your leave 2026-12-20 – 2026-12-21 is approved"
    assert rows["explanation_decided"].title == "Your explanation for 2026-11 was returned"
    assert rows["explanation_decided"].body == "补证明"
    assert {r.user_id for r in rows.values()} == {engineer.id}


def test_the_same_event_never_queues_twice(app, world):
    engineer = world["users"]["engineer"]
    with app.test_request_context():

        def words():
            return "t", "b"

        first = outbox.queue([engineer], key="k", kind="fault_clock", words=words, url="/app/")
        second = outbox.queue([engineer], key="k", kind="fault_clock", words=words, url="/app/")
    assert (first, second, Notification.select().count()) == (1, 0, 1)


# The worker -----------------------------------------------------------------------------------


def queued(user, key="k", title="Fault F-1 is assigned to you") -> Notification:
    return Notification.create(
        user=user.id, key=key, kind="fault_assigned", title=title, body="大屏黑屏", url="/app/"
    )


def test_the_worker_sends_and_the_phone_can_read_it(app, world, receiver):
    engineer = world["users"]["engineer"]
    subscribe(engineer, receiver.subscription("eng"))
    note = queued(engineer)
    with app.app_context():
        assert worker.send_due() == {"sent": 1}
        assert worker.send_due() == {}  # nothing due any more
    [(name, payload, headers)] = receiver.received
    assert name == "eng" and headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert payload == {
        "id": str(note.id),
        "title": "Fault F-1 is assigned to you",
        "body": "大屏黑屏",
        "url": "/app/",
        "tag": "k",
    }
    row = Notification.get_by_id(note.id)
    assert (row.state, row.attempts, row.sent_at is not None) == ("sent", 1, True)


def test_a_gone_subscription_is_removed(app, world, receiver):
    engineer = world["users"]["engineer"]
    subscribe(engineer, receiver.subscription("old", answer=410))
    note = queued(engineer)
    with app.app_context():
        assert worker.send_due() == {"gone": 1}
    assert receiver.refused == ["old"] and PushSubscription.select().count() == 0
    assert Notification.get_by_id(note.id).state == "gone"


def test_a_push_service_error_is_tried_again_later_without_resending(app, world, receiver):
    engineer = world["users"]["engineer"]
    subscribe(engineer, receiver.subscription("phone"))
    subscribe(engineer, receiver.subscription("tablet", answer=503))
    note = queued(engineer)
    with app.app_context():
        assert worker.send_due() == {"queued": 1}
    row = Notification.get_by_id(note.id)
    assert row.state == "queued" and row.attempts == 1 and row.due_at > utcnow()
    assert "503" in row.last_error and len(row.delivered) == 1
    receiver.answers["tablet"] = 201
    Notification.update(due_at=utcnow()).execute()
    with app.app_context():
        assert worker.send_due() == {"sent": 1}
    assert sorted(name for name, _p, _h in receiver.received) == ["phone", "tablet"]


def test_no_subscription_means_nowhere_to_send(app, world):
    queued(world["users"]["engineer"])
    with app.app_context():
        assert worker.send_due() == {"gone": 1}


def test_a_signed_out_device_is_not_notified(app, world, receiver):
    from webapp.models import UserSession

    engineer = world["users"]["engineer"]
    sub = subscribe(engineer, receiver.subscription("eng"))
    UserSession.update(revoked_at=utcnow()).where(UserSession.id == sub.session_id).execute()
    queued(engineer)
    with app.app_context():
        assert worker.send_due() == {"gone": 1}
    assert receiver.received == []


def test_backoff_grows_to_an_hour():
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert worker.backoff(30) == timedelta(hours=1)


# Escalation by itself -------------------------------------------------------------------------


def test_a_fault_near_its_limit_is_escalated_once_and_told(app, world, receiver):
    site = world["sites"][0]
    dispatcher, engineer = world["users"]["dispatcher"], world["users"]["engineer"]
    with app.test_request_context():
        fault = make_fault(site, dispatcher, minutes_ago=9)  # 9 of 10 minutes to respond
        faults.office_step(dispatcher, fault, "assigned", {"assignee_id": str(engineer.id)})
        fresh = make_fault(site, dispatcher, number="F-2026-00002")  # far from its limit
        assert escalation.sweep() == 1
        assert escalation.sweep() == 0  # escalated and told: nothing left to do
        # the locked pass itself, taken again (two workers that both saw work): adds nothing
        faults.escalate_by_itself(fault.id)
    steps = list(FaultEvent.select().where(FaultEvent.kind == "escalated"))
    assert len(steps) == 1 and steps[0].id == faults.escalation_id(fault.id)
    assert steps[0].by_id == faults.SYSTEM_USER_ID and steps[0].details["to"] == "dispatch"
    assert Fault.get_by_id(fault.id).escalated_to == "dispatch"
    assert Fault.get_by_id(fresh.id).escalated_to == ""
    told = Notification.select().where(Notification.kind == "fault_clock")
    assert sorted(str(n.user_id) for n in told) == sorted([str(engineer.id), str(dispatcher.id)])
    assert {n.key for n in told} == {f"clock:{fault.id}:respond:warning"}
    assert not User.get_by_id(faults.SYSTEM_USER_ID).active
    board = app.test_client()
    board.set_cookie("rounds_lang", "zh_Hans")
    sign_in_as(board, dispatcher)
    page = board.get(f"/office/faults/{fault.id}").get_data(as_text=True)
    assert "值班调度（临近时限自动升级）" in page  # the step and the fault, in the office's words
    assert 'value="dispatch"' not in page  # and never offered in the escalate form


def test_a_warned_fault_is_told_again_when_it_breaches_and_then_left_alone(app, world):
    site = world["sites"][0]
    dispatcher = world["users"]["dispatcher"]
    with app.test_request_context():
        fault = make_fault(site, dispatcher, minutes_ago=9)  # warned: 9 of 10 minutes
        responded = make_fault(site, dispatcher, minutes_ago=30, number="F-2026-00002")
        faults.office_step(dispatcher, responded, "responded", {"channel": "phone"})
        assert escalation.sweep() == 1
        later = datetime.now(UTC) + timedelta(minutes=2)  # 11 of 10: breached
        assert escalation.sweep(later) == 1
        assert escalation.sweep(later) == 0
    keys = {n.key for n in Notification.select().where(Notification.kind == "fault_clock")}
    assert keys == {f"clock:{fault.id}:respond:warning", f"clock:{fault.id}:respond:breached"}
    assert FaultEvent.select().where(FaultEvent.kind == "escalated").count() == 1


def test_breached_is_told_apart_and_a_hand_escalation_is_kept(app, world):
    site = world["sites"][0]
    dispatcher = world["users"]["dispatcher"]
    with app.test_request_context():
        fault = make_fault(site, dispatcher, minutes_ago=15)
        faults.office_step(dispatcher, fault, "escalated", {"to": "manufacturer"})
        assert escalation.sweep() == 1
    assert Fault.get_by_id(fault.id).escalated_to == "manufacturer"  # a person's choice stays
    assert FaultEvent.select().where(FaultEvent.kind == "escalated").count() == 1
    keys = {n.key for n in Notification.select().where(Notification.kind == "fault_clock")}
    assert keys == {f"clock:{fault.id}:respond:breached"}


def test_the_automatic_escalation_cannot_be_taken_by_hand(app, world):
    from webapp.errors import ApiError

    dispatcher = world["users"]["dispatcher"]
    with app.test_request_context():
        fault = make_fault(world["sites"][0], dispatcher)
        with pytest.raises(ApiError) as refused:
            faults.office_step(dispatcher, fault, "escalated", {"to": "dispatch"})
    assert refused.value.status == 422 and "to" in refused.value.fields
    assert FaultEvent.select().count() == 0


def test_without_a_chosen_language_the_words_follow_the_phone_that_subscribed(
    app, client, world, receiver
):
    dispatcher, engineer = world["users"]["dispatcher"], world["users"]["engineer"]
    assert engineer.locale is None
    client.set_cookie("rounds_lang", "zh_Hant")
    api = Api(client, sign_in_as(client, engineer))
    assert api.post("/api/push/subscriptions", json=receiver.subscription("e")).status_code == 201
    with app.test_request_context():
        fault = make_fault(world["sites"][0], dispatcher)
        faults.office_step(dispatcher, fault, "assigned", {"assignee_id": str(engineer.id)})
    assert Notification.get().title == "故障 F-2026-00001 已指派給您"


def test_an_assignment_synced_from_a_phone_queues_once_even_when_sent_twice(app, world):
    from tests.sync_client import Device

    site, dispatcher, engineer = world["sites"][0], world["users"]["dispatcher"], world["engineer2"]
    with app.test_request_context():
        fault = make_fault(site, dispatcher)
    client = app.test_client()
    office = Device(client=client, csrf=sign_in_as(client, dispatcher))
    changes = {
        "fault_id": str(fault.id),
        "kind": "assigned",
        "at": faults.server_time(),
        "assignee_id": str(engineer.id),
    }
    office.edit("fault_event", str(uuid.uuid4()), changes, "create")
    mutation = office.outbox[-1]
    assert office.push().status_code == 200
    office.push([mutation])  # the answer was lost: the same mutation again
    assert [(n.user_id, n.kind) for n in Notification.select()] == [(engineer.id, "fault_assigned")]
    # a refused step (a role that may not assign) leaves nothing queued
    other = app.test_client()
    phone = Device(client=other, csrf=sign_in_as(other, world["users"]["engineer"]))
    refused = phone.edit("fault_event", str(uuid.uuid4()), changes, "create")
    assert phone.push().status_code == 200
    assert phone.answers[refused["mutation_id"]]["error"]["code"] == "forbidden"
    assert Notification.select().count() == 1
