"""Static files of the web app (the PWA's shell grows here)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"

bp = Blueprint("pwa", __name__)


@bp.route("/static/<path:filename>")
def static(filename: str):
    return send_from_directory(STATIC_DIR, filename, max_age=3600)
