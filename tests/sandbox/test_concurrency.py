"""Concurrent requests, as the provider host sends up to four at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from pulumi_devrev.sandbox import RunningSandbox

from .helpers import closed_port_url, expect

URL = closed_port_url()


def test_concurrent_creates_and_updates_stay_consistent(
    devrev_sandbox: RunningSandbox, devrev_token: str
) -> None:
    def worker(index: int) -> list[str]:
        made = []
        with httpx.Client(
            base_url=devrev_sandbox.url, headers={"Authorization": devrev_token}, trust_env=False
        ) as api:
            for _ in range(10):
                webhook = expect(api.post("/webhooks.create", json={"url": URL}), 201)["webhook"]
                tag = ["work_created", "work_updated", "tag_created", "part_created"][index]
                change = {"id": webhook["id"], "event_types": {"add": [tag]}}
                expect(api.post("/webhooks.update", json=change), 200)
                made.append(webhook["display_id"])
        return made

    with ThreadPoolExecutor(4) as pool:
        display_ids = [d for made in pool.map(worker, range(4)) for d in made]
    assert sorted(display_ids) == sorted(f"webhook-{n}" for n in range(1, 41))
    with httpx.Client(
        base_url=devrev_sandbox.url, headers={"Authorization": devrev_token}, trust_env=False
    ) as api:
        webhooks = expect(api.get("/webhooks.list"), 200)["webhooks"]
    assert len({w["id"] for w in webhooks}) == 40
    assert all(len(w["event_types"]) == 1 for w in webhooks)
