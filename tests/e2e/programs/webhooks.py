"""A Pulumi program whose webhooks come from stack config, so one stack can walk through
every change a user makes, step by step, through the real CLI.

Config ``webhooks`` (JSON): ``{name: {input: value, ..., "options": {...}}}``, where
``"secret_config": KEY`` takes the ``secret`` input from the secret config value ``KEY``
(``"url_config": KEY`` the ``url`` input from config ``KEY``, as a plain string),
``"get": ID`` reads a webhook with ``DevRevWebhook.get`` instead of managing one, and
``options`` holds resource options: ``protect``, ``retain_on_delete``, ``ignore_changes``,
``aliases`` (old names), ``depends_on`` (names of other resources) and ``import``.
Config ``endpoints`` (JSON list of names): ``Endpoint`` resources, a stand-in for the
receiver a webhook points at, so a webhook can depend on one.
Every webhook's id, status, url and secret are exported under its name.
"""

import json
import time
from typing import Any

import pulumi
import pulumi.dynamic

from pulumi_devrev import DevRevWebhook


class EndpointProvider(pulumi.dynamic.ResourceProvider):
    """Takes a moment to "deploy", so the order the engine runs steps in shows."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        time.sleep(1.0)
        return pulumi.dynamic.CreateResult(id_=props["name"], outs=props)

    def delete(self, id: str, props: dict[str, Any]) -> None:
        time.sleep(1.0)


class Endpoint(pulumi.dynamic.Resource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(EndpointProvider(), name, {"name": name}, opts)


config = pulumi.Config()
resources: dict[str, pulumi.Resource] = {}
for endpoint in json.loads(config.get("endpoints") or "[]"):
    resources[endpoint] = Endpoint(endpoint)

for name, spec in json.loads(config.get("webhooks") or "{}").items():
    inputs = dict(spec)
    options = inputs.pop("options", {})
    if "get" in inputs:
        hook = DevRevWebhook.get(name, inputs["get"])
    else:
        if "secret_config" in inputs:
            inputs["secret"] = config.require_secret(inputs.pop("secret_config"))
        if "url_config" in inputs:  # a plain string in the program, as if written there
            inputs["url"] = config.require(inputs.pop("url_config"))
        hook = DevRevWebhook(
            name,
            **inputs,
            opts=pulumi.ResourceOptions(
                protect=options.get("protect"),
                retain_on_delete=options.get("retain_on_delete"),
                ignore_changes=options.get("ignore_changes"),
                aliases=[pulumi.Alias(name=old) for old in options.get("aliases", [])],
                depends_on=[resources[other] for other in options.get("depends_on", [])],
                import_=options.get("import"),
            ),
        )
    resources[name] = hook
    pulumi.export(
        name, {"id": hook.id, "status": hook.status, "url": hook.url, "secret": hook.secret}
    )
