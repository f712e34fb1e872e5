"""Every lifecycle promise of DevRevWebhook, through the real Pulumi CLI and engine.

Each test runs `pulumi preview / up / refresh / destroy` in a project folder of its own
(tests/e2e/programs/webhooks.py, driven by stack config), against the sandbox as DevRev,
and counts DevRev calls from the sandbox's request log.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_devrev.client import DevRevClient
from pulumi_devrev.models import UpdateWebhookRequest
from tests.e2e.cli import Stack
from tests.e2e.conftest import SECRET, devrev_calls
from tests.support import TOKEN

EVENTS = ["work_created", "work_updated", "work_deleted"]


def hook(url: str, **inputs: Any) -> dict[str, Any]:
    return {"url": url, "event_types": EVENTS, "secret_config": "webhookSecret", **inputs}


def summary(run_output: str) -> str:
    """The "Resources:" block the CLI prints last."""
    return run_output[run_output.rindex("Resources:") :]


def test_a_new_stack_previews_for_free_then_one_create_reaches_active(
    stack: Stack, control: Any, receiver: str
) -> None:
    url = receiver + "/webhooks/devrev"
    stack.config_json("webhooks", {"hook": hook(url, wait_for_active=True)})

    preview = stack.preview()
    assert "+ 2 to create" in summary(preview.stdout)
    assert devrev_calls(control) == []

    up = stack.up(preview=True)  # as a user runs it: preview, then the update
    assert "+ 2 created" in summary(up.stdout)
    calls = devrev_calls(control)
    # One create, then the verification wait's polls.
    assert calls[0] == "/webhooks.create" and set(calls[1:]) <= {"/webhooks.get"}
    out = stack.outputs()["hook"]
    assert out["status"] == "active"
    assert control.webhook(out["id"])["status"] == "active"
    assert "is active after" in up.output


def test_nothing_changed_and_reordered_event_types_are_unchanged_with_no_calls(
    stack: Stack, control: Any
) -> None:
    stack.config_json("webhooks", {"hook": hook("http://127.0.0.1:9/hook")})
    stack.up()
    control.clear_requests()

    # As declared, then reordered with a duplicate: the same set of event types.
    for events in (EVENTS, [*reversed(EVENTS), EVENTS[0]]):
        stack.config_json("webhooks", {"hook": hook("http://127.0.0.1:9/hook", event_types=events)})
        preview = stack.preview()
        assert "2 unchanged" in summary(preview.stdout), preview.stdout
        assert "__provider" not in preview.output
        up = stack.up(preview=True)
        assert "2 unchanged" in summary(up.stdout), up.stdout
        assert "__provider" not in up.output
    assert devrev_calls(control) == []


def test_changing_only_provider_settings_is_a_same_step_that_keeps_the_old_outputs(
    stack: Stack, control: Any
) -> None:
    """Diff reports no change for inputs that only steer the provider, so the engine calls no
    Update: its same step records the new inputs beside the old outputs."""
    stack.config_json("webhooks", {"hook": hook("http://127.0.0.1:9/hook")})
    stack.up()
    control.clear_requests()

    steered = hook("http://127.0.0.1:9/hook", wait_for_active=True, verification_timeout=30)
    stack.config_json("webhooks", {"hook": steered})
    up = stack.up(preview=True)
    assert "2 unchanged" in summary(up.stdout), up.stdout
    assert devrev_calls(control) == []
    state = stack.resources()["hook"]
    assert state["inputs"]["wait_for_active"] is True
    assert state["inputs"]["verification_timeout"] == 30
    # The outputs are the create's: its settings (the defaults), DevRev's answer.
    assert state["outputs"]["wait_for_active"] is False
    assert state["outputs"]["verification_timeout"] == 180
    assert state["outputs"]["status"] == "unverified"


def test_a_url_change_is_announced_at_preview_and_reverified_after_one_update(
    stack: Stack, control: Any, receiver: str
) -> None:
    stack.config_json(
        "webhooks", {"hook": hook(receiver + "/webhooks/devrev", wait_for_active=True)}
    )
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    control.clear_requests()

    moved = receiver + "/webhooks/devrev-next"
    stack.config_json("webhooks", {"hook": hook(moved, wait_for_active=True)})
    preview = stack.preview()
    assert "changing its url makes it `unverified`" in preview.output
    assert "~ 1 to update" in summary(preview.stdout)
    assert devrev_calls(control) == []

    up = stack.up()
    calls = devrev_calls(control)
    assert calls[0] == "/webhooks.update" and calls.count("/webhooks.update") == 1
    assert set(calls[1:]) <= {"/webhooks.get"}
    assert stack.outputs()["hook"]["status"] == "active"
    webhook = control.webhook(hook_id)
    assert webhook["url"] == moved and webhook["status"] == "active"
    assert SECRET not in up.output and TOKEN not in up.output


def test_a_secret_change_restarts_verification_with_one_update(
    stack: Stack, control: Any, receiver: str
) -> None:
    stack.config_json(
        "webhooks", {"hook": hook(receiver + "/webhooks/devrev", wait_for_active=True)}
    )
    stack.up()
    control.clear_requests()

    # The receiver only knows SECRET: with another secret the handshake cannot succeed, and
    # `warn` lets the update finish while saying so.
    stack.config("otherSecret", "rotated-secret-0002", secret=True)
    stack.config_json(
        "webhooks",
        {
            "hook": hook(
                receiver + "/webhooks/devrev",
                secret_config="otherSecret",
                wait_for_active=True,
                verification_timeout=2,
                on_verification_timeout="warn",
            )
        },
    )
    preview = stack.preview()
    assert "changing its secret makes it `unverified`" in preview.output
    assert devrev_calls(control) == []
    up = stack.up()
    assert devrev_calls(control).count("/webhooks.update") == 1
    assert "rotated-secret-0002" not in up.output
    assert stack.outputs()["hook"]["status"] != "active"


def test_deactivating_and_reactivating_and_headers_each_cost_one_update(
    stack: Stack, control: Any
) -> None:
    url = "http://127.0.0.1:9/hook"
    stack.config_json("webhooks", {"hook": hook(url)})
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    control.force_status(hook_id, "active")

    steps: list[tuple[dict[str, Any], str]] = [
        ({"active": False}, "inactive"),
        ({"active": True}, "unverified"),  # re-activating verifies again (activate_mode verify)
        ({"headers": {"X-Team": "ops"}}, "unverified"),
        ({"headers": {}}, "unverified"),
    ]
    for change, status in steps:
        control.clear_requests()
        stack.config_json("webhooks", {"hook": hook(url, **change)})
        up = stack.up()
        assert "~ 1 updated" in summary(up.stdout), up.stdout
        assert devrev_calls(control) == ["/webhooks.update"], change
        assert control.webhook(hook_id)["status"] == status, change
        if "headers" in change:
            assert control.webhook(hook_id)["header_names"] == list(change["headers"])


def test_a_generated_secret_stays_a_pulumi_secret_and_never_flaps(
    stack: Stack, control: Any
) -> None:
    stack.config_json("webhooks", {"hook": {"url": "http://127.0.0.1:9/hook"}})
    up = stack.up()
    assert stack.outputs()["hook"]["secret"] == "[secret]"
    generated = stack.outputs(show_secrets=True)["hook"]["secret"]
    assert generated and generated not in up.output
    control.clear_requests()

    assert "2 unchanged" in summary(stack.preview().stdout)
    refresh = stack.refresh("--skip-preview")
    assert generated not in refresh.output
    assert "2 unchanged" in summary(stack.up().stdout)
    assert stack.outputs(show_secrets=True)["hook"]["secret"] == generated
    assert set(devrev_calls(control)) == {"/webhooks.get"}  # the refresh, nothing else


def test_refresh_shows_out_of_band_drift_and_the_next_up_repairs_it_with_one_update(
    stack: Stack, control: Any, sandbox: Any
) -> None:
    url = "http://127.0.0.1:9/hook"
    stack.config_json("webhooks", {"hook": hook(url)})
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    with DevRevClient(TOKEN, sandbox.url) as client:
        client.update_webhook(UpdateWebhookRequest(id=hook_id, url="http://127.0.0.1:9/elsewhere"))
    control.clear_requests()

    # `pulumi refresh` previews first (one read) and then refreshes (a second read);
    # --skip-preview makes it one.
    refresh = stack.refresh("--skip-preview")
    assert re.search(
        r"url\s*:\s*\"http://127.0.0.1:9/hook\" => \"http://127.0.0.1:9/elsewhere\"", refresh.stdout
    ), refresh.stdout
    assert devrev_calls(control) == ["/webhooks.get"]

    control.clear_requests()
    up = stack.up()
    assert "~ 1 updated" in summary(up.stdout)
    assert devrev_calls(control) == ["/webhooks.update"]
    assert control.webhook(hook_id)["url"] == url


def test_refresh_after_an_out_of_band_delete_drops_it_and_up_creates_it_again(
    stack: Stack, control: Any, sandbox: Any
) -> None:
    stack.config_json("webhooks", {"hook": hook("http://127.0.0.1:9/hook")})
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    with DevRevClient(TOKEN, sandbox.url) as client:
        client.delete_webhook(hook_id)
    control.clear_requests()

    refresh = stack.refresh()
    assert "- 1 deleted" in summary(refresh.stdout), refresh.stdout
    assert "hook" not in stack.resources()
    assert devrev_calls(control) == ["/webhooks.get"] * 2  # refresh's preview, then refresh
    control.clear_requests()
    up = stack.up()
    assert "+ 1 created" in summary(up.stdout)
    assert devrev_calls(control) == ["/webhooks.create"]
    assert stack.outputs()["hook"]["id"] != hook_id


def test_destroy_deletes_each_webhook_once_and_succeeds_when_one_already_vanished(
    stack: Stack, control: Any, sandbox: Any
) -> None:
    stack.config_json(
        "webhooks",
        {name: hook(f"http://127.0.0.1:9/{name}") for name in ("one", "two", "three")},
    )
    stack.up()
    ids = {name: value["id"] for name, value in stack.outputs().items()}
    with DevRevClient(TOKEN, sandbox.url) as client:
        client.delete_webhook(ids["two"])
    control.clear_requests()

    destroy = stack.destroy()
    assert "- 4 deleted" in summary(destroy.stdout), destroy.stdout
    assert sorted(devrev_calls(control)) == ["/webhooks.delete"] * 3
    assert all(control.webhook(hook_id) is None for hook_id in ids.values())
    assert stack.resources() == {}


def test_bad_inputs_fail_preview_before_any_call_with_every_problem_per_property(
    stack: Stack, control: Any
) -> None:
    stack.config_json(
        "webhooks",
        {
            "hook": {
                "url": "ftp://example.com/hook",
                "event_types": ["work_creatd"],
                "secret": "short",
                "headers": {"bad header": "x"},
                "verification_timeout": 0,
            }
        },
    )
    preview = stack.preview(check=False)
    assert preview.returncode != 0
    for field in ("url", "event_types", "secret", "headers", "verification_timeout"):
        assert re.search(rf"\b{field}\b", preview.output), (field, preview.output)
    assert "work_created" in preview.output  # the close match for the typo
    assert devrev_calls(control) == []
    up = stack.up(check=False)
    assert up.returncode != 0
    assert devrev_calls(control) == []
