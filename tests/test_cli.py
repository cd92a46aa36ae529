"""Commands an operator runs: seed-demo and create-user."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests import factories
from webapp import demo
from webapp.checklists.content import expand
from webapp.models import (
    Assignment,
    ChecklistTemplate,
    Client,
    Equipment,
    Location,
    Schedule,
    Site,
    TemplateVersion,
    User,
)
from webapp.records import create_record


def test_seed_demo_builds_a_realistic_demo_once(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for username in ("admin", "dispatcher", "engineer", "client"):
        assert username in result.output
    assert Client.live().count() == 2
    assert Site.live().count() >= 3
    assert Location.live().count() >= 6
    assert Equipment.live().count() >= 60
    assert {u.role for u in User.select()} == {"engineer", "client", "dispatcher", "admin"}
    assert Assignment.live().count() >= 2
    # Chinese names, brands and models
    assert Equipment.live().where(Equipment.name.contains("调音台")).exists()
    assert all(e.brand and e.model for e in Equipment.live())
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert Equipment.live().count() == Equipment.select().count()  # nothing added twice
    assert User.select().count() == 5


def _items_per_round(schedule: Schedule) -> int:
    """How many questions the phone asks for a round of this schedule (rounds.js devicesFor)."""
    template = schedule.template
    content = (
        TemplateVersion.select()
        .where(
            (TemplateVersion.template == template)
            & (TemplateVersion.number == template.published_version)
        )
        .get()
        .content
    )
    devices = Equipment.live().where(Equipment.site == schedule.site, Equipment.status != "retired")
    if schedule.location_id:
        devices = devices.where(Equipment.location == schedule.location_id)
    return len(expand(content, [str(d.id) for d in devices]))


def test_the_demo_walks_the_daily_round_room_by_room(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    daily = ChecklistTemplate.get(ChecklistTemplate.key == "daily-round")
    schedules = list(Schedule.live().where(Schedule.template == daily, Schedule.active))
    assert schedules and all(s.location_id for s in schedules)  # per room, never a building
    rooms_with_devices = {
        e.location_id for e in Equipment.live().where(Equipment.status != "retired")
    }
    assert {s.location_id for s in schedules} == rooms_with_devices
    sizes = sorted(_items_per_round(s) for s in schedules)
    # 2 items for the room's systems + 7 per device; the biggest room is a machine room
    assert all(n >= 9 for n in sizes) and sizes[-1] <= 2 + 7 * 25, sizes
    assert sum(sizes) - 2 * len(sizes) == 7 * len(
        Equipment.live().where(Equipment.status != "retired")
    )
    # Every browser gets its own language: no demo user has one saved (docs: Quick start).
    assert [u.username for u in User.select().where(User.locale.is_null(False))] == []

    # Seeding again adds nothing, and stops a building-wide round an older demo had.
    site = Site.live().order_by(Site.name).first()
    building = create_record(
        Schedule, actor=None, template=daily, site=site, frequency="daily", active=True
    )
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert Schedule.get_by_id(building.id).active is False
    again = Schedule.live().where(Schedule.template == daily, Schedule.active)
    assert sorted(s.id for s in again) == sorted(s.id for s in schedules)


def test_a_demo_seeded_before_eight_in_hangzhou_starts_its_schedules_that_day(runner, monkeypatch):
    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 20, 23, 30, tzinfo=UTC).astimezone(tz)  # 07:30 +08:00

    monkeypatch.setattr(demo, "datetime", Clock)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    starts = {s.starts_on for s in Schedule.live()}
    assert starts == {date(2026, 11, 21)}  # the day in Hangzhou, not the server's UTC day


def test_create_user_for_a_client(runner, app):
    runner.invoke(args=["seed-demo"])
    client = Client.live().first()
    result = runner.invoke(
        args=[
            "create-user",
            "--role",
            "client",
            "--username",
            "Zhao",
            "--password",
            "long-enough-1",
            "--client",
            client.name,
        ]
    )
    assert result.exit_code == 0, result.output
    user = User.get(User.username == "zhao")
    assert user.client_id == client.id and user.role == "client"


def test_create_user_refuses_bad_input_with_a_message(runner, app):
    short = runner.invoke(
        args=["create-user", "--role", "engineer", "--username", "li", "--password", "short"]
    )
    assert short.exit_code != 0 and "8" in short.output
    orphan = runner.invoke(
        args=[
            "create-user",
            "--role",
            "client",
            "--username",
            "zhou",
            "--password",
            "long-enough-1",
        ]
    )
    assert orphan.exit_code != 0 and "client" in orphan.output.lower()
    unknown = runner.invoke(
        args=[
            "create-user",
            "--role",
            "client",
            "--username",
            "zhou",
            "--password",
            "long-enough-1",
            "--client",
            "Nobody Ltd",
        ]
    )
    assert unknown.exit_code != 0 and "Nobody Ltd" in unknown.output
    assert not User.select().where(User.username == "zhou").exists()


def test_a_new_epoch_after_a_restore(runner, app):
    """A restored backup also brings back sessions ended since it was taken (a phone the office
    signed out): the new epoch ends every session, and everyone signs in again."""
    from webapp.auth.sessions import start_session
    from webapp.models import UserSession
    from webapp.sync.epoch import current_epoch

    start_session(user=factories.create_user("engineer", "li"), address="10.0.0.1", user_agent="")
    before = current_epoch()
    result = runner.invoke(args=["sync", "new-epoch"])
    assert result.exit_code == 0, result.output
    assert current_epoch() != before
    assert "Sessions ended: 1." in result.output
    assert [s.revoked_reason for s in UserSession.select()] == ["restored"]


def test_the_worker_runs_one_round(runner, app, world):
    from webapp.models import Notification

    Notification.create(
        user=world["users"]["engineer"].id, key="k", kind="fault_assigned", title="t", url="/app/"
    )
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "escalated: 0, gone: 1"  # nobody subscribed: nowhere to send
    assert Notification.get().state == "gone"


def test_vapid_keys_are_made_once_and_the_public_key_printed(runner, app):
    first = runner.invoke(args=["vapid-keys"])
    again = runner.invoke(args=["vapid-keys"])
    assert first.exit_code == 0 and again.exit_code == 0
    assert first.output.startswith("Made ") and again.output.startswith("Using ")
    key = first.output.split("Public key: ")[1].strip()
    assert len(key) == 87 and again.output.split("Public key: ")[1].strip() == key
