"""The example programs, run as `pulumi` would run them, through the SDK's provider host.

Each example's ``__main__.py`` runs under Pulumi's mocks (what it registers is what the SDK
would send the engine), then the provider host makes the engine's calls against the sandbox.
The tests follow each README's steps and check what it promises.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import yaml

from pulumi_devrev.receiver import sign_body
from pulumi_devrev.testing import Deployment, ProviderError, ProviderHost, Registration
from pulumi_devrev.testing import capture_program as capture
from tests.e2e.helpers import (
    QUICKSTART,
    ROOT,
    config_for,
    made_by_hand,
    quickstart_receiver,
)
from tests.support import TOKEN, wait_until

OLD_SECRET = "rotation-old-secret-01"
NEW_SECRET = "rotation-new-secret-02"
WORK = {"work": {"id": "don:core:dvrv-us-1:devo/1:issue/7", "display_id": "ISS-7"}}


def example(folder: str, **config: str) -> Registration:
    """Run ``examples/<folder>/__main__.py`` with this stack config; its one webhook."""
    directory = ROOT / "examples" / folder
    project = yaml.safe_load((directory / "Pulumi.yaml").read_text())["name"]

    def program() -> None:
        runpy.run_path(str(directory / "__main__.py"), run_name="__main__")

    [registration] = capture(program, config=config_for(project, **config), project=project)
    return registration


def delivered(control: Any, webhook_id: str) -> bool:
    """Whether the sandbox can deliver a signed object event that the receiver accepts."""
    return bool(control.send_event(webhook_id, "work_created", WORK)["delivered"])


def post_signed(url: str, secret: str) -> int:
    """POST a delivery signed with ``secret`` straight to the receiver; its HTTP status."""
    body = json.dumps(
        {
            "id": "evt-retried-1",
            "webhook_id": "don:integration:dvrv-us-1:devo/1:webhook/1",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "type": "work_updated",
            "work_updated": WORK,
        }
    ).encode()
    signature = sign_body(body, secret)
    return httpx.post(url, content=body, headers={"X-DevRev-Signature": signature}).status_code


# -- quickstart ---------------------------------------------------------------------------------


def test_quickstart_declares_a_webhook_that_waits_for_verification() -> None:
    reg = example(
        "quickstart", receiverUrl="http://127.0.0.1:8080/webhooks/devrev", webhookSecret=OLD_SECRET
    )

    assert reg.type == "pulumi-python:dynamic/devrev:Webhook"
    assert reg.inputs["url"] == "http://127.0.0.1:8080/webhooks/devrev"
    assert set(reg.inputs["event_types"]) == {"work_created", "work_updated", "work_deleted"}
    assert reg.inputs["wait_for_active"] is True
    assert reg.inputs["verification_timeout"] == 60
    # The secret comes from config as a Pulumi secret and stays one as an output.
    assert reg.secret_inputs == {"secret"}
    assert "secret" in reg.additional_secret_outputs


def test_quickstart_receiver_refuses_to_start_without_a_secret() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, str(QUICKSTART / "receiver.py"), "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "DEVREV_WEBHOOK_SECRET" in result.stderr


# -- secret rotation ----------------------------------------------------------------------------


def test_secret_rotation_steps_keep_every_delivery_verifiable(
    control: Any, host: ProviderHost, tmp_path: Any
) -> None:
    secrets_file = tmp_path / "secrets"
    secrets_file.write_text(f"{OLD_SECRET}\n")
    with quickstart_receiver(DEVREV_WEBHOOK_SECRETS_FILE=str(secrets_file)) as base:
        url = base + "/webhooks/devrev"
        deployment = Deployment(host)
        deployment.up(example("secret-rotation", receiverUrl=url, webhookSecret=OLD_SECRET))
        assert deployment.id is not None and deployment.outputs["status"] == "active"
        assert delivered(control, deployment.id)

        # Step 2: the receiver learns the new secret first, keeping the old one.
        secrets_file.write_text(f"{OLD_SECRET}\n{NEW_SECRET}\n")
        # Step 3: the preview warns that deliveries pause until the handshake.
        rotated = example("secret-rotation", receiverUrl=url, webhookSecret=NEW_SECRET)
        preview = deployment.preview(rotated)
        assert preview.operation == "update"
        assert any("changing its secret makes it `unverified`" in ln for ln in preview.output)
        # Step 4: one update; `up` returns once the challenge signed with the new secret
        # has been answered.
        control.clear_requests()
        deployment.up(rotated)
        calls = [entry["path"] for entry in control.requests()]
        assert calls.count("/webhooks.update") == 1 and "/webhooks.create" not in calls
        assert deployment.outputs["status"] == "active"
        [handshake] = [d for d in control.deliveries(deployment.id) if d["type"] == "verify"][-1:]
        assert handshake["ok"] and handshake["url"].endswith("/webhooks/devrev")
        assert delivered(control, deployment.id)
        # Step 5: a retry of a delivery signed before the change still verifies.
        assert post_signed(url, OLD_SECRET) == 200
        # Step 6: once the old secret is dropped, only the new one verifies.
        secrets_file.write_text(f"{NEW_SECRET}\n")
        assert post_signed(url, OLD_SECRET) == 401
        assert delivered(control, deployment.id)
        deployment.destroy()


def test_secret_rotation_fails_clearly_when_the_receiver_does_not_know_the_new_secret(
    control: Any, host: ProviderHost
) -> None:
    # Skipping step 2: the receiver refuses the challenge signed with the new secret.
    with quickstart_receiver(DEVREV_WEBHOOK_SECRET=OLD_SECRET) as base:
        url = base + "/webhooks/devrev"
        deployment = Deployment(host)
        deployment.up(example("secret-rotation", receiverUrl=url, webhookSecret=OLD_SECRET))
        rotated = example(
            "secret-rotation", receiverUrl=url, webhookSecret=NEW_SECRET, verificationTimeout="2"
        )

        with pytest.raises(ProviderError) as failure:
            deployment.up(rotated)

        assert "still unverified" in failure.value.message
        assert "challenge" in failure.value.message
        assert NEW_SECRET not in failure.value.details
        assert deployment.id is not None
        assert not delivered(control, deployment.id)


# -- adopting an existing webhook -----------------------------------------------------------


def test_adopting_keeps_the_webhook_its_id_and_its_secret(
    sandbox: Any, control: Any, host: ProviderHost
) -> None:
    existing_secret = "made-by-hand-secret-9"
    with quickstart_receiver(DEVREV_WEBHOOK_SECRET=existing_secret) as base:
        url = base + "/webhooks/devrev"
        webhook_id = made_by_hand(sandbox, url, existing_secret)
        assert wait_until(lambda: control.webhook(webhook_id)["status"] == "active", timeout=10)
        control.clear_requests()

        deployment = Deployment(host)
        adopted = deployment.up(example("adopt-existing", webhookId=webhook_id, receiverUrl=url))

        assert deployment.id == webhook_id
        assert any(f"adopted DevRev webhook {webhook_id}" in ln for ln in adopted.output)
        # Read, then one update for the one difference (event types); never a create, and
        # neither url nor secret resent (either would restart verification).
        calls = control.requests()
        assert [entry["path"] for entry in calls] == ["/webhooks.get", "/webhooks.update"]
        assert set(calls[1]["body"]) == {"id", "event_types"}
        assert deployment.outputs["secret"] == existing_secret
        assert deployment.outputs["status"] == "active"
        listed = httpx.get(
            f"{sandbox.url}/webhooks.list", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()["webhooks"]
        assert [hook["id"] for hook in listed] == [webhook_id]
        assert delivered(control, webhook_id)

        # adopt_id has no effect afterwards: the same webhook without it shows no change.
        def without_adopt_id() -> None:
            from pulumi_devrev import DevRevWebhook

            DevRevWebhook(
                "adopted",
                url=url,
                event_types=["work_created", "work_updated"],
                wait_for_active=True,
            )

        [plain] = capture(without_adopt_id, project="pulumi-devrev-adopt-existing")
        assert deployment.preview(plain).operation == "same"

        # Managed from now on: destroy deletes it at DevRev.
        deployment.destroy()
        assert control.webhook(webhook_id) is None


def test_adopting_an_unknown_id_fails_without_creating_anything(
    control: Any, host: ProviderHost
) -> None:
    missing = "don:integration:dvrv-us-1:devo/0:webhook/missing1"
    deployment = Deployment(host)

    with pytest.raises(ProviderError) as failure:
        deployment.up(
            example("adopt-existing", webhookId=missing, receiverUrl="http://127.0.0.1:9/x")
        )

    assert "adopt_id" in failure.value.message and missing in failure.value.message
    assert [entry["path"] for entry in control.requests()] == ["/webhooks.get"]
