"""Label sheet benchmark: a PDF of 500 QR tags through the office route, in seconds and bytes.

    .venv/bin/python bench/labels_bench.py [--labels N] [--rounds R] [--layout 3x8]

Prints one line on stdout; progress goes to stderr. The floor it is compared with is encoding the
same 500 QR codes alone (the `qrcode` library, error correction M, with its mask selection),
which the sheet cannot avoid; the rest is drawing, fonts and the PDF. The two sides run
interleaved for several rounds and the medians are reported. Not part of the test run.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factories  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.login import SESSION_KEY  # noqa: E402
from webapp.auth.sessions import start_session  # noqa: E402
from webapp.db import upgrade, write_transaction  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Tag  # noqa: E402
from webapp.tags import operations as tag_ops  # noqa: E402
from webapp.tags.labels import LAYOUTS, qr_matrix, tag_url  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layout", default="3x8", choices=sorted(LAYOUTS))
    args = parser.parse_args()
    logging.getLogger("fpdf").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/b.db"}
        )
        app.instance_path = tmp
        with app.app_context():
            upgrade()
            db.connect(reuse_if_open=True)
            with write_transaction():
                site = factories.create_site(factories.create_client("会议中心"), "主楼")
                rooms = [factories.create_location(site, f"{n}号机房") for n in range(1, 11)]
                for i in range(args.labels - len(rooms)):
                    factories.create_equipment(
                        site,
                        rooms[i % len(rooms)],
                        name=f"数字会议系统主机 {i + 1}号",
                        code=f"ZL-AV-{i + 1:04d}",
                    )
                tag_ops.ensure_tags(actor=None, site=site)
                user = factories.create_user("dispatcher", "bench-disp")
                _, session_token = start_session(user=user, address="127.0.0.1", user_agent="")
            urls = [tag_url("http://localhost", t.token) for t in Tag.select()]
            db.close()
        log(f"{len(urls)} tags issued; {args.rounds} rounds, layout {args.layout}")

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session[SESSION_KEY] = session_token
            session["_csrf"] = "bench"
        form = {"csrf_token": "bench", "site": str(site.id), "layout": args.layout, "all": "1"}

        wall, cpu, floor_cpu, size, pages = [], [], [], 0, 0
        for round_number in range(args.rounds + 1):  # the first round warms up
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.post("/office/tags/sheet", data=form)
            elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
            assert response.status_code == 200, response.status_code
            size = len(response.data)
            pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", response.data))
            start_cpu = time.process_time()
            for url in urls:
                qr_matrix(url)
            floor = time.process_time() - start_cpu
            log(
                f"round {round_number}: sheet {elapsed:.2f} s ({used:.2f} s CPU), "
                f"QR alone {floor:.2f} s"
            )
            if round_number:
                wall.append(elapsed)
                cpu.append(used)
                floor_cpu.append(floor)

    sheet, sheet_cpu = statistics.median(wall), statistics.median(cpu)
    floor = statistics.median(floor_cpu)
    print(
        f"label_sheet_{len(urls)}: {sheet:.2f} s ({sheet_cpu:.2f} s CPU), {size:,} bytes "
        f"({size / len(urls):,.0f} per label, {pages} A4 pages of {args.layout}); encoding the "
        f"QR codes alone takes {floor / sheet_cpu:.0%} of the CPU time"
    )


if __name__ == "__main__":
    main()
