"""The quickstart through the real Pulumi engine: the CLI, driven by the Automation API.

Skipped, with the reason, where `pulumi` is not on PATH (it cannot be installed from the
package registries this project's machines reach; see https://www.pulumi.com/docs/install/).
The stack lives in a temporary local backend; the sandbox plays DevRev and the quickstart
receiver is the endpoint.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import ROOT, quickstart_receiver
from tests.support import TOKEN

pytestmark = pytest.mark.skipif(
    shutil.which("pulumi") is None,
    reason="the pulumi CLI is not on PATH (install: https://www.pulumi.com/docs/install/)",
)

SECRET = "real-cli-secret-0001"


def test_quickstart_stack_previews_creates_moves_refreshes_and_destroys(
    sandbox: Any, control: Any, tmp_path: Path
) -> None:
    from pulumi import automation as auto

    (tmp_path / "state").mkdir()
    (tmp_path / "home").mkdir()
    env = {
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase-not-secret",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    with quickstart_receiver(DEVREV_WEBHOOK_SECRET=SECRET) as base:
        stack = auto.create_stack(
            name,
            work_dir=str(ROOT),  # the root Pulumi.yaml: main is examples/quickstart/
            opts=auto.LocalWorkspaceOptions(env_vars=env, pulumi_home=str(tmp_path / "home")),
        )
        try:
            stack.set_all_config(
                {
                    "devrev:apiUrl": auto.ConfigValue(sandbox.url),
                    "devrev:token": auto.ConfigValue(TOKEN, secret=True),
                    "receiverUrl": auto.ConfigValue(base + "/webhooks/devrev"),
                    "webhookSecret": auto.ConfigValue(SECRET, secret=True),
                }
            )

            preview = stack.preview()
            assert preview.change_summary.get(auto.OpType.CREATE) == 1

            up = stack.up()
            assert up.outputs["status"].value == "active"
            assert up.outputs["secret"].secret
            webhook_id = up.outputs["id"].value
            assert control.webhook(webhook_id)["url"] == base + "/webhooks/devrev"

            stack.set_config("receiverUrl", auto.ConfigValue(base + "/webhooks/devrev-next"))
            preview = stack.preview()
            assert preview.change_summary.get(auto.OpType.UPDATE) == 1
            assert "changing its url makes it `unverified`" in preview.stdout

            up = stack.up()
            assert up.outputs["status"].value == "active"
            assert control.webhook(webhook_id)["url"] == base + "/webhooks/devrev-next"
            assert SECRET not in up.stdout and TOKEN not in up.stdout

            stack.refresh(show_secrets=False)
            stack.destroy()
            assert control.webhook(webhook_id) is None
        finally:
            with contextlib.suppress(Exception):
                stack.destroy()
            with contextlib.suppress(Exception):
                stack.workspace.remove_stack(name, force=True)
            (ROOT / f"Pulumi.{name}.yaml").unlink(missing_ok=True)
