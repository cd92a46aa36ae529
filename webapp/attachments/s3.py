"""Attachment bytes in S3-compatible object storage (AWS S3, MinIO, Ceph, ...), for several app
servers. Needs the `s3` extra (boto3); credentials come from boto3's usual places (the
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment, a profile, an instance role).

Layout in the bucket, under `S3_PREFIX`:
- `uploads/<id>/<offset, 12 digits>`: one object per piece of an upload in progress. S3 cannot
  append, and a multipart upload's parts must be 5 MB or more except the last, while devices
  send pieces of at most 2 MB, each of which may land on another app server. So each piece is
  an object of its own, and its name sorts by offset.
- `attachments/<id>`: the final file. The last piece makes `finish` read the pieces in order,
  hashing them, and write them as one object (one PUT up to PART_SIZE, a multipart upload of
  PART_SIZE parts above it, so memory stays bounded). The file is created only if the SHA-256
  matches; the pieces are deleted either way. A lifecycle rule that expires `uploads/` after a
  week removes uploads a device abandoned.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, BinaryIO

from .storage import Missing, Storage, Unavailable

PART_SIZE = 8 * 2**20  # above S3's 5 MiB minimum; what a finishing request holds in memory
OFFSET_DIGITS = 12

# One boto3 session per process: making a client reads S3's service description (about a
# second), which a session reads once. Sessions are not thread-safe, so clients are made under
# a lock; the clients themselves are.
_session = None
_session_lock = threading.Lock()


def _client(**settings: Any) -> Any:
    global _session
    import boto3

    with _session_lock:
        if _session is None:
            _session = boto3.session.Session()
        return _session.client("s3", **settings)


def check_config(config: Mapping[str, Any]) -> None:
    """Fail at start-up, not at the first upload, when S3 cannot be used as configured."""
    if not config.get("S3_BUCKET"):
        raise RuntimeError("ROUNDS_STORAGE=s3 needs ROUNDS_S3_BUCKET.")
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise RuntimeError(
            'ROUNDS_STORAGE=s3 needs boto3: pip install -e ".[s3]" (see docs/deployment.md).'
        ) from None


class S3Storage(Storage):
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        from botocore.exceptions import BotoCoreError, ClientError

        self._failures = (BotoCoreError, ClientError)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Storage:
        check_config(config)
        from botocore.config import Config

        endpoint = config.get("S3_ENDPOINT_URL") or None
        settings = Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            # S3-compatible servers accept path-style addresses; many lack wildcard DNS.
            s3={"addressing_style": "path" if endpoint else "auto"},
            # The SHA-256 checked at the end covers every byte; older S3-compatible servers
            # refuse the checksums newer clients add by default.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = _client(
            endpoint_url=endpoint,
            region_name=config.get("S3_REGION") or None,
            config=settings,
        )
        return cls(client, config["S3_BUCKET"], config.get("S3_PREFIX") or "")

    # --- keys -------------------------------------------------------------------------------

    def _final(self, key: str) -> str:
        return f"{self.prefix}attachments/{key}"

    def _pieces_prefix(self, key: str) -> str:
        return f"{self.prefix}uploads/{key}/"

    def _piece(self, key: str, offset: int) -> str:
        return f"{self._pieces_prefix(key)}{offset:0{OFFSET_DIGITS}d}"

    def _pieces(self, key: str) -> list[tuple[int, int, str]]:
        """(offset, size, object key) of every piece kept, by offset."""
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._pieces_prefix(key)
        )
        for page in pages:
            for item in page.get("Contents", []):
                offset = int(item["Key"].rsplit("/", 1)[1])
                found.append((offset, item["Size"], item["Key"]))
        return sorted(found)

    def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # DeleteObjects takes 1,000 keys a request
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    # --- the interface ----------------------------------------------------------------------

    def held(self, key: str) -> int:
        with self._reaching():
            return _contiguous(self._pieces(key))

    def write(self, key: str, offset: int, data: bytes) -> None:
        with self._reaching():
            stale = []
            for start, size, name in self._pieces(key):
                if start >= offset:
                    stale.append(name)
                elif start + size > offset:  # a piece running past the offset: keep its head
                    head = self._get(name, f"bytes=0-{offset - start - 1}")
                    self.client.put_object(Bucket=self.bucket, Key=name, Body=head)
            self._delete([n for n in stale if n != self._piece(key, offset)])
            self.client.put_object(Bucket=self.bucket, Key=self._piece(key, offset), Body=data)

    def finish(self, key: str, sha256: str, size: int) -> bool:
        with self._reaching():
            pieces = self._pieces(key)
            # Pieces stay if this raises (the device sends the last piece again); an answer,
            # yes or no, leaves none.
            matched = _contiguous(pieces) >= size and self._assemble(key, pieces, sha256, size)
            self._delete([name for _start, _size, name in pieces])
            return matched

    def discard(self, key: str) -> None:
        with self._reaching():
            self._delete([name for _start, _size, name in self._pieces(key)])

    def open(self, key: str) -> BinaryIO:
        with self._reaching():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._final(key))
            except self.client.exceptions.NoSuchKey:
                raise Missing(key) from None
        return answer["Body"]

    def put(self, key: str, data: bytes) -> None:
        with self._reaching():
            self.client.put_object(Bucket=self.bucket, Key=self._final(key), Body=data)

    # --- helpers ----------------------------------------------------------------------------

    def _get(self, name: str, byte_range: str | None = None) -> bytes:
        extra = {"Range": byte_range} if byte_range else {}
        body = self.client.get_object(Bucket=self.bucket, Key=name, **extra)["Body"]
        with body:
            return body.read()

    def _read_upto(self, pieces: list[tuple[int, int, str]], size: int) -> Iterator[bytes]:
        """The first `size` bytes of the pieces, piece by piece."""
        position = 0
        for start, length, name in pieces:
            if position >= size:
                return
            if start > position or start + length <= position:
                continue
            data = self._get(name)[position - start :]
            data = data[: size - position]
            position += len(data)
            yield data

    def _assemble(self, key: str, pieces, sha256: str, size: int) -> bool:
        """Hash the pieces while writing them as one object; keep the object only on a match."""
        digest = hashlib.sha256()
        final = self._final(key)
        if size <= PART_SIZE:
            buffer = bytearray()
            for data in self._read_upto(pieces, size):
                digest.update(data)
                buffer += data
            if digest.hexdigest() != sha256:
                return False
            self.client.put_object(Bucket=self.bucket, Key=final, Body=bytes(buffer))
            return True
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=final)["UploadId"]
        try:
            parts: list[dict[str, Any]] = []
            buffer = bytearray()
            for data in self._read_upto(pieces, size):
                digest.update(data)
                buffer += data
                while len(buffer) >= PART_SIZE:
                    parts.append(self._upload_part(final, upload, len(parts) + 1, buffer))
                    del buffer[:PART_SIZE]
            if buffer:
                parts.append(self._upload_part(final, upload, len(parts) + 1, buffer))
            if digest.hexdigest() != sha256:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=final, UploadId=upload)
                return False
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=final,
                UploadId=upload,
                MultipartUpload={"Parts": parts},
            )
            return True
        except BaseException:
            with suppress(*self._failures):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=final, UploadId=upload)
            raise

    def _upload_part(self, final: str, upload: str, number: int, buffer: bytearray) -> dict:
        answer = self.client.upload_part(
            Bucket=self.bucket,
            Key=final,
            UploadId=upload,
            PartNumber=number,
            Body=bytes(buffer[:PART_SIZE]),
        )
        return {"PartNumber": number, "ETag": answer["ETag"]}

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Turn the client's errors into Unavailable (Missing passes through)."""
        try:
            yield
        except self._failures as error:
            raise Unavailable(str(error)) from error


def _contiguous(pieces: list[tuple[int, int, str]]) -> int:
    """How far the pieces reach from byte 0 without a gap."""
    reach = 0
    for start, size, _name in pieces:
        if start > reach:
            break
        reach = max(reach, start + size)
    return reach
