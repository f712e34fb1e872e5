"""pulumi_devrev.testing.Stack: a whole program folder through the provider host, by the
plugin's ``devrev_stack`` fixture, with every DevRev call counted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_devrev.testing import (
    HostAlreadyConfigured,
    ProviderError,
    ProviderHost,
    Stack,
)
from tests.support import OTHER_TOKEN, TOKEN, Served, closed_port_url

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
TWO_HOOKS = Path(__file__).parent / "programs" / "two_hooks"

MakeStack = Callable[..., Stack]


def test_the_quickstart_folder_through_its_lifecycle(
    devrev_stack: MakeStack, receiver: Served
) -> None:
    # Config keys without a namespace belong to the project named in Pulumi.yaml.
    stack = devrev_stack(
        QUICKSTART,
        config={"receiverUrl": receiver.url + "/a", "webhookSecret": "stack-test-secret-1"},
    )
    assert stack.project == "pulumi-devrev-quickstart"

    preview = stack.preview()
    assert preview.operations == {"quickstart": "create"}
    assert preview.calls == []
    assert stack.outputs == {}

    up = stack.up()
    assert up.operations == {"quickstart": "create"}
    assert up.calls[0] == "webhooks.create"
    hook = up["quickstart"]
    assert hook.outputs["status"] == "active"  # wait_for_active: the receiver answered
    assert hook.outputs["secret"] == "stack-test-secret-1"
    assert hook.shown_outputs["secret"] == "[secret]"
    assert stack.outputs["quickstart"]["url"] == receiver.url + "/a"

    stack.config["receiverUrl"] = receiver.url + "/b"
    moved = stack.preview()
    assert moved.operations == {"quickstart": "update"} and moved.calls == []
    assert any("unverified" in line for line in moved["quickstart"].messages)
    assert stack.up().calls[0] == "webhooks.update"

    refreshed = stack.refresh()
    assert refreshed.calls == ["webhooks.get"]
    assert refreshed["quickstart"].changes is False

    destroyed = stack.destroy()
    assert destroyed.operations == {"quickstart": "delete"}
    assert destroyed.calls == ["webhooks.delete"]
    assert stack.outputs == {}


def test_a_resource_left_out_of_the_program_is_deleted_by_the_next_up(
    devrev_stack: MakeStack,
) -> None:
    stack = devrev_stack(TWO_HOOKS, config={"hooks": "a,b", "url": closed_port_url()})
    assert stack.up().calls == ["webhooks.create", "webhooks.create"]

    stack.config["hooks"] = "a"
    assert stack.preview().operations == {"a": "same", "b": "delete"}
    up = stack.up()
    assert up.operations == {"a": "same", "b": "delete"}
    assert up.calls == ["webhooks.delete"]
    assert list(stack.outputs) == ["a"]


def test_a_resources_urn_names_the_stack_and_the_project(
    devrev_stack: MakeStack,
) -> None:
    stack = devrev_stack(TWO_HOOKS, config={"hooks": "a", "url": closed_port_url()}, stack="prod")
    stack.up()
    [registration] = [d.registration for d in stack.resources.values()]
    assert registration is not None
    assert (
        registration.urn
        == "urn:pulumi:prod::devrev-two-hooks::pulumi-python:dynamic/devrev:Webhook::a"
    )


def test_a_changed_token_is_the_one_the_next_up_sends(
    devrev_stack: MakeStack, devrev_sandbox: Any
) -> None:
    """The engine starts a new provider host for each command, with the config of the day:
    a token set between two commands is used (here it is wrong, so DevRev refuses)."""
    stack = devrev_stack(TWO_HOOKS, config={"hooks": "a", "url": closed_port_url()})
    stack.up()
    stack.config["devrev:token"] = OTHER_TOKEN
    stack.config["eventTypes"] = "work_updated"
    with pytest.raises(ProviderError) as failed:
        stack.up()
    assert "401" in failed.value.message
    [refused] = devrev_sandbox.control.requests()[1:]
    assert refused["path"] == "/webhooks.update" and refused["status"] == 401
    assert TOKEN not in str(failed.value) and OTHER_TOKEN not in str(failed.value)


def test_refresh_and_destroy_use_the_config_of_the_last_up(devrev_stack: MakeStack) -> None:
    """As the engine does: they do not run the program and use the recorded config."""
    stack = devrev_stack(TWO_HOOKS, config={"hooks": "a", "url": closed_port_url()})
    stack.up()
    stack.config["devrev:token"] = OTHER_TOKEN
    assert stack.refresh().calls == ["webhooks.get"]
    assert stack.destroy().calls == ["webhooks.delete"]


def test_missing_program_config_is_pulumis_own_message(devrev_stack: MakeStack) -> None:
    stack = devrev_stack(TWO_HOOKS, config={"url": closed_port_url()})
    with pytest.raises(
        Exception, match="Missing required configuration variable 'devrev-two-hooks:hooks'"
    ):
        stack.preview()


def test_a_second_configure_is_an_error_not_ignored(host: ProviderHost) -> None:
    """The provider keeps its first config: a second Configure would change nothing."""
    with pytest.raises(HostAlreadyConfigured, match="start a new ProviderHost"):
        host.configure({"devrev:token": OTHER_TOKEN})
