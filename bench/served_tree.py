"""Serve the demo from a tree of the app's code (this checkout, or another one such as a `git
archive` of main) in a process of its own, so that two versions of the app can be measured side
by side by one bench in one run.

    with served(Path("/tmp/main-tree")) as base:   # "http://127.0.0.1:<port>"
        ...

The child puts the tree first on its import path, builds the app on a fresh temporary SQLite
file (migrated, the demo seeded), serves it with werkzeug's threaded server on 127.0.0.1 and
stops when its standard input closes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def served(tree: Path = ROOT):
    child = subprocess.Popen(  # noqa: S603 - this interpreter on this file, a path we were given
        [sys.executable, __file__, str(Path(tree).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError(f"the app of {tree} did not start")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def _serve(tree: str) -> None:
    sys.path.insert(0, tree)
    import logging

    from werkzeug.serving import make_server

    from webapp import create_app
    from webapp.db import upgrade, write_transaction
    from webapp.demo import seed_demo

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench-secret",
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
            }
        )
        app.instance_path = f"{tmp}/instance"
        with app.app_context():
            upgrade()
            with write_transaction():
                seed_demo()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"port {server.server_port}", flush=True)
        sys.stdin.read()  # until the parent closes it
        server.shutdown()


if __name__ == "__main__":
    _serve(sys.argv[1])
