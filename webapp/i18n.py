"""Three languages from the .po catalogues, compiled in memory: no compile step after install."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
LANG_COOKIE = "rounds_lang"


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def load_catalogue(locale: str):
    """Parse one .po file (cached for the life of the process)."""
    with catalogue_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


@cache
def load_translations(locale: str) -> NullTranslations:
    path = catalogue_path(locale)
    if not path.exists():
        return NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, load_catalogue(locale), use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


class PoDomain(Domain):
    """A Flask-Babel domain that reads .po files instead of compiled .mo files."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        return load_translations(str(locale))


class PoBabel(Babel):
    @property
    def domain_instance(self):
        return _DOMAIN


_DOMAIN = PoDomain()
babel = PoBabel()


def match_language(header_values: list[tuple[str, float]]) -> str | None:
    """Map Accept-Language entries, best first, onto our three catalogues."""
    for value, _quality in header_values:
        tag = value.replace("_", "-").lower()
        if tag.startswith("zh"):
            parts = tag.split("-")
            if "hans" in parts or "hant" in parts:  # the script, said outright, wins
                return "zh_Hant" if "hant" in parts else "zh_Hans"
            hant = any(region in parts for region in ("tw", "hk", "mo"))
            return "zh_Hant" if hant else "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return None


def select_locale() -> str:
    if not has_request_context():  # the CLI speaks the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return (
        match_language(list(request.accept_languages)) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def html_lang() -> str:
    """BCP 47 tag for <html lang>: zh-Hans, zh-Hant, en."""
    return str(get_locale() or "en").replace("_", "-")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["html_lang"] = html_lang
