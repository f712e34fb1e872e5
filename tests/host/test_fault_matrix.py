"""The fault matrix of docs/reliability.md: every operation x every fault, through the SDK's
provider host against the sandbox's fault injection.

Each cell deploys what the operation needs (fault-free), queues the fault on the DevRev calls
that belong to the operation, runs the command, then checks:

- the outcome: success within a bound, or one line naming the operation, the webhook and the
  cause (and, for a create, how to avoid a second webhook);
- afterwards (a second command after a failed one, once DevRev has recovered): exactly the
  right webhooks at the sandbox (no duplicate, no orphan), the bystander untouched (no
  takeover: a webhook made by hand with the same url and event types is there in every cell),
  and state pointing at the webhook that holds what the program asks for.

The provider host here has a short deadline and read timeout (``devrev:operationTimeout``,
``devrev:readTimeout``) so that "slower than the read timeout" and "slower than the deadline"
take seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.testing import (
    Deployment,
    ProviderError,
    ProviderHost,
    Registration,
    StepResult,
    capture_program,
)
from tests.support import TOKEN, Served, closed_port_url, wait_until

DEADLINE = 3.0
READ = 0.3
# Lands while the client still looks for it: after the read timeout (0.3 s), well before the
# end of the settle window (0.3 + (3 - 0.3) / 2 = 1.65 s).
SLOW_READ_DELAY = 0.8
# Lands after the operation gave up.
SLOW_DEADLINE_DELAY = DEADLINE + 0.5
PERSISTING = 50  # more attempts than any deadline allows

FAULTS: dict[str, dict[str, Any]] = {
    "429+Retry-After": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "502": {"status": 502},
    "503": {"status": 503},
    "504": {"status": 504},
    "drop-before": {"drop": "before"},
    "drop-after-commit": {"drop": "after"},
    "slower-than-read-timeout": {"delay": SLOW_READ_DELAY},
    "slower-than-deadline": {"delay": SLOW_DEADLINE_DELAY, "count": PERSISTING},
    "beyond-retry-budget": {"status": 503, "count": PERSISTING},
}

# The DevRev calls each operation makes besides those other operations already cover: the
# fault is queued on each of them (a create's own call is the `create` row).
PATHS: dict[str, tuple[str, ...]] = {
    "create": ("/webhooks.create",),
    "create-inactive": ("/webhooks.update",),  # the deactivate after the create
    "create-wait": ("/webhooks.get",),  # the verification polls
    "update": ("/webhooks.update",),
    "refresh": ("/webhooks.get",),
    "delete": ("/webhooks.delete",),
    "adopt": ("/webhooks.get", "/webhooks.update"),
}

# Cells whose command fails (DevRev never recovers within the deadline). A create whose
# follow-up fails does not: the webhook is recorded as it is, with a warning.
LASTING = {"slower-than-deadline", "beyond-retry-budget"}
FAILING_OPS = {"create", "update", "refresh", "delete", "adopt"}

OP_NAME = {
    "create": "webhooks.create",
    "update": "webhooks.update",
    "refresh": "webhooks.get",
    "delete": "webhooks.delete",
    "adopt": "webhooks.get",  # the read before the update
}


def program(name: str = "hook", **props: Any) -> Registration:
    def define() -> None:
        DevRevWebhook(name, **props)

    [reg] = capture_program(define)
    return reg


@pytest.fixture(scope="module")
def fast_host(sandbox: Any) -> Iterator[ProviderHost]:
    """A provider host with a 3 s deadline and a 0.3 s read timeout."""
    with ProviderHost() as started:
        started.configure(
            {
                "devrev:token": TOKEN,
                "devrev:apiUrl": sandbox.url,
                "devrev:operationTimeout": str(DEADLINE),
                "devrev:readTimeout": str(READ),
            }
        )
        yield started


def by_hand(sandbox: Any, url: str, event_types: list[str]) -> str:
    """A webhook made outside the stack, with no secret (DevRev makes one): its id."""
    response = httpx.post(
        f"{sandbox.url}/webhooks.create",
        json={"url": url, "event_types": event_types},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 201, response.text
    webhook_id: str = response.json()["webhook"]["id"]
    return webhook_id


def settled(control: Any) -> None:
    """Wait until the sandbox has finished every request (a slow one lands after the client
    gave up), so what it holds is final."""
    assert wait_until(
        lambda: all(r["status"] is not None for r in control.requests()),
        timeout=SLOW_DEADLINE_DELAY + 5,
    ), control.requests()


@dataclass
class Cell:
    op: str
    host: ProviderHost
    control: Any
    sandbox: Any
    receiver: Served
    deployment: Deployment = field(init=False)
    url: str = field(init=False)
    bystander: str = field(init=False)
    target: str | None = None  # adopt: the webhook to adopt
    wanted: Registration | None = None

    def __post_init__(self) -> None:
        self.deployment = Deployment(self.host)
        self.url = self.receiver.url if self.op == "create-wait" else closed_port_url()
        self.bystander = by_hand(self.sandbox, self.url, ["work_created"])

    def prepare(self) -> None:
        base = program(url=self.url, event_types=["work_created"])
        if self.op in {"update", "refresh", "delete"}:
            self.deployment.up(base)
        if self.op == "adopt":
            self.target = by_hand(self.sandbox, self.url, ["work_created"])
        self.wanted = {
            "create": base,
            "create-inactive": program(url=self.url, event_types=["work_created"], active=False),
            "create-wait": program(
                url=self.url,
                event_types=["work_created"],
                wait_for_active=True,
                verification_timeout=10,
            ),
            "update": program(
                url=self.url, event_types=["work_created", "work_updated"], headers={"X-T": "a"}
            ),
            "refresh": base,
            "delete": base,
            "adopt": program(
                url=self.url, event_types=["work_created", "work_updated"], adopt_id=self.target
            ),
        }[self.op]

    def act(self) -> StepResult:
        assert self.wanted is not None
        if self.op == "refresh":
            return self.deployment.refresh()
        if self.op == "delete":
            return self.deployment.destroy()
        return self.deployment.up(self.wanted)

    def webhooks(self) -> dict[str, dict[str, Any]]:
        return {w["id"]: w for w in self.control.webhooks()}

    def check(self) -> None:
        """Exactly the bystander and the resource's webhook (none after delete), state on it."""
        held = self.webhooks()
        assert self.bystander in held, "takeover: the bystander webhook is gone"
        assert held[self.bystander]["event_types"] == ["work_created"]
        if self.op == "delete":
            assert set(held) == {self.bystander}
            assert self.deployment.id is None
            return
        mine = self.deployment.id
        assert mine is not None and mine != self.bystander, "takeover of the bystander"
        assert set(held) == {self.bystander, mine}, "duplicate or orphan"
        if self.op == "adopt":
            assert mine == self.target
        live, out = held[mine], self.deployment.outputs
        assert live["url"] == out["url"] == self.url
        assert self.wanted is not None
        wanted = self.wanted.inputs
        assert sorted(live["event_types"]) == sorted(wanted["event_types"]) == out["event_types"]
        if self.op == "create-inactive":
            assert live["status"] == "inactive" and out["active"] is False


OPS = list(PATHS)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("op", OPS)
def test_cell(
    op: str,
    fault: str,
    fast_host: ProviderHost,
    control: Any,
    sandbox: Any,
    receiver: Served,
) -> None:
    cell = Cell(op, fast_host, control, sandbox, receiver)
    cell.prepare()
    control.clear_requests()
    fast_host.output(clear=True)
    spec = dict(FAULTS[fault])
    count = spec.pop("count", 1)
    for path in PATHS[op]:
        control.inject(path, count=count, **spec)

    started = time.monotonic()
    failure: ProviderError | None = None
    step: StepResult | None = None
    try:
        step = cell.act()
    except ProviderError as err:
        failure = err
    elapsed = time.monotonic() - started
    settled(control)
    control.clear_faults()

    fails = fault in LASTING and op in FAILING_OPS
    if not fails:
        assert failure is None, failure
        assert step is not None
        # Within one deadline per DevRev call the command makes (the follow-ups included).
        assert elapsed < 2 * DEADLINE + 3, elapsed
        if fault in LASTING:  # a create whose follow-up failed: recorded, with a warning
            assert any(
                ln.startswith("warning: ") and str(cell.deployment.id) in ln for ln in step.output
            )
        # The next `up` (or refresh) makes what is still missing, and nothing else.
        recover(cell)
        cell.check()
        return

    assert failure is not None, f"{op} under {fault} should have failed"
    message = failure.message
    assert "\n" not in message
    assert elapsed < DEADLINE + 3, elapsed
    assert message.startswith(OP_NAME[op]) and " failed: " in message, message
    cause = "HTTP 503" if fault == "beyond-retry-budget" else "Timeout"
    assert cause in message, message
    if op in {"update", "refresh", "delete"}:
        assert str(cell.deployment.id) in message
    if op == "adopt":
        assert str(cell.target) in message
    if op == "update":
        assert "DevRev may have applied this change even so: `pulumi refresh`" in message
    if op == "delete":
        assert "DevRev may have deleted it even so" in message
    if op == "create":
        created_late(cell, message, fault)
    else:
        recover(cell)
    cell.check()


def recover(cell: Cell) -> None:
    """The command again, DevRev healthy: it converges (and twice changes nothing)."""
    if cell.op == "refresh":
        cell.deployment.refresh()
        return
    if cell.op == "delete":
        cell.deployment.destroy()
        return
    assert cell.wanted is not None
    cell.deployment.up(cell.wanted)
    if cell.op == "create-wait":
        # The endpoint answers the handshake: DevRev has it active whatever the wait saw.
        assert cell.deployment.id is not None
        cell.control.wait_for_status(cell.deployment.id, "active", timeout=10)
        cell.deployment.refresh()
        assert cell.deployment.outputs["status"] == "active"
    assert cell.deployment.up(cell.wanted).operation == "same"


def created_late(cell: Cell, message: str, fault: str) -> None:
    """A failed create: when its outcome stayed unknown, the message says how not to make a
    second webhook, and following it leaves exactly one; otherwise nothing was made."""
    made = set(cell.webhooks()) - {cell.bystander}
    assert cell.deployment.id is None  # the engine records nothing for a failed create
    if fault == "slower-than-deadline":
        assert "DevRev may have created the webhook for" in message
        assert "adopt_id=<its id>" in message
        assert "if there is none, `pulumi up` creates it" in message
        # The create was not sent again: the one slow attempt landed after the error.
        [late] = made
        assert len(cell.control.requests("/webhooks.create")) == 1
        cell.wanted = program(url=cell.url, event_types=["work_created"], adopt_id=late)
        cell.deployment.up(cell.wanted)
        assert cell.deployment.id == late
    else:
        # Every 503 was followed by a look that found nothing: DevRev made nothing (it commits
        # before it answers), so the error is DevRev's own, and the next `up` creates it.
        assert "adopt_id" not in message
        assert made == set()
        cell.deployment.up(cell.wanted or program(url=cell.url, event_types=["work_created"]))


def test_a_failed_clean_up_after_a_verification_timeout_names_the_webhook_to_adopt(
    fast_host: ProviderHost, control: Any, sandbox: Any
) -> None:
    """on_verification_timeout="fail": the webhook is deleted again; when that delete fails
    too (retried within the deadline), the error names the webhook and how to adopt it."""
    url = closed_port_url()
    wanted = program(url=url, wait_for_active=True, verification_timeout=1)
    control.inject("/webhooks.delete", status=503, count=PERSISTING)
    deployment = Deployment(fast_host)
    with pytest.raises(ProviderError) as failed:
        deployment.up(wanted)
    [left] = control.webhooks()
    message = failed.value.message
    assert "\n" not in message and "still unverified after 1s" in message
    assert f'adopt_id="{left["id"]}"' in message and "Deleting it again failed too" in message
    assert len(control.requests("/webhooks.delete")) > 1  # retried
    control.clear_faults()
    adopted = program(url=url, adopt_id=left["id"])
    deployment.up(adopted)
    assert deployment.id == left["id"] and [w["id"] for w in control.webhooks()] == [left["id"]]
