"""Commands an operator runs: seed-demo and create-user."""

from __future__ import annotations

from tests import factories
from webapp.models import Assignment, Client, Equipment, Location, Site, User


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
