"""The /_sandbox/ controls: force status, reset, options, internal reads."""

from __future__ import annotations

import time

import httpx
import pytest

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl, SandboxControlError

from .helpers import FAST_OPTIONS, closed_port_url, create, expect, get, ids, require_absent

URL = closed_port_url()
MISSING = "don:integration:dvrv-us-1:devo/x:webhook/missing"


@pytest.mark.parametrize("status", ["active", "inactive", "unverified"])
def test_force_status_is_visible_through_the_api(
    api: httpx.Client, control: SandboxControl, status: str
) -> None:
    webhook_id = create(api, URL)["id"]
    control.force_status(webhook_id, status)
    assert get(api, webhook_id)["status"] == status


def test_force_status_refuses_unknown_webhooks_and_statuses(
    api: httpx.Client, control: SandboxControl
) -> None:
    with pytest.raises(SandboxControlError) as missing:
        control.force_status(MISSING, "active")
    assert missing.value.status_code == 404
    webhook_id = create(api, URL)["id"]
    with pytest.raises(SandboxControlError) as bad:
        control.force_status(webhook_id, "paused")
    assert bad.value.status_code == 400


def test_reset_forgets_webhooks_faults_logs_and_restarts_display_ids(
    api: httpx.Client, control: SandboxControl
) -> None:
    create(api, URL)
    control.inject("/webhooks.list", status=500)
    control.reset()
    assert control.faults() == []
    assert control.requests() == []
    assert control.deliveries() == []
    assert ids(expect(api.get("/webhooks.list"), 200)["webhooks"]) == []
    assert create(api, URL)["display_id"] == "webhook-1"


def test_options_can_be_read_and_changed(control: SandboxControl) -> None:
    assert control.options() == FAST_OPTIONS
    changed = control.configure(activate_mode="direct", rate_limit=10, verify_retry_delay=0)
    assert changed["activate_mode"] == "direct"
    assert changed["rate_limit"] == 10
    assert changed["verify_retry_delay"] == 0.0
    assert control.options() == changed


@pytest.mark.parametrize(
    "options",
    [
        {"activate_mode": "sometimes"},
        {"verify_attempts": 0},
        {"verify_attempts": True},
        {"verify_retry_delay": -1},
        {"delivery_timeout": 0},
        {"rate_window": "soon"},
        {"allow_remote_delivery": "yes"},
        {"max_body_bytes": 0},
        {"colour": "red"},
    ],
)
def test_invalid_options_are_refused_and_change_nothing(
    control: SandboxControl, options: dict[str, object]
) -> None:
    with pytest.raises(SandboxControlError) as caught:
        control.configure(**options)
    assert caught.value.status_code == 400
    assert control.options() == FAST_OPTIONS


def test_wait_for_status_returns_the_last_status_seen(
    api: httpx.Client, control: SandboxControl
) -> None:
    webhook_id = create(api, URL)["id"]
    started = time.monotonic()
    assert control.wait_for_status(webhook_id, "active", 0.1) == "unverified"
    assert time.monotonic() - started < 1
    assert control.wait_for_status(MISSING, "active", 0.05) == "missing"


def test_the_internal_view_has_no_secret(api: httpx.Client, control: SandboxControl) -> None:
    webhook_id = create(api, URL, headers=[{"name": "X-A", "value": "header-value"}])["id"]
    view = control.webhook(webhook_id)
    assert view is not None
    assert view["id"] == webhook_id
    assert view["header_names"] == ["X-A"]
    assert "secret" not in view
    require_absent("header-value", str(view), "a header value")
    assert control.webhook(MISSING) is None


def test_health(control: SandboxControl) -> None:
    assert control.health() is True


def test_the_control_root_lists_every_control(devrev_sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{devrev_sandbox.url}/_sandbox/", trust_env=False)
    assert response.status_code == 200
    controls = response.json()["controls"]
    listed = {(c["method"], c["path"]) for c in controls}
    assert {
        ("GET", "/_sandbox/health"),
        ("POST", "/_sandbox/faults"),
        ("GET", "/_sandbox/requests"),
        ("POST", "/_sandbox/webhooks/status"),
        ("POST", "/_sandbox/events"),
        ("GET", "/_sandbox/deliveries"),
        ("POST", "/_sandbox/config"),
        ("POST", "/_sandbox/reset"),
    } <= listed
    assert all(c["description"] for c in controls)
    # Every listed GET without a path parameter is served.
    for method, path in sorted(listed):
        if method == "GET" and "{" not in path:
            assert httpx.get(devrev_sandbox.url + path, trust_env=False).status_code == 200, path
