"""Rounds: offline-first rounds, service forms and equipment registers for on-site engineers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Defaults


def _secret_key(app: Flask) -> str:
    """A key kept in the instance folder, so sessions survive restarts of a single install."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("ROUNDS_INSTANCE_PATH") or None,
        instance_relative_config=True,
        static_folder=None,
    )
    app.config.from_object(Defaults)
    app.json.ensure_ascii = False  # Chinese travels as UTF-8, a sixth smaller than \u escapes
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("ROUNDS")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    proxies = int(app.config["PROXY_COUNT"])
    if proxies > 0:
        # The client's address and scheme as the proxies saw them; any value a client put in
        # front of theirs is ignored. Host comes in the Host header (docs/deployment.md).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from . import compression, db, errors, i18n, security
    from .attachments import storage
    from .auth import csrf, login

    compression.init_app(app)  # first registered, so it runs after every other response hook
    db.init_app(app)
    i18n.init_app(app)
    login.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    storage.init_app(app)

    from .accounts.views import bp as accounts_api
    from .attachments.views import bp as attachments_api
    from .auth.views import api as auth_api
    from .auth.views import bp as auth_pages
    from .checkins.views import api as attendance_api
    from .checkins.views import bp as checkin_pages
    from .checklists.views import bp as checklist_pages
    from .faults.views import bp as fault_pages
    from .home.views import bp as home_pages
    from .inventory.transfer_views import bp as equipment_transfer
    from .inventory.views import bp as inventory_api
    from .leave.views import bp as leave_pages
    from .notify.pages import bp as notification_pages
    from .notify.views import api as push_api
    from .office.views import bp as office_pages
    from .parts.views import bp as parts_pages
    from .passkeys.pages import bp as passkey_pages
    from .passkeys.views import api as passkeys_api
    from .pwa.views import bp as pwa
    from .reports.views import bp as reports_pages
    from .sites.views import bp as sites_api
    from .sync.views import bp as sync_api
    from .tags.views import bp as tags

    for blueprint in (
        auth_pages,
        auth_api,
        accounts_api,
        passkeys_api,
        passkey_pages,
        sites_api,
        inventory_api,
        sync_api,
        attachments_api,
        home_pages,
        office_pages,
        equipment_transfer,
        tags,
        checklist_pages,
        checkin_pages,
        attendance_api,
        reports_pages,
        fault_pages,
        leave_pages,
        parts_pages,
        push_api,
        notification_pages,
        pwa,
    ):
        app.register_blueprint(blueprint)

    from .attachments import sync as attachments_sync
    from .checkins import sync as checkins_sync
    from .faults import sync as faults_sync
    from .inventory import sync as inventory_sync
    from .leave import sync as leave_sync
    from .parts import sync as parts_sync
    from .rounds import sync as rounds_sync
    from .sites import sync as sites_sync
    from .sync.registry import register
    from .tags import sync as tags_sync

    # Each feature brings its sync adapter (handlers and pull feeds); one line per feature.
    for adapter in (
        sites_sync,
        inventory_sync,
        attachments_sync,
        rounds_sync,
        faults_sync,
        leave_sync,
        checkins_sync,
        tags_sync,
        parts_sync,
    ):
        register(adapter)

    from .api import openapi_document

    @app.get("/api/openapi.json")
    def openapi():
        return jsonify(openapi_document(app))

    from .cli import init_app as init_cli

    init_cli(app)
    return app
