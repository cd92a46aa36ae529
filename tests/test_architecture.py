"""The import rule (docs/architecture.md): a feature package imports from another only the
modules that package declares in `PUBLIC` (its `__init__.py`); core modules (webapp/*.py) and
`models` are open to all; the composition roots (the app factory, the CLI) wire everything."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOTS = {"__init__", "cli"}  # the app factory and the command line wire features together


def _deps():
    spec = importlib.util.spec_from_file_location("deps", ROOT / "scripts" / "deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


deps = _deps()


def _public(package: str) -> tuple[str, ...] | None:
    """The modules a package opens to others; None for core and models (open throughout)."""
    if package in ("core", "models"):
        return None
    return getattr(importlib.import_module(f"webapp.{package}"), "PUBLIC", ())


def trespasses(edges: dict[str, set[str]]) -> list[str]:
    """Each import of another package's module that it does not declare public."""
    found = []
    for module, targets in edges.items():
        if module in ROOTS:
            continue
        source = deps.package_of(module)
        for target in sorted(targets):
            package = deps.package_of(target)
            if package == source:
                continue
            public = _public(package)
            name = target.split(".", 1)[1] if "." in target else ""
            if public is not None and name.split(".")[0] not in public:
                found.append(f"{module} imports {target}, not in webapp.{package}.PUBLIC")
    return found


def test_no_feature_imports_another_features_internals():
    assert trespasses(deps.module_edges()) == []


def test_the_rule_catches_a_trespass():
    edges = {"tags.views": {"office.views", "reports.pdf", "auth.scope", "models", "errors"}}
    assert trespasses(edges) == [
        "tags.views imports office.views, not in webapp.office.PUBLIC",
        "tags.views imports reports.pdf, not in webapp.reports.PUBLIC",
    ]


@pytest.mark.parametrize(
    "package",
    sorted(
        p.name
        for p in (ROOT / "webapp").iterdir()
        if (p / "__init__.py").exists() and p.name not in ("models", "translations")
    ),
)
def test_views_are_never_public(package):
    public = _public(package)
    assert "views" not in public and all(m.endswith("views") is False for m in public)
    for name in public:
        assert deps._is_module(f"{package}.{name}"), f"webapp.{package}.{name} does not exist"
