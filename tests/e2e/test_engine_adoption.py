"""Bringing an existing webhook under a stack, through the real engine: `adopt_id`,
`DevRevWebhook.get`, and what `pulumi import` and the `import_` option do."""

from __future__ import annotations

from typing import Any

from tests.e2e.cli import Stack
from tests.e2e.conftest import devrev_calls
from tests.e2e.helpers import made_by_hand

URL = "http://127.0.0.1:9/existing"


def existing_webhook(sandbox: Any) -> str:
    """A webhook made outside the stack (in DevRev's UI, say); its id."""
    return made_by_hand(sandbox, URL, "existing-key-01")


def test_adopt_id_takes_over_a_webhook_with_one_read_and_never_recreates_it(
    stack: Stack, control: Any, sandbox: Any
) -> None:
    hook_id = existing_webhook(sandbox)
    control.clear_requests()
    inputs = {"adopt_id": hook_id, "url": URL, "event_types": ["work_created", "work_updated"]}
    stack.config_json("webhooks", {"adopted": inputs})

    assert "+ 2 to create" in stack.preview().stdout
    assert devrev_calls(control) == []
    stack.up()
    # Read it, then one update for the event type it lacked; no create.
    assert devrev_calls(control) == ["/webhooks.get", "/webhooks.update"]
    assert stack.outputs()["adopted"]["id"] == hook_id
    assert control.webhook(hook_id)["event_types"] == ["work_created", "work_updated"]
    # It keeps the secret it had: the receivers using it go on working.
    assert stack.outputs(show_secrets=True)["adopted"]["secret"] == "existing-key-01"

    control.clear_requests()
    assert "2 unchanged" in stack.up().stdout
    assert devrev_calls(control) == []
    stack.destroy()
    assert control.webhook(hook_id) is None  # adopted means managed: destroy deletes it


def test_get_reads_a_webhook_without_managing_it(stack: Stack, control: Any, sandbox: Any) -> None:
    hook_id = existing_webhook(sandbox)
    control.clear_requests()
    stack.config_json("webhooks", {"seen": {"get": hook_id}})

    up = stack.up(preview=True)
    assert devrev_calls(control) == ["/webhooks.get"] * 2  # once in up's preview, once in up
    out = stack.outputs()["seen"]
    assert out["id"] == hook_id and out["url"] == URL and out["secret"] == "[secret]"
    assert "existing-key-01" not in up.output

    control.clear_requests()
    stack.destroy()
    assert devrev_calls(control) == []
    assert control.webhook(hook_id) is not None


def test_pulumi_import_is_refused_and_creates_nothing(
    stack: Stack, control: Any, sandbox: Any
) -> None:
    hook_id = existing_webhook(sandbox)
    control.clear_requests()

    imported = stack.run(
        "import",
        "pulumi-python:dynamic/devrev:Webhook",
        "imported",
        hook_id,
        "--yes",
        check=False,
    )
    # The engine's import cannot start a dynamic provider (pulumi/pulumi#16175).
    assert imported.returncode != 0, imported.output
    assert "KeyError: '__provider'" in imported.output
    assert devrev_calls(control) == []
    assert "imported" not in stack.resources()


def test_the_import_option_is_refused_with_the_way_that_works_and_creates_nothing(
    stack: Stack, control: Any, sandbox: Any
) -> None:
    hook_id = existing_webhook(sandbox)
    control.clear_requests()
    inputs = {"url": URL, "event_types": ["work_created"], "options": {"import": hook_id}}
    stack.config_json("webhooks", {"imported": inputs})

    up = stack.up(check=False)
    assert up.returncode != 0, up.output
    assert f"pass adopt_id='{hook_id}' instead" in up.output
    assert "Traceback" not in up.output
    assert devrev_calls(control) == []
