"""Commands: seed-demo, create-user, demo (upgrade + seed + serve), sync, checklists, worker
(notifications and escalation), vapid-keys."""

from __future__ import annotations

import contextlib
import os

import click
from flask import Flask
from flask.cli import with_appcontext

from .db import upgrade, write_transaction
from .extensions import db


def _seed() -> list[dict]:
    from .demo import seed_demo

    with db.connection_context(), write_transaction():
        return seed_demo()


def _print_accounts(accounts: list[dict]) -> None:
    click.echo("Demo accounts (username / password, role):")
    for a in accounts:
        click.echo(f"  {a['username']:<10} / {a['password']:<12} {a['role']}  {a.get('name', '')}")


@click.command(
    "seed-demo",
    help="Create a realistic demo: two clients, sites, rooms, equipment, "
    "one user per role. Does nothing if the demo is already there.",
)
def seed_demo_command() -> None:
    _print_accounts(_seed())


@click.command("create-user", help="Create a user account.")
@click.option(
    "--role", type=click.Choice(["engineer", "client", "dispatcher", "admin"]), required=True
)
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--client", "client_name", default=None, help="For client users: the client's name.")
@click.option("--name", "display_name", default="")
def create_user_command(role, username, password, client_name, display_name) -> None:
    from marshmallow import ValidationError

    from .accounts.operations import create_user
    from .accounts.schemas import UserIn
    from .errors import ApiError
    from .models import Client

    with db.connection_context():
        client_id = None
        if client_name:
            client = Client.live().where(Client.name == client_name).first()
            if client is None:
                raise click.ClickException(f"No client named {client_name!r}.")
            client_id = str(client.id)
        try:
            data = UserIn().load(
                {
                    "username": username,
                    "password": password,
                    "role": role,
                    "client_id": client_id,
                    "display_name": display_name,
                }
            )
            with write_transaction():
                user = create_user(actor=None, data=data)
        except ValidationError as err:
            raise click.ClickException(str(err.normalized_messages())) from None
        except ApiError as err:
            raise click.ClickException(err.message) from None
    click.echo(f"Created {user.role} {user.username}.")


@click.command("demo", help="Upgrade the schema, load the demo and serve on PORT (default 5000).")
@click.option("--host", default="localhost")
def demo_command(host: str) -> None:
    from flask import current_app

    applied = upgrade()
    if applied:
        click.echo("Schema: " + ", ".join(applied))
    _print_accounts(_seed())
    port = int(os.environ.get("PORT", "5000"))
    click.echo(f"Rounds is running at http://{host}:{port}  (Ctrl+C to stop)")
    from werkzeug.serving import run_simple

    from .notify.worker import start_thread

    start_thread(current_app._get_current_object())  # notifications and escalation, in-process
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


@click.group("sync", help="Sync administration.")
def sync_cli() -> None:
    pass


@sync_cli.command(
    "new-epoch",
    help="Run after restoring a backup: devices then re-send what the restored database lost, "
    "and everyone signs in again.",
)
def new_epoch_command() -> None:
    from .auth.sessions import RESTORED, revoke_all_sessions
    from .sync.epoch import renew_epoch

    with db.connection_context(), write_transaction():
        epoch = renew_epoch()
        # The backup brought back sessions that were ended after it was taken (a lost phone).
        ended = revoke_all_sessions(reason=RESTORED)
    click.echo(f"New epoch {epoch}. Devices will re-send their recent changes at their next sync.")
    click.echo(f"Sessions ended: {ended}. Everyone signs in again; phones keep what they hold.")


@click.group("checklists", help="Checklist templates.")
def checklists_cli() -> None:
    pass


@checklists_cli.command(
    "install",
    help="Install the shipped templates (daily round, maintenance report). Running it again "
    "changes nothing unless the shipped content changed: then a new version is published.",
)
def install_checklists_command() -> None:
    from .checklists.operations import install_shipped
    from .errors import ApiError

    try:
        with db.connection_context(), write_transaction():
            done = install_shipped()
    except ApiError as err:
        raise click.ClickException(f"{err.message} {err.fields or ''}".strip()) from None
    for line in done:
        click.echo(line)


@click.command(
    "worker",
    help="Send the notification outbox by Web Push and escalate faults near their limits. "
    "Runs until stopped; several copies may run at once.",
)
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="One round (sweep, then send what is due), then stop.")
@with_appcontext
def worker_command(interval: float, once: bool) -> None:
    from .notify import worker

    if once:
        with db.connection_context():
            done = worker.run_once()
        click.echo(", ".join(f"{k}: {v}" for k, v in sorted(done.items())))
        return
    click.echo(f"Worker running (a round every {interval:g} s; Ctrl+C to stop).")
    with contextlib.suppress(KeyboardInterrupt):
        worker.run(interval)


@click.command(
    "vapid-keys",
    help="Make the Web Push (VAPID) key if there is none (VAPID_KEY_FILE or the instance folder) "
    "and print its public key.",
)
@with_appcontext
def vapid_keys_command() -> None:
    from .notify import keys

    path = keys.key_path()
    made = not path.exists()
    public = keys.public_key()
    click.echo(f"{'Made' if made else 'Using'} {path}")
    click.echo(f"Public key: {public}")


def init_app(app: Flask) -> None:
    commands = (
        seed_demo_command,
        create_user_command,
        demo_command,
        sync_cli,
        checklists_cli,
        worker_command,
        vapid_keys_command,
    )
    for command in commands:
        app.cli.add_command(command)
