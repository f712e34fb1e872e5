"""The example projects as their READMEs tell a user to run them, through the real CLI:
examples/secret-rotation and examples/adopt-existing (the quickstart runs in `make demo`)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.cli import VENV, Stack, offline_env
from tests.e2e.conftest import devrev_calls
from tests.e2e.helpers import ROOT, made_by_hand, quickstart_receiver
from tests.e2e.test_examples import NEW_SECRET, OLD_SECRET, delivered, post_signed
from tests.support import TOKEN, wait_until


def example_stack(cli: Path, tmp_path: Path, sandbox: Any, folder: str) -> Stack:
    """A copy of ``examples/<folder>`` (its virtualenv made absolute, so the copy finds the
    repository's) with a new stack configured for the sandbox."""
    project = tmp_path / folder
    shutil.copytree(ROOT / "examples" / folder, project, ignore=shutil.ignore_patterns(".venv"))
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    settings["runtime"]["options"]["virtualenv"] = str(VENV)
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(settings))
    stack = Stack(cli, project, f"s{uuid.uuid4().hex[:8]}", offline_env(cli, tmp_path))
    stack.init()
    stack.config("devrev:apiUrl", sandbox.url)
    stack.config("devrev:token", TOKEN, secret=True)
    return stack


def test_secret_rotation_as_its_readme_says(
    cli: Path, tmp_path: Path, sandbox: Any, control: Any
) -> None:
    secrets_file = tmp_path / "secrets"
    secrets_file.write_text(f"{OLD_SECRET}\n")
    with quickstart_receiver(DEVREV_WEBHOOK_SECRETS_FILE=str(secrets_file)) as base:
        url = base + "/webhooks/devrev"
        stack = example_stack(cli, tmp_path, sandbox, "secret-rotation")
        stack.config("receiverUrl", url)
        stack.config("webhookSecret", OLD_SECRET, secret=True)
        stack.up()
        hook_id = stack.outputs()["id"]
        assert stack.outputs()["status"] == "active" and delivered(control, hook_id)

        # Step 2: the receiver learns the new secret first. Step 3: config and preview.
        secrets_file.write_text(f"{OLD_SECRET}\n{NEW_SECRET}\n")
        stack.config("webhookSecret", NEW_SECRET, secret=True)
        control.clear_requests()
        preview = stack.preview()
        assert "changing its secret makes it `unverified`" in preview.output
        assert "~ 1 to update" in preview.stdout
        assert devrev_calls(control) == []
        # Step 4: one update; `up` returns once the new secret's challenge was answered.
        up = stack.up()
        calls = devrev_calls(control)
        assert calls[0] == "/webhooks.update" and set(calls[1:]) <= {"/webhooks.get"}
        assert stack.outputs()["status"] == "active" and delivered(control, hook_id)
        assert stack.outputs(show_secrets=True)["secret"] == NEW_SECRET
        assert NEW_SECRET not in up.output and OLD_SECRET not in up.output
        # Steps 5 and 6: old deliveries verify until the old secret is dropped.
        assert post_signed(url, OLD_SECRET) == 200
        secrets_file.write_text(f"{NEW_SECRET}\n")
        assert post_signed(url, OLD_SECRET) == 401
        stack.destroy()
        assert control.webhook(hook_id) is None


def test_adopt_existing_as_its_readme_says(
    cli: Path, tmp_path: Path, sandbox: Any, control: Any
) -> None:
    existing_secret = "made-by-hand-secret-9"
    with quickstart_receiver(DEVREV_WEBHOOK_SECRET=existing_secret) as base:
        url = base + "/webhooks/devrev"
        hook_id = made_by_hand(sandbox, url, existing_secret)
        assert wait_until(lambda: control.webhook(hook_id)["status"] == "active", timeout=10)
        stack = example_stack(cli, tmp_path, sandbox, "adopt-existing")
        stack.config("webhookId", hook_id)
        stack.config("receiverUrl", url)
        control.clear_requests()

        up = stack.up()
        assert f"adopted DevRev webhook {hook_id}" in up.output
        assert devrev_calls(control) == ["/webhooks.get", "/webhooks.update"]
        assert stack.outputs()["id"] == hook_id and stack.outputs()["status"] == "active"
        assert stack.outputs(show_secrets=True)["secret"] == existing_secret
        assert [view["id"] for view in control.webhooks()] == [hook_id]
        assert delivered(control, hook_id)

        control.clear_requests()
        assert "2 unchanged" in stack.up().stdout
        assert devrev_calls(control) == []
