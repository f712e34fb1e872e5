"""Neighbours (docs/reliability.md): resources DevRev cannot tell apart by url and event types,
created one after the other or at once through the host's four workers, while creates fail in
ways that send the client looking for the webhook it may have made. A lookup may only ever
return the webhook this very create made: never a neighbour's (no takeover), never none when
one was made (no orphan), never two (no duplicate).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.testing import Deployment, ProviderHost, Registration, capture_program
from tests.support import closed_port_url


def program(name: str, **props: Any) -> Registration:
    def define() -> None:
        DevRevWebhook(name, **props)

    [reg] = capture_program(define)
    return reg


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 503}, {"drop": "before"}, {"drop": "after"}],
    ids=["500", "503", "drop-before", "drop-after-commit"],
)
def test_a_failed_create_never_takes_its_twins_webhook(
    host: ProviderHost, control: Any, fault: dict[str, Any]
) -> None:
    url = closed_port_url()
    a, b = Deployment(host), Deployment(host)
    a.up(program("a", url=url, event_types=["work_created"]))
    control.inject("/webhooks.create", count=1, **fault)
    b.up(program("b", url=url, event_types=["work_created"]))
    assert a.id and b.id and a.id != b.id  # B never gets A's id
    assert {w["id"] for w in control.webhooks()} == {a.id, b.id}

    b.destroy()  # deletes B's webhook, never A's
    assert [w["id"] for w in control.webhooks()] == [a.id]
    assert a.refresh().operation == "refresh"  # A is still there and in state
    assert a.id is not None


def test_forty_identical_resources_with_ten_creates_answered_503(
    host: ProviderHost, control: Any
) -> None:
    url = closed_port_url()
    regs = [program(f"same-{i}", url=url, event_types=["work_created"]) for i in range(40)]
    deployments = [Deployment(host) for _ in regs]
    # The 503s come once twenty neighbours exist: each lookup after one sees them all.
    control.inject("/webhooks.create", delay=0, count=20)
    control.inject("/webhooks.create", status=503, count=10)
    # As `pulumi up` runs them: the host's four workers, at once.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda pair: pair[0].up(pair[1]), zip(deployments, regs, strict=True)))
    ids = [d.id for d in deployments]
    assert None not in ids and len(set(ids)) == 40
    assert {w["id"] for w in control.webhooks()} == set(ids)
    answered = [r["status"] for r in control.requests("/webhooks.create")]
    assert answered.count(503) == 10 and answered.count(201) == 40


@pytest.mark.parametrize(
    "fault",
    [{"drop": "after"}, {"status": 502}, {"drop": "before"}],
    ids=["drop-after-commit", "502", "drop-before"],
)
def test_concurrent_identical_creates_through_four_workers(
    host: ProviderHost, control: Any, fault: dict[str, Any]
) -> None:
    """A lookup racing the neighbours' creates (they land while it lists) still finds only
    its own webhook."""
    url = closed_port_url()
    regs = [program(f"race-{i}", url=url, event_types=["work_created"]) for i in range(8)]
    deployments = [Deployment(host) for _ in regs]
    control.inject("/webhooks.create", count=4, **fault)
    control.inject("/webhooks.list", delay=0.3, count=4)  # slow lookups: the others land
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda pair: pair[0].up(pair[1]), zip(deployments, regs, strict=True)))
    ids = [d.id for d in deployments]
    assert None not in ids and len(set(ids)) == 8
    assert {w["id"] for w in control.webhooks()} == set(ids)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda d: d.destroy(), deployments))
    assert control.webhooks() == []
