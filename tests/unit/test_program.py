"""What a Pulumi program using DevRevWebhook registers, captured under the SDK's mocks."""

from __future__ import annotations

import base64
import pickletools

import pulumi
import pytest
from pulumi.output import Unknown

from pulumi_devrev import DevRevWebhook, DevRevWebhookArgs
from pulumi_devrev.testing import PROVIDER_KEY, capture_program


def quickstart() -> None:
    config = pulumi.Config()
    hook = DevRevWebhook(
        "issues-to-slack",
        url="https://hooks.example.com/devrev",
        event_types=["work_updated", "work_created"],
        secret=config.require_secret("webhookSecret"),
        headers={"X-Team": "ops"},
    )
    pulumi.export("status", hook.status)


def test_registers_one_webhook_with_a_stable_type_token() -> None:
    [reg] = capture_program(quickstart, config={"project:webhookSecret": "s3cret-value-1"})
    assert reg.type == "pulumi-python:dynamic/devrev:Webhook"
    assert reg.name == "issues-to-slack"
    assert reg.inputs["url"] == "https://hooks.example.com/devrev"
    assert reg.inputs["event_types"] == ["work_updated", "work_created"]
    assert reg.inputs["headers"] == {"X-Team": "ops"}


def test_the_urn_names_the_stack_and_project_given() -> None:
    program = lambda: DevRevWebhook("h", url="https://h.example/x")  # noqa: E731
    [reg] = capture_program(program, project="shop", stack="prod")
    assert reg.urn == "urn:pulumi:prod::shop::pulumi-python:dynamic/devrev:Webhook::h"


def test_secret_input_stays_secret_and_the_output_is_always_secret() -> None:
    [reg] = capture_program(quickstart, config={"project:webhookSecret": "s3cret-value-1"})
    assert reg.secret_inputs == {"secret"}
    assert reg.additional_secret_outputs == ["secret"]


def test_generated_secret_output_is_secret_too() -> None:
    [reg] = capture_program(lambda: DevRevWebhook("h", url="https://h.example/x"))
    assert "secret" not in reg.inputs
    assert reg.secret_outputs({"secret": "generated", "url": "x"}) == {"secret"}


def test_a_url_carrying_credentials_is_kept_secret() -> None:
    def program() -> None:
        DevRevWebhook("known", url="https://user:pw@h.example/a")
        DevRevWebhook("later", url=pulumi.Output.from_input("https://h.example/b?token=abc"))
        DevRevWebhook("plain", url="https://h.example/c")

    by_name = {r.name: r for r in capture_program(program)}
    assert by_name["known"].secret_inputs == {"url"}
    assert by_name["known"].additional_secret_outputs == ["secret", "url"]
    assert by_name["later"].secret_inputs == {"url"}  # the engine re-marks the output
    assert by_name["plain"].secret_inputs == set()
    assert by_name["plain"].secret_outputs({"url": "x", "secret": "y"}) == {"secret"}


def test_provider_is_a_small_by_reference_pickle_without_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEVREV_TOKEN", "tok-must-not-leak-123")
    [reg] = capture_program(
        quickstart,
        config={"project:webhookSecret": "s3cret-value-1", "devrev:token": "tok-must-not-leak-123"},
    )
    raw = base64.b64decode(reg.provider_blob)
    assert len(raw) < 200
    assert b"tok-must-not-leak" not in raw
    opcodes = [op.name for op, _, _ in pickletools.genops(raw)]
    assert "STACK_GLOBAL" in opcodes or "GLOBAL" in opcodes
    assert b"pulumi_devrev.provider" in raw and b"DevRevWebhookProvider" in raw
    # No code objects: a by-value pickle would carry the class body.
    assert b"co_code" not in raw and b"_create_code" not in raw
    # Not marked secret: it holds nothing worth encrypting.
    assert PROVIDER_KEY not in reg.secret_inputs


def test_provider_pickle_is_the_same_for_every_resource_and_run() -> None:
    def two() -> None:
        DevRevWebhook("a", url="https://h.example/a")
        DevRevWebhook("b", url="https://h.example/b", active=False)

    first = capture_program(two)
    second = capture_program(two)
    assert len({r.provider_blob for r in first + second}) == 1


def test_args_class_and_keywords_register_the_same_inputs() -> None:
    def with_args() -> None:
        DevRevWebhook(
            "h", DevRevWebhookArgs(url="https://h.example/x", event_types=["work_created"])
        )

    def with_keywords() -> None:
        DevRevWebhook("h", url="https://h.example/x", event_types=["work_created"])

    assert capture_program(with_args)[0].inputs == capture_program(with_keywords)[0].inputs


def test_preview_leaves_values_from_other_resources_unknown() -> None:
    def program() -> None:
        first = DevRevWebhook("a", url="https://h.example/a")
        DevRevWebhook("b", url=first.display_id.apply(lambda d: f"https://h.example/{d}"))

    _, second = capture_program(program, preview=True)
    assert isinstance(second.inputs["url"], Unknown)


def test_url_is_required() -> None:
    with pytest.raises(TypeError, match="url"):
        DevRevWebhookArgs(event_types=["work_created"])  # type: ignore[call-arg]


def test_receiver_imports_without_pulumi_or_httpx() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pulumi_devrev.receiver; "
        "assert 'pulumi' not in sys.modules and 'httpx' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
