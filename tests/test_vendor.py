"""The vendored browser code is exactly what versions.json pins (scripts/vendor.py)."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "vendor.py"


def _module():
    spec = importlib.util.spec_from_file_location("vendor_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vendor = _module()


def test_the_files_in_static_vendor_match_versions_json():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    listing = json.loads((ROOT / "static/vendor/versions.json").read_text())
    jsqr = next(p for p in listing["packages"] if p["name"] == "jsqr")
    assert jsqr["version"] == "1.4.0" and jsqr["licence"] == "Apache-2.0"
    assert jsqr["integrity"].startswith("sha512-")


def test_the_check_notices_an_altered_a_missing_and_an_unlisted_file(tmp_path):
    copy = tmp_path / "vendor"
    shutil.copytree(ROOT / "static/vendor", copy)
    assert vendor.check(copy) == []

    code = copy / "jsqr/jsQR.js"
    code.write_bytes(code.read_bytes().replace(b"jsQR", b"jsQr", 1))
    (copy / "jsqr/LICENSE").unlink()
    (copy / "jsqr/extra.js").write_text("// not pinned")

    problems = vendor.check(copy)
    assert any("jsqr/jsQR.js: sha256 differs" in p for p in problems)
    assert "jsqr/LICENSE: missing" in problems
    assert "jsqr/extra.js: not listed in versions.json" in problems
    assert vendor.main(["--check", "--dir", str(copy)]) == 1


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _registry(monkeypatch, tarball: bytes, integrity: str):
    meta = {"version": "2.0.0", "license": "MIT", "dist": {"integrity": integrity}}

    def fetch(url):
        if url.endswith(".tgz"):
            return tarball
        return json.dumps(meta).encode()

    monkeypatch.setattr(vendor, "fetch", fetch)


def _listing(directory: Path, **extra) -> None:
    entry = {"name": "demo", "version": "2.0.0", "from": "dist/demo.js", "file": "demo/demo.js"}
    (directory / "versions.json").write_text(json.dumps({"packages": [{**entry, **extra}]}))


def test_vendoring_takes_only_the_pinned_file_and_its_licence(tmp_path, monkeypatch):
    tarball = _tarball(
        {
            "package/dist/demo.js": b"self.demo = 1;",
            "package/dist/other.js": b"not wanted",
            "package/LICENSE": b"MIT licence text",
        }
    )
    _registry(monkeypatch, tarball, vendor.integrity_of(tarball))
    _listing(tmp_path)

    [entry] = vendor.vendor_all(tmp_path)

    assert (tmp_path / "demo/demo.js").read_bytes() == b"self.demo = 1;"
    assert (tmp_path / "demo/LICENSE").read_bytes() == b"MIT licence text"
    assert not (tmp_path / "demo/other.js").exists()
    assert entry["integrity"] == vendor.integrity_of(tarball)
    assert "| demo | 2.0.0 |" in (tmp_path / "LICENSES.md").read_text()
    assert vendor.check(tmp_path) == []


def test_a_tarball_that_does_not_match_the_registry_s_integrity_is_refused(tmp_path, monkeypatch):
    tarball = _tarball({"package/dist/demo.js": b"evil", "package/LICENSE": b"x"})
    genuine = _tarball({"package/dist/demo.js": b"good", "package/LICENSE": b"x"})
    _registry(monkeypatch, tarball, vendor.integrity_of(genuine))
    _listing(tmp_path)

    with pytest.raises(vendor.VendorError, match="integrity"):
        vendor.vendor_all(tmp_path)
    assert not (tmp_path / "demo/demo.js").exists()


def test_a_published_version_that_changed_since_it_was_pinned_is_refused(tmp_path, monkeypatch):
    tarball = _tarball({"package/dist/demo.js": b"new", "package/LICENSE": b"x"})
    _registry(monkeypatch, tarball, vendor.integrity_of(tarball))
    _listing(tmp_path, integrity="sha512-" + "A" * 86 + "==")

    with pytest.raises(vendor.VendorError, match="pinned"):
        vendor.vendor_all(tmp_path)
