"""A device in Python, speaking the sync protocol to the real app through a test client.

It mirrors what the PWA does (static/js/sync.js): an outbox of immutable mutations with a
per-device sequence, acknowledgement only of ids listed in a well-formed answer, pull pages
applied together with their cursor, rebase of pending edits on top of server data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Device:
    client: Any  # a Flask test client signed in as `user`
    csrf: str
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int = 0
    outbox: list[dict] = field(default_factory=list)
    acked: list[dict] = field(default_factory=list)
    answers: dict[str, dict] = field(default_factory=dict)
    records: dict[tuple[str, str], dict] = field(default_factory=dict)
    cursor: str | None = None
    epoch: str | None = None
    # Change numbers of this device's own writes the push answered with `data` (the record as
    # stored): sent with the pull, which then does not echo them back.
    held: list[int] = field(default_factory=list)
    no_echo: bool = True

    def edit(self, entity: str, record_id: str, changes: dict, op: str = "update") -> dict:
        """Queue a change made on the record as this device last saw it."""
        self.seq += 1
        base = self.records.get((entity, record_id), {}).get("version", 0)
        mutation = {
            "mutation_id": str(uuid.uuid4()),
            "client_seq": self.seq,
            "entity": entity,
            "id": record_id,
            "op": op,
            "base_version": base,
            "changes": changes,
            "client_time": "2026-11-21T08:00:00Z",
        }
        self.outbox.append(mutation)
        return mutation

    def push(self, batch: list[dict] | None = None) -> Any:
        batch = list(self.outbox if batch is None else batch)
        response = self.client.post(
            "/api/sync/push",
            json={"client_id": self.client_id, "mutations": batch},
            headers={"X-CSRF-Token": self.csrf},
        )
        self.take_answer(response)
        return response

    def take_answer(self, response) -> None:
        """Acknowledge only mutation ids listed in a well-formed JSON answer."""
        body = response.get_json(silent=True)
        if response.status_code != 200 or not isinstance(body, dict):
            return
        results = body.get("results")
        if not isinstance(results, list):
            return
        self.check_epoch(body.get("epoch"), body.get("last_seq"))
        answered = {r["mutation_id"]: r for r in results}
        for m in list(self.outbox):
            if m["mutation_id"] in answered:
                result = answered[m["mutation_id"]]
                self.answers[m["mutation_id"]] = result
                self.outbox.remove(m)
                if self.no_echo and isinstance(result.get("data"), dict):
                    self.records[(m["entity"], m["id"])] = {
                        "version": result["version"],
                        "data": result["data"],
                        "deleted": False,
                    }
                    self.held.append(result["server_seq"])
                if m not in self.acked:
                    self.acked.append(m)

    def pull_all(self, limit: int = 500) -> list[dict]:
        pages = []
        while True:
            url = f"/api/sync/pull?limit={limit}&client_id={self.client_id}"
            if self.cursor:
                url += f"&cursor={self.cursor}"
            if self.held:
                url += f"&held={held_ranges(self.held)}"
            response = self.client.get(url)
            assert response.status_code == 200, response.get_data(as_text=True)
            page = response.get_json()
            if self.check_epoch(page["epoch"], page["last_seq"]):
                continue  # the server was restored: start over from the beginning
            self.apply_page(page)
            pages.append(page)
            if page["removed_sites"] or not page["has_more"]:
                self.held = []  # passed (or a site dropped: a later fill must not skip)
            if not page["has_more"]:
                return pages

    def apply_page(self, page: dict) -> None:
        removed = set(page["removed_sites"])
        for key, record in list(self.records.items()):
            if record["data"].get("site_id") in removed or (key[0] == "site" and key[1] in removed):
                del self.records[key]
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            mine = self.records.get(key)
            if mine is not None and change["version"] < mine["version"]:
                continue  # older than the copy held
            if change.get("moved"):
                self.records.pop(key, None)  # it left the sites this device holds
            else:
                self.records[key] = {
                    "version": change["version"],
                    "data": change["data"],
                    "deleted": change["deleted"],
                }
        self.cursor = page["cursor"]
        self.epoch = page["epoch"]

    def check_epoch(self, epoch: str | None, last_seq: int | None) -> bool:
        """On a new server history: forget local copies and the cursor, and send again what
        the server may have lost (acknowledged changes above its last_seq for this device)."""
        if epoch is None or self.epoch is None or epoch == self.epoch:
            self.epoch = self.epoch or epoch
            return False
        self.epoch = epoch
        self.cursor = None
        self.held = []
        self.records.clear()
        lost = [m for m in self.acked if m["client_seq"] > (last_seq or 0)]
        pending = {m["mutation_id"] for m in self.outbox}
        self.outbox = sorted(
            [m for m in lost if m["mutation_id"] not in pending] + self.outbox,
            key=lambda m: m["client_seq"],
        )
        return True

    def view(self, entity: str, record_id: str) -> dict:
        """The record as the user sees it: server data with pending edits on top."""
        data = dict(self.records.get((entity, record_id), {}).get("data", {}))
        for m in self.outbox:
            if (m["entity"], m["id"]) == (entity, record_id):
                data.update(m["changes"])
        return data


def held_ranges(seqs: list[int]) -> str:
    """Change numbers as the pull's `held` ranges: `1001-1500,1503`."""
    parts: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if parts and seq == parts[-1][1] + 1:
            parts[-1][1] = seq
        else:
            parts.append([seq, seq])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in parts)
