"""Third-party browser code, pinned: fetch it from the npm registry, or check what is on disk.

    .venv/bin/python scripts/vendor.py           # download, verify and (re)write static/vendor/
    .venv/bin/python scripts/vendor.py --check   # no network: do the files match versions.json?

static/vendor/versions.json is the one list. Each entry names a package, its exact version,
the file to take from the package tarball (`from`, relative to the tarball's `package/`), where
it goes under static/vendor (`file`) and its licence. Vendoring:

1. asks the registry for that version's metadata and its `dist.integrity` (a sha512);
2. downloads `https://registry.npmjs.org/<name>/-/<name>-<version>.tgz` and refuses it unless
   its sha512 equals that integrity, and, when versions.json already records an integrity, that
   one too (a registry that changed a published version is not followed silently);
3. reads only the named file and the package's licence from the tarball (nothing is extracted
   by path, so a crafted archive cannot write elsewhere);
4. writes them to static/vendor/<name>/, records their sha256s and the integrity in
   versions.json, and rewrites static/vendor/LICENSES.md.

`--check` recomputes the sha256s of the files on disk and fails on a difference, a missing file
or a file in static/vendor that no entry accounts for.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
VERSIONS = "versions.json"
LICENSES = "LICENSES.md"
REGISTRY = "https://registry.npmjs.org"
LICENCE_NAMES = ("license", "licence", "license.md", "licence.md", "license.txt", "licence.txt")
TIMEOUT = 60


class VendorError(Exception):
    """Something does not match; the message says what."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(vendor: Path) -> dict:
    return json.loads((vendor / VERSIONS).read_text(encoding="utf-8"))


def fetch(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise VendorError(f"refusing to fetch {url}: only the npm registry is used")
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - https only
        return response.read()


def tarball_url(name: str, version: str) -> str:
    base = name.rsplit("/", 1)[-1]  # a scoped package's tarball drops the scope
    return f"{REGISTRY}/{name}/-/{base}-{version}.tgz"


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def verify_integrity(data: bytes, expected: str) -> None:
    algorithm, _, _ = expected.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"unsupported integrity {expected!r}: only sha512 is accepted")
    actual = integrity_of(data)
    if actual != expected:
        raise VendorError(f"tarball integrity {actual} does not match {expected}")


def read_member(archive: tarfile.TarFile, path: str) -> bytes:
    try:
        member = archive.getmember(path)
    except KeyError:
        raise VendorError(f"{path} is not in the tarball") from None
    if not member.isfile():
        raise VendorError(f"{path} in the tarball is not a regular file")
    handle = archive.extractfile(member)
    assert handle is not None
    return handle.read()


def licence_member(archive: tarfile.TarFile) -> str:
    for member in archive.getmembers():
        parts = member.name.split("/")
        if len(parts) == 2 and member.isfile() and parts[1].lower() in LICENCE_NAMES:
            return member.name
    raise VendorError("the package has no licence file at its top level")


def vendor_one(entry: dict, vendor: Path) -> dict:
    """Download, verify and write one package; returns its updated entry."""
    name, version = entry["name"], entry["version"]
    meta = json.loads(fetch(f"{REGISTRY}/{name}/{version}"))
    if meta.get("version") != version:
        raise VendorError(f"the registry answered version {meta.get('version')} for {version}")
    published = meta["dist"]["integrity"]
    pinned = entry.get("integrity")
    if pinned and pinned != published:
        raise VendorError(f"{name} {version}: the registry now says {published}, pinned {pinned}")
    data = fetch(tarball_url(name, version))
    verify_integrity(data, published)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        code = read_member(archive, "package/" + entry["from"])
        licence_path = licence_member(archive)
        licence = read_member(archive, licence_path)
    target = vendor / entry["file"]
    licence_file = f"{Path(entry['file']).parent.as_posix()}/{licence_path.split('/')[-1]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(code)
    (vendor / licence_file).write_bytes(licence)
    return {
        **entry,
        "sha256": sha256(code),
        "licence": meta.get("license") or entry.get("licence"),
        "licence_file": licence_file,
        "licence_sha256": sha256(licence),
        "integrity": published,
        "tarball": tarball_url(name, version),
    }


def licenses_markdown(packages: list[dict]) -> str:
    lines = [
        "# Third-party code in static/vendor",
        "",
        "Written by `scripts/vendor.py` from `versions.json`; do not edit by hand.",
        "",
        "| Package | Version | File | Licence | Licence text |",
        "|---|---|---|---|---|",
    ]
    for p in packages:
        lines.append(
            f"| {p['name']} | {p['version']} | `{p['file']}` | {p['licence']} "
            f"| [`{p['licence_file']}`]({p['licence_file']}) |"
        )
    return "\n".join(lines) + "\n"


def vendor_all(vendor: Path = VENDOR) -> list[dict]:
    listing = load(vendor)
    packages = [vendor_one(entry, vendor) for entry in listing["packages"]]
    listing["packages"] = packages
    (vendor / VERSIONS).write_text(
        json.dumps(listing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (vendor / LICENSES).write_text(licenses_markdown(packages), encoding="utf-8")
    return packages


def check(vendor: Path = VENDOR) -> list[str]:
    """Problems with the files on disk (an empty list when they match versions.json)."""
    problems = []
    expected = {VERSIONS, LICENSES}
    for entry in load(vendor)["packages"]:
        for key, digest in (("file", "sha256"), ("licence_file", "licence_sha256")):
            rel = entry.get(key)
            if not rel or not entry.get(digest):
                problems.append(f"{entry['name']}: no {key} or {digest} recorded; run vendoring")
                continue
            expected.add(rel)
            path = vendor / rel
            if not path.is_file():
                problems.append(f"{rel}: missing")
            elif sha256(path.read_bytes()) != entry[digest]:
                problems.append(f"{rel}: sha256 differs from versions.json")
    for path in sorted(vendor.rglob("*")):
        rel = path.relative_to(vendor).as_posix()
        if path.is_file() and rel not in expected:
            problems.append(f"{rel}: not listed in versions.json")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify files on disk, no network")
    parser.add_argument("--dir", type=Path, default=VENDOR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(args.dir)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print(f"static/vendor matches {VERSIONS}")
            return 0
        for p in vendor_all(args.dir):
            print(f"{p['name']} {p['version']}: {p['file']} sha256 {p['sha256']}")
        return 0
    except VendorError as error:
        print(f"vendor: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
