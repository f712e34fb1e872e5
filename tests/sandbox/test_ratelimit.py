"""DevRev's rate limit: a fixed window per token, X-Ratelimit-* headers, 429 + Retry-After."""

from __future__ import annotations

import time

import httpx

from pulumi_devrev.sandbox import SandboxControl
from pulumi_devrev.sandbox.ratelimit import FixedWindowLimiter

from .helpers import expect, expect_error


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_counts_then_refuses_then_resets() -> None:
    clock = FakeClock()
    limiter = FixedWindowLimiter(clock)
    decisions = [limiter.hit("token", limit=2, window=10) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert [d.remaining for d in decisions] == [1, 0, 0]
    assert decisions[2].reset == 1010
    assert decisions[2].retry_after == 10
    clock.now = 1009.5
    assert limiter.hit("token", limit=2, window=10).retry_after == 1  # never 0
    clock.now = 1010.0
    fresh = limiter.hit("token", limit=2, window=10)
    assert (fresh.allowed, fresh.remaining, fresh.reset) == (True, 1, 1020)


def test_windows_are_per_token() -> None:
    limiter = FixedWindowLimiter(FakeClock())
    assert limiter.hit("a", limit=1, window=10).allowed
    assert limiter.hit("b", limit=1, window=10).allowed
    assert not limiter.hit("a", limit=1, window=10).allowed


def test_without_a_limit_there_are_no_rate_headers(api: httpx.Client) -> None:
    response = api.get("/webhooks.list")
    expect(response, 200)
    assert "x-ratelimit-limit" not in response.headers


def test_every_response_carries_the_headers_and_the_excess_is_429(
    api: httpx.Client, control: SandboxControl
) -> None:
    control.configure(rate_limit=3, rate_window=0.5)
    window_opened = time.monotonic()
    responses = [
        api.get("/webhooks.list"),
        api.post("/webhooks.list", json={"bogus": 1}),  # errors count and carry them too
        api.get("/webhooks.list"),
    ]
    assert [r.status_code for r in responses] == [200, 400, 200]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0"]
    assert all(r.headers["x-ratelimit-limit"] == "3" for r in responses)
    reset = int(responses[0].headers["x-ratelimit-reset"])
    assert time.time() <= reset <= time.time() + 2

    refused = api.get("/webhooks.list")
    body = expect_error(refused, 429, "too_many_requests")
    assert refused.headers["retry-after"] == str(body["retry_after"])
    assert body["retry_after"] == 1  # whole seconds, never 0
    assert refused.headers["x-ratelimit-remaining"] == "0"

    # Test controls are not DevRev's API: never limited, never counted.
    for _ in range(5):
        control.requests()

    time.sleep(max(0.0, window_opened + 0.55 - time.monotonic()))
    after = api.get("/webhooks.list")
    expect(after, 200)
    assert after.headers["x-ratelimit-remaining"] == "2"


def test_reset_clears_the_counters(api: httpx.Client, control: SandboxControl) -> None:
    control.configure(rate_limit=1)
    expect(api.get("/webhooks.list"), 200)
    expect(api.get("/webhooks.list"), 429)
    control.reset()
    expect(api.get("/webhooks.list"), 200)
