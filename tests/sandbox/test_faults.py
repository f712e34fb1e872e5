"""Injected faults as a plain httpx client sees them."""

from __future__ import annotations

import time

import httpx
import pytest

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl, SandboxControlError

from .helpers import closed_port_url, expect, expect_error

URL = closed_port_url()
TRANSPORT_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError)


def _webhooks(api: httpx.Client) -> list[dict[str, object]]:
    webhooks: list[dict[str, object]] = expect(api.get("/webhooks.list"), 200)["webhooks"]
    return webhooks


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "bad_request"),
        (401, "unauthenticated"),
        (403, "forbidden"),
        (404, "not_found"),
        (413, "request_entity_too_large"),
        (500, "internal_error"),
        (503, "service_unavailable"),
    ],
)
def test_a_status_fault_answers_devrevs_error_once(
    api: httpx.Client, control: SandboxControl, status: int, error_type: str
) -> None:
    control.inject("/webhooks.get", status=status)
    unknown = "don:integration:dvrv-us-1:devo/x:webhook/none"
    expect_error(api.post("/webhooks.get", json={"id": unknown}), status, error_type)
    expect_error(api.post("/webhooks.get", json={"id": unknown}), 404, "not_found")


def test_a_500_fault_carries_a_reference_id(api: httpx.Client, control: SandboxControl) -> None:
    control.inject("/webhooks.list", status=500)
    assert expect(api.get("/webhooks.list"), 500)["reference_id"]


def test_a_429_fault_carries_retry_after_in_header_and_body(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.list", status=429, retry_after=7)
    response = api.get("/webhooks.list")
    expect_error(response, 429, "too_many_requests", retry_after=7)
    assert response.headers["retry-after"] == "7"


def test_a_503_fault_may_carry_retry_after_as_a_header(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.list", status=503, retry_after=2)
    response = api.get("/webhooks.list")
    expect_error(response, 503, "service_unavailable")
    assert response.headers["retry-after"] == "2"


def test_a_status_fault_does_not_process_the_request(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.create", status=500)
    expect(api.post("/webhooks.create", json={"url": URL}), 500)
    assert _webhooks(api) == []


def test_faults_apply_count_times_in_fifo_order(api: httpx.Client, control: SandboxControl) -> None:
    control.inject("/webhooks.list", status=503, count=2)
    control.inject("/webhooks.list", status=500)
    statuses = [api.get("/webhooks.list").status_code for _ in range(4)]
    assert statuses == [503, 503, 500, 200]
    assert control.faults() == []


def test_a_fault_can_target_one_method(api: httpx.Client, control: SandboxControl) -> None:
    control.inject("/webhooks.list", status=503, method="POST")
    expect(api.get("/webhooks.list"), 200)
    assert control.faults()[0]["count"] == 1
    expect(api.post("/webhooks.list", json={}), 503)
    expect(api.get("/webhooks.create"), 405)  # other paths untouched


def test_a_delay_makes_client_read_timeouts_fire(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.list", delay=0.5)
    with pytest.raises(httpx.ReadTimeout):
        api.get("/webhooks.list", timeout=0.1)
    control.inject("/webhooks.list", delay=0.3)
    started = time.monotonic()
    expect(api.get("/webhooks.list"), 200)
    assert time.monotonic() - started >= 0.3


def test_a_delayed_create_still_takes_effect_after_the_client_gave_up(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.create", delay=0.3)
    with pytest.raises(httpx.ReadTimeout):
        api.post("/webhooks.create", json={"url": URL}, timeout=0.1)
    time.sleep(0.4)
    assert len(_webhooks(api)) == 1


def test_drop_before_closes_the_connection_without_processing(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.create", drop="before")
    with pytest.raises(TRANSPORT_ERRORS):
        api.post("/webhooks.create", json={"url": URL})
    assert _webhooks(api) == []
    assert control.requests("/webhooks.create")[0]["status"] == "dropped"


def test_drop_after_processes_then_closes_without_answering(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.inject("/webhooks.create", drop="after")
    with pytest.raises(TRANSPORT_ERRORS):
        api.post("/webhooks.create", json={"url": URL})
    # The webhook exists although the client never heard of it: retries must look first.
    assert len(_webhooks(api)) == 1
    entry = control.requests("/webhooks.create")[0]
    assert (entry["status"], entry["fault"]) == ("dropped", {"drop": "after"})


@pytest.mark.parametrize("drop", ["before", "after"])
def test_drops_reach_a_one_shot_client_as_transport_errors(
    devrev_sandbox: RunningSandbox, control: SandboxControl, devrev_token: str, drop: str
) -> None:
    control.inject("/webhooks.list", drop=drop, count=2)
    for _ in range(2):
        with pytest.raises(TRANSPORT_ERRORS):
            httpx.get(
                f"{devrev_sandbox.url}/webhooks.list",
                headers={"Authorization": devrev_token},
                trust_env=False,
            )


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "drop": "before"},
        {"drop": "sideways"},
        {"count": 0, "status": 500},
        {"status": 200},
        {"retry_after": 3},
        {},
        {"delay": -1},
    ],
)
def test_invalid_faults_are_refused(control: SandboxControl, fault: dict[str, object]) -> None:
    with pytest.raises(SandboxControlError) as caught:
        control.inject("/webhooks.list", **fault)  # type: ignore[arg-type]
    assert caught.value.status_code == 400


def test_clear_faults(api: httpx.Client, control: SandboxControl) -> None:
    control.inject("/webhooks.list", status=500, count=5)
    control.clear_faults()
    expect(api.get("/webhooks.list"), 200)
