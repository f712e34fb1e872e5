"""``DevRevWebhook`` pickles its provider once per process; what it registers is still exactly
what ``pulumi.dynamic.Resource`` registers for the same provider and properties."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.provider import DevRevWebhookProvider
from pulumi_devrev.testing import PROVIDER_KEY, capture_program
from pulumi_devrev.webhook import DevRevWebhookArgs


class _ThroughTheSDK(pulumi.dynamic.Resource, module="devrev", name="Webhook"):
    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(DevRevWebhookProvider(), name, props, opts)


def test_registration_is_what_the_sdk_registers() -> None:
    kwargs: dict[str, Any] = {
        "url": "https://u:p@hooks.example.com/x",
        "event_types": ["work_created"],
        "headers": {"X-Team": "ops"},
    }

    def program() -> None:
        for i in range(3):
            DevRevWebhook(f"hook{i}", **kwargs)
        props = DevRevWebhookArgs(**kwargs).to_props()
        props.update(dict.fromkeys(("display_id", "status", "created_date", "modified_date")))
        props["url"] = pulumi.Output.secret(props["url"])
        _ThroughTheSDK(
            "sdk",
            props,
            pulumi.ResourceOptions(additional_secret_outputs=["secret", "url"]),
        )

    *ours, sdk = capture_program(program)
    for reg in ours:
        assert reg.type == sdk.type == "pulumi-python:dynamic/devrev:Webhook"
        assert reg.inputs == sdk.inputs
        assert reg.secret_inputs == sdk.secret_inputs == {"url"}
        assert reg.additional_secret_outputs == sdk.additional_secret_outputs
    assert sdk.inputs[PROVIDER_KEY]
