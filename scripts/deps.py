"""Print the dependency graph of webapp's packages, from the code's own import statements.

    python scripts/deps.py            # one line per package: what it imports
    python scripts/deps.py --dot      # the same graph in DOT (pipe it to a graph renderer)
    python scripts/deps.py --modules  # which module imports which, across packages

A package is a folder of webapp/ (a feature, or `models`) or one of webapp's top-level modules,
which are grouped as `core`. Only imports inside webapp count; the standard library and
third-party packages are left out.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "webapp"


def module_name(path: Path) -> str:
    """webapp/sync/pull.py -> "sync.pull"; webapp/api.py -> "api"; a package -> its name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def package_of(module: str) -> str:
    """The package a module belongs to: its first folder, or `core` for webapp's own modules."""
    first = module.split(".")[0] if module else ""
    return first if first and (ROOT / first).is_dir() else "core"


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def imports_of(path: Path) -> set[str]:
    """The webapp modules a file imports (relative names resolved, `webapp.` dropped)."""
    here = module_name(path).split(".") if module_name(path) else []
    if path.name != "__init__.py":
        here = here[:-1]  # a module's relative imports start from its package
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1] if node.level > 1 else list(here)
                target = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            elif node.module and node.module.split(".")[0] == "webapp":
                target = node.module.partition(".")[2]
            else:
                continue
            for alias in node.names:
                # `from .pkg import mod` names a module; `from .mod import name` a name in it
                inner = ".".join(p for p in (target, alias.name) if p)
                found.add(inner if _is_module(inner) else target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "webapp":
                    found.add(alias.name.partition(".")[2])
    return {name for name in found if name}


def module_edges() -> dict[str, set[str]]:
    """Every webapp module and the webapp modules it imports."""
    return {
        module_name(path) or "__init__": imports_of(path)
        for path in sorted(ROOT.rglob("*.py"))
        if "translations" not in path.parts
    }


def package_edges() -> dict[str, dict[str, int]]:
    """Each package and how many import statements point from it into each other package."""
    graph: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for module, targets in module_edges().items():
        source = package_of(module if module != "__init__" else "")
        graph[source]  # a package that imports nothing still appears
        for target in targets:
            dest = package_of(target)
            if dest != source:
                graph[source][dest] += 1
    return graph


def text(graph) -> str:
    lines = []
    for source in sorted(graph):
        targets = ", ".join(f"{t}({n})" for t, n in sorted(graph[source].items()))
        lines.append(f"{source:12} -> {targets or '-'}")
    edges = sum(len(t) for t in graph.values())
    lines.append(f"{len(graph)} packages, {edges} edges")
    return "\n".join(lines)


def dot(graph) -> str:
    lines = ["digraph webapp {", "  rankdir=LR;", "  node [shape=box];"]
    for source in sorted(graph):
        for target, count in sorted(graph[source].items()):
            lines.append(f'  "{source}" -> "{target}" [label="{count}"];')
    lines.append("}")
    return "\n".join(lines)


def cross_modules() -> str:
    lines = []
    for module, targets in sorted(module_edges().items()):
        source = package_of(module if module != "__init__" else "")
        outside = sorted(t for t in targets if package_of(t) not in (source, "core", "models"))
        if outside:
            lines.append(f"{module} -> {', '.join(outside)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print DOT instead of text")
    parser.add_argument(
        "--modules", action="store_true", help="list module imports between feature packages"
    )
    args = parser.parse_args()
    if args.modules:
        print(cross_modules())
    elif args.dot:
        print(dot(package_edges()))
    else:
        print(text(package_edges()))


if __name__ == "__main__":
    main()
