"""How long the round report PDF takes for a large round, and how big it is.

Builds a temporary app with a 60-item maintenance report: 5 host items, a section of 5 items
repeated for 10 devices, 5 closing items, every item answered, 6 abnormal, 10 photos of
1600x1200 (noise over gradients, as hard to compress as real photos), a signature and a seal.
Then renders the report (view model + PDF, as GET /api/rounds/<id>/report.pdf does) 5 times
after a warm-up and prints one line: the median seconds, the PDF's size and pages, and the
PDF's size as a share of the photos it shows. `--save PATH` keeps the PDF.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from tests import factories  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.attachments import storage  # noqa: E402
from webapp.db import upgrade  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import (  # noqa: E402
    Answer,
    Attachment,
    ChecklistTemplate,
    Round,
    TemplateVersion,
    utcnow,
)
from webapp.records import create_record  # noqa: E402
from webapp.reports import operations  # noqa: E402

DEVICES = 10
PHOTOS = 10
RUNS = 5


def t(zh: str, en: str) -> dict:
    return {"zh_Hans": zh, "zh_Hant": zh, "en": en}


def item(key: str, n: int) -> dict:
    """Items of every kind in turn, as the paper form mixes them."""
    label = t(f"第{n}项：检查设备外观、接口与运行状态是否正常", f"Item {n}: casing, ports, running")
    kind = ("check", "count_pair", "measurement", "choice", "check")[n % 5]
    base = {"key": key, "kind": kind, "label": label}
    if kind == "check":
        return {**base, "sense": "look", "abnormal_requires": ["note", "photo"]}
    if kind == "count_pair":
        counts = [{"key": "checked", "label": t("已检查", "Checked")}]
        counts.append({"key": "handled", "label": t("已处理", "Handled")})
        return {**base, "counts": counts}
    if kind == "measurement":
        return {**base, "unit": "V", "nominal": 220, "tolerance": 1}
    options = [{"key": "ok", "label": t("正常", "OK")}, {"key": "bad", "label": t("异常", "Bad")}]
    return {**base, "options": options, "abnormal_options": ["bad"]}


def content() -> dict:
    def section(key, title, count, **extra):
        return {
            "key": key,
            "title": t(title, key),
            "items": [item(f"{key}.{i}", i) for i in range(1, count + 1)],
            **extra,
        }

    return {
        "title": t("视频、音频、控制系统维护工作报告", "Maintenance report"),
        "form": "maintenance_report",
        "sections": [
            section("host", "主机/服务器", 5),
            section("terminal", "终端", 5, repeat="equipment"),
            section("closing", "收尾", 5),
        ],
    }


def photo(seed: int) -> bytes:
    """A 1600x1200 JPEG: sensor-like noise over colour gradients."""
    size = (1600, 1200)
    ramp = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40 + seed)
    red = Image.blend(ramp, noise, 0.35)
    green = Image.blend(ramp.rotate(90).resize(size), noise, 0.25)
    blue = Image.blend(ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.3)
    out = io.BytesIO()
    Image.merge("RGB", (red, green, blue)).save(out, "JPEG", quality=88)
    return out.getvalue()


def signature() -> bytes:
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(20, 150), (200, 40), (380, 160), (580, 30)], fill="black", width=6)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def store(round_, kind: str, data: bytes, mime: str) -> str:
    row = create_record(
        Attachment,
        actor=None,
        owner_entity="round",
        owner_id=str(round_.id),
        site=round_.site,
        kind=kind,
        mime=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        received=len(data),
        status="complete",
    )
    storage.current().put(str(row.id), data)
    return str(row.id)


def build_round() -> tuple[Round, int]:
    """The round and the bytes of its photos."""
    site = factories.create_site(factories.create_client("会议中心"), "主楼")
    room = factories.create_location(site, "音控机房")
    engineer = factories.create_user("engineer", "eng")
    devices = [
        factories.create_equipment(site, room, name=f"投影机 {n}", code=f"P-{n:02d}")
        for n in range(1, DEVICES + 1)
    ]
    body = content()
    template = create_record(
        ChecklistTemplate, actor=None, key="bench", form="maintenance_report", title=body["title"]
    )
    version = create_record(
        TemplateVersion, actor=None, template=template, number=1, content=body, status="published"
    )
    started = "2026-11-21T09:00:00.000+08:00"
    round_ = create_record(
        Round,
        actor=None,
        number="R-2026-00042",
        template_version=version,
        site=site,
        location=room,
        equipment_ids=[str(d.id) for d in devices],
        engineer=engineer,
        period="2026-11-21",
        started_at=started,
        status="sealed",
    )
    photos = [photo(n) for n in range(PHOTOS)]
    photo_ids = [store(round_, "photo", data, "image/jpeg") for data in photos]
    from webapp.checklists.content import expand

    entries = expand(body, round_.equipment_ids)
    assert len(entries) == 60, len(entries)
    abnormal = set(range(3, 60, 10))  # 6 abnormal checks, each with a note and photos
    for n, entry in enumerate(entries):
        kind = entry["item"]["kind"]
        value, status, note, pics = None, "normal", "", []
        if kind == "count_pair":
            value = {"checked": 4, "handled": 1}
        elif kind == "measurement":
            value = {"reading": 219.6}
        elif kind == "choice":
            value = "ok"
        if n in abnormal and kind == "check":
            status, note = "abnormal", "画面偏色，接口松动，已重新插紧并联系厂家更换线缆。"
        if status == "abnormal" or n == 59:
            pics = photo_ids[len(abnormal & set(range(n))) * 2 % PHOTOS :][:2]
        create_record(
            Answer,
            actor=None,
            round=round_,
            site=site,
            item_key=entry["key"],
            equipment=uuid.UUID(entry["equipment_id"]) if entry["equipment_id"] else None,
            status=status,
            value=value,
            note=note,
            photos=pics,
            answered_at=started,
        )
    Round.update(
        summary="全部设备已检查。" * 20,
        responsible="张工",
        submitted_at="2026-11-21T11:30:00.000+08:00",
        acceptance={
            "accepted": True,
            "handover": "none",
            "satisfaction": "satisfied",
            "reasons": [],
            "comments": "响应及时",
            "signer": "王经理",
            "signed_at": "2026-11-21T11:42:07.123+08:00",
        },
        signature_id=uuid.UUID(store(round_, "signature", signature(), "image/png")),
        seal_hash=hashlib.sha256(b"bench").hexdigest(),
        sealed_at=utcnow(),
    ).where(Round.id == round_.id).execute()
    return Round.get_by_id(round_.id), sum(len(p) for p in photos)


def pages_of(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write the PDF here")
    parser.add_argument("--locale", default="zh_Hans", choices=("zh_Hans", "zh_Hant", "en"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        app = create_app(
            {
                "SECRET_KEY": "bench-secret",
                "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
                "ATTACHMENTS_DIR": str(directory / "attachments"),
            }
        )
        app.instance_path = str(directory / "instance")
        with app.app_context():
            upgrade()
        db.connect(reuse_if_open=True)
        with app.test_request_context():
            round_, photo_bytes = build_round()
            operations.report_pdf(round_, locale=args.locale)  # warm-up: imports, font caches
            times, data = [], b""
            for _ in range(RUNS):
                start = time.perf_counter()
                data = operations.report_pdf(round_, locale=args.locale)
                times.append(time.perf_counter() - start)
        db.close()
    if args.save:
        args.save.write_bytes(data)
    print(
        f"report_pdf_60_items_{PHOTOS}_photos: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {RUNS} runs), {len(data):,} bytes, "
        f"{pages_of(data)} pages, {len(data) / photo_bytes:.1%} of the photos' "
        f"{photo_bytes:,} bytes"
    )


if __name__ == "__main__":
    main()
