"""The resource options users rely on, as the real engine applies them to DevRevWebhook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.cli import Stack
from tests.e2e.conftest import devrev_calls

URL = "http://127.0.0.1:9/hook"
# --event-log is offered only with this set.
DEBUG_COMMANDS = {"PULUMI_DEBUG_COMMANDS": "true"}


def hook(**inputs: Any) -> dict[str, Any]:
    return {"url": URL, "event_types": ["work_created"], **inputs}


def test_ignore_changes_on_secret_means_a_rotated_secret_causes_no_diff(
    stack: Stack, control: Any
) -> None:
    options = {"ignore_changes": ["secret"]}
    stack.config_json("webhooks", {"hook": hook(secret_config="webhookSecret", options=options)})
    stack.up()
    control.clear_requests()

    # The secret is rotated elsewhere (here: a new value in config); the stack ignores it.
    stack.config("webhookSecret", "rotated-elsewhere-0003", secret=True)
    preview = stack.preview()
    assert "2 unchanged" in preview.stdout, preview.output
    up = stack.up()
    assert "2 unchanged" in up.stdout, up.output
    assert devrev_calls(control) == []


def test_protect_refuses_destroy_without_calling_devrev(stack: Stack, control: Any) -> None:
    stack.config_json("webhooks", {"hook": hook(options={"protect": True})})
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    control.clear_requests()

    destroy = stack.destroy(check=False)
    assert destroy.returncode != 0
    assert "protected" in destroy.output
    assert devrev_calls(control) == []
    assert control.webhook(hook_id) is not None


def test_retain_on_delete_leaves_the_webhook_at_devrev(stack: Stack, control: Any) -> None:
    stack.config_json("webhooks", {"hook": hook(options={"retain_on_delete": True})})
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    control.clear_requests()

    destroy = stack.destroy()
    assert "deleted" in destroy.stdout
    assert devrev_calls(control) == []
    assert control.webhook(hook_id) is not None
    assert stack.resources() == {}


def test_an_alias_lets_a_renamed_resource_keep_its_webhook(stack: Stack, control: Any) -> None:
    stack.config_json("webhooks", {"hook": hook()})
    stack.up()
    hook_id = stack.outputs()["hook"]["id"]
    control.clear_requests()

    stack.config_json("webhooks", {"renamed": hook(options={"aliases": ["hook"]})})
    preview = stack.preview()
    assert "to create" not in preview.stdout and "to delete" not in preview.stdout
    up = stack.up()
    assert "2 unchanged" in up.stdout, up.output
    assert devrev_calls(control) == []
    assert stack.outputs()["renamed"]["id"] == hook_id
    assert "renamed" in stack.resources() and "hook" not in stack.resources()


def test_depends_on_orders_the_webhook_after_its_endpoint_and_deletes_it_first(
    stack: Stack, control: Any, tmp_path: Path
) -> None:
    stack.config_json("endpoints", ["receiver"])
    stack.config_json("webhooks", {"hook": hook(options={"depends_on": ["receiver"]})})
    log = tmp_path / "up-events.json"
    stack.run("up", "--yes", "--event-log", str(log), env=DEBUG_COMMANDS)
    assert order_of_steps(log) == [("create", "receiver"), ("create", "hook")]
    assert devrev_calls(control) == ["/webhooks.create"]

    log = tmp_path / "destroy-events.json"
    stack.run("destroy", "--yes", "--event-log", str(log), env=DEBUG_COMMANDS)
    assert order_of_steps(log) == [("delete", "hook"), ("delete", "receiver")]


def order_of_steps(event_log: Path) -> list[tuple[str, str]]:
    """(operation, resource name) of each finished step on a custom resource, in the order
    the engine reported them done."""
    steps = []
    for line in event_log.read_text().splitlines():
        event = json.loads(line)
        done = event.get("resOutputsEvent")
        if not done:
            continue
        metadata = done["metadata"]
        kind = metadata["type"]
        if kind.startswith(("pulumi:pulumi:", "pulumi:providers:")) or metadata["op"] == "same":
            continue
        steps.append((metadata["op"], metadata["urn"].rsplit("::", 1)[-1]))
    return steps
