"""A client user's 报修 with a photo: announced and uploaded like any file, allowed only on a
fault they reported; shown on the fault's page in the office and printed in the case report."""

from __future__ import annotations

import hashlib
import io
import subprocess
import uuid

import pytest
from PIL import Image

from tests.conftest import sign_in_as
from tests.sync_client import Device
from tests.test_attachments import announce, put
from webapp.models import Attachment

pytestmark = pytest.mark.usefixtures("any_storage")


def phone_of(app, user) -> Device:
    client = app.test_client()
    client.set_cookie("rounds_lang", "en")
    return Device(client=client, csrf=sign_in_as(client, user))


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def report(phone: Device, site_id, description="话筒没声音") -> str:
    fault_id = str(uuid.uuid4())
    phone.edit(
        "fault",
        fault_id,
        {
            "site_id": str(site_id),
            "description": description,
            "reported_at": "2026-12-02T09:00:00+08:00",
        },
        op="create",
    )
    assert phone.push().get_json()["results"][0]["status"] == "applied"
    return fault_id


def test_a_client_user_sends_a_photo_with_their_report_and_the_office_sees_it(app, world, tmp_path):
    client_phone = phone_of(app, world["users"]["client"])
    fault_id = report(client_phone, world["sites"][0].id)
    data = photo()
    attachment_id, result = announce(
        client_phone, world, data, owner_entity="fault", owner_id=fault_id
    )
    assert result["status"] == "applied", result
    done = put(client_phone, attachment_id, data, 0, len(data))
    assert done.status_code == 200 and done.get_json()["status"] == "complete"

    office = phone_of(app, world["users"]["dispatcher"])
    page = office.client.get(f"/office/faults/{fault_id}").get_data(as_text=True)
    assert f"/api/attachments/{attachment_id}/content" in page
    pdf = office.client.get(f"/api/faults/{fault_id}/report.pdf")
    assert pdf.status_code == 200
    path = tmp_path / "case.pdf"
    path.write_bytes(pdf.data)
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) == 3  # two heading lines, one image
    assert (
        "Photos"
        in subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    )


def test_a_client_user_adds_no_photo_to_a_fault_someone_else_reported(app, world):
    engineer_phone = phone_of(app, world["users"]["engineer"])
    theirs = report(engineer_phone, world["sites"][0].id, "投影无信号")
    client_phone = phone_of(app, world["users"]["client"])
    data = photo()
    _id, result = announce(client_phone, world, data, owner_entity="fault", owner_id=theirs)
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"
    assert "only to faults they reported" in result["error"]["message"]
    _id, result = announce(client_phone, world, data)  # the register's equipment: no
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"
    mine = report(client_phone, world["sites"][0].id)
    _id, result = announce(
        client_phone, world, data, owner_entity="fault", owner_id=mine, kind="document"
    )
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"
    assert not Attachment.select().where(Attachment.uploaded_by == world["users"]["client"]).count()


def test_a_client_user_sends_no_bytes_of_a_file_someone_else_added(app, world):
    engineer_phone = phone_of(app, world["users"]["engineer"])
    data = photo()
    attachment_id, result = announce(engineer_phone, world, data)
    assert result["status"] == "applied"
    client_phone = phone_of(app, world["users"]["client"])
    refused = put(client_phone, attachment_id, b"\0" * len(data), 0, len(data))
    assert refused.status_code == 403
    assert Attachment.get_by_id(attachment_id).received == 0
    assert hashlib.sha256(data).hexdigest() == Attachment.get_by_id(attachment_id).sha256
