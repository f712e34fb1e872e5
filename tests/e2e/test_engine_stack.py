"""A whole stack through the real engine: many webhooks at the engine's default parallelism,
what state holds on disk, and `pulumi up` interrupted mid-create."""

from __future__ import annotations

import base64
import signal
import time
from typing import Any

from tests.e2e.cli import PASSPHRASE, Stack, interrupt
from tests.e2e.conftest import SECRET, devrev_calls
from tests.support import TOKEN, wait_until


def test_twenty_webhooks_go_up_preview_unchanged_and_go_away_at_the_floor(
    stack: Stack, control: Any
) -> None:
    names = [f"hook{n:02d}" for n in range(20)]
    stack.config_json(
        "webhooks",
        {
            name: {"url": f"http://127.0.0.1:9/{name}", "event_types": ["work_created"]}
            for name in names
        },
    )
    up = stack.up()
    assert "+ 21 created" in up.stdout, up.output
    assert devrev_calls(control) == ["/webhooks.create"] * 20
    ids = {value["id"] for value in stack.outputs().values()}
    assert len(ids) == 20
    control.clear_requests()

    preview = stack.preview()
    assert "21 unchanged" in preview.stdout
    assert devrev_calls(control) == []

    destroy = stack.destroy()
    assert "- 21 deleted" in destroy.stdout
    assert devrev_calls(control) == ["/webhooks.delete"] * 20
    assert all(control.webhook(hook_id) is None for hook_id in ids)
    assert "error" not in (up.output + preview.output + destroy.output).lower()


def test_state_holds_no_token_secret_or_credential_url_in_plain_text(
    stack: Stack, control: Any
) -> None:
    credential_url = "http://alice:pa55word@127.0.0.1:9/hook?token=url-token-123"
    # A secret in config (the stack's config is stored, encrypted, in the default provider's
    # state); the program reads it as a plain string: DevRevWebhook must protect it itself.
    stack.config("credentialUrl", credential_url, secret=True)
    stack.config_json(
        "webhooks",
        {
            "given": {"url": "http://127.0.0.1:9/given", "secret_config": "webhookSecret"},
            "generated": {"url": "http://127.0.0.1:9/generated"},
            "credentials": {"url_config": "credentialUrl"},
        },
    )
    up = stack.up()
    generated = stack.outputs(show_secrets=True)["generated"]["secret"]
    leaks = [TOKEN, SECRET, generated, "pa55word", "url-token-123", PASSPHRASE]

    exported = stack.export_text()
    on_disk = "".join(
        path.read_text(errors="replace")
        for path in (stack.project_dir.parent / "state").rglob("*")
        if path.is_file()
    )
    for text in (exported, on_disk, up.output, stack.run("stack").stdout):
        for leak in leaks:
            assert leak not in text

    for name, resource in stack.resources().items():
        if not resource["type"].startswith("pulumi-python:dynamic"):
            continue
        provider = resource["outputs"]["__provider"]
        # Stored by reference (module and class), not pickled code: small, and plain.
        assert isinstance(provider, str) and len(provider) < 200, name
        assert b"pulumi_devrev.provider" in base64.b64decode(provider)
        assert resource["outputs"]["secret"].get("4dabf18193072939515e22adb298388d") == (
            "1b47061264138c4ac30d75fd1eb44270"
        )
    assert resource_outputs(stack, "credentials")["url"] != credential_url
    # Asked for, the secrets are there: they were encrypted, not lost.
    shown = stack.export_text(show_secrets=True)
    assert generated in shown and credential_url in shown


def resource_outputs(stack: Stack, name: str) -> dict[str, Any]:
    outputs: dict[str, Any] = stack.resources()[name]["outputs"]
    return outputs


def test_an_interrupted_create_leaves_no_duplicate_and_state_points_at_the_webhook(
    stack: Stack, control: Any
) -> None:
    stack.config_json("webhooks", {"hook": {"url": "http://127.0.0.1:9/hook"}})
    control.inject("/webhooks.create", delay=3.0)
    running = stack.start("up", "--yes", "--skip-preview")
    assert wait_until(lambda: control.requests("/webhooks.create"), timeout=30)
    output = interrupt(running)
    assert "cancelling" in output, output
    assert running.returncode != 0 or "cancel" in output.lower(), output

    again = stack.up()
    in_state = stack.outputs()["hook"]["id"]
    assert [view["id"] for view in control.webhooks()] == [in_state], (output, again.output)


def test_a_create_killed_by_a_second_interrupt_is_recovered_with_adopt_id_not_a_duplicate(
    stack: Stack, control: Any
) -> None:
    hook = {"url": "http://127.0.0.1:9/hook"}
    stack.config_json("webhooks", {"hook": hook})
    control.inject("/webhooks.create", delay=2.0)
    running = stack.start("up", "--yes", "--skip-preview")
    assert wait_until(lambda: control.requests("/webhooks.create"), timeout=30)
    running.send_signal(signal.SIGINT)
    time.sleep(0.2)
    output = interrupt(running)  # the second ^C: "terminating", without waiting
    assert "terminating" in output, output
    # The create went through at DevRev after the CLI had gone; state holds only a
    # pending create.
    assert wait_until(lambda: control.webhooks(), timeout=10)
    (made,) = control.webhooks()
    pending = stack.export()["deployment"]["pending_operations"]
    assert [op["type"] for op in pending] == ["creating"]
    # The engine's repair: `pulumi refresh --clear-pending-creates` (what the interactive
    # refresh offers). Its other choice, `--import-pending-creates URN ID`, drops the op
    # without reading it for a dynamic resource; either way the next plain `up` would make a
    # second webhook. adopt_id takes the orphan over instead.
    control.clear_requests()
    stack.refresh("--clear-pending-creates")
    assert "pending_operations" not in stack.export()["deployment"]
    stack.config_json("webhooks", {"hook": {**hook, "adopt_id": made["id"]}})
    up = stack.up()
    assert "pending operations" not in up.output
    assert devrev_calls(control) == ["/webhooks.get"]
    assert [view["id"] for view in control.webhooks()] == [made["id"]]
    assert stack.outputs()["hook"]["id"] == made["id"]


def test_refresh_and_destroy_use_the_token_recorded_by_the_last_up(stack: Stack) -> None:
    stack.config_json("webhooks", {"hook": {"url": "http://127.0.0.1:9/hook"}})
    stack.up()
    stack.config("devrev:token", "a-token-devrev-refuses", secret=True)

    # The engine configures refresh's provider from the config recorded with the default
    # provider at the last `up`, not from the stack's config now.
    assert "2 unchanged" in stack.refresh("--skip-preview").stdout
    stack.up()  # nothing to change at DevRev: 0 calls, but it records the new config
    refused = stack.refresh("--skip-preview", check=False)
    assert refused.returncode != 0 and "HTTP 401" in refused.output
    assert "a-token-devrev-refuses" not in refused.output
