"""Program capture: what a Pulumi program registers, as the SDK would send it to the engine.

:func:`capture_program` runs a program under ``pulumi.runtime.set_mocks`` and returns one
:class:`Registration` per custom resource (inputs, ``__provider``, secret markers, the id of a
resource read with ``ResourceOptions(id=...)``). Under mocks alone no provider is called.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic.dynamic import PROVIDER_KEY as PROVIDER_KEY  # "__provider", the SDK's
from pulumi.runtime import rpc


@dataclass
class Registration:
    """One resource as the SDK registers it with the engine."""

    type: str
    name: str
    inputs: dict[str, Any]
    """Plain values (the engine strips secret markers before calling a provider); values not
    known during preview are ``pulumi.output.Unknown``."""
    secret_inputs: set[str] = field(default_factory=set)
    additional_secret_outputs: list[str] = field(default_factory=list)
    read_id: str = ""
    """Set for a resource read with ``ResourceOptions(id=...)`` (e.g. ``DevRevWebhook.get``):
    the engine calls ``Read`` for it instead of creating anything."""
    project: str = "project"
    stack: str = "stack"

    @property
    def provider_blob(self) -> str:
        return str(self.inputs[PROVIDER_KEY])

    @property
    def urn(self) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{self.type}::{self.name}"

    def secret_outputs(self, outputs: Mapping[str, Any]) -> set[str]:
        """Output keys the engine stores encrypted: named as secret, or secret as inputs."""
        return {
            k for k in outputs if k in self.additional_secret_outputs or k in self.secret_inputs
        }


def capture_program(
    program: Callable[[], None],
    *,
    config: Mapping[str, str] | None = None,
    preview: bool = False,
    project: str = "project",
    stack: str = "stack",
) -> list[Registration]:
    """Run ``program`` under Pulumi's mocks and return every custom resource it registered
    or read.

    It runs in a thread of its own so Pulumi's context variables (root stack, config) start
    fresh each time. ``config`` uses namespaced keys (``project:key``): ``pulumi.Config()``
    in the program reads the keys of ``project``.
    """
    from pulumi.runtime import Mocks, set_mocks
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs
    from pulumi.runtime.settings import SETTINGS

    registrations: list[Registration] = []
    errors: list[BaseException] = []

    def registration(request: Any, properties: Any, read_id: str = "") -> Registration:
        raw = rpc.deserialize_properties(properties, keep_unknowns=True)
        return Registration(
            type=request.type,
            name=request.name,
            inputs=_unwrap_secrets(raw),
            secret_inputs={k for k, v in raw.items() if rpc.is_rpc_secret(v)},
            additional_secret_outputs=list(request.additionalSecretOutputs),
            read_id=read_id,
            project=project,
            stack=stack,
        )

    class _Mocks(Mocks):
        def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
            return (f"{args.name}-id", dict(args.inputs))

        def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
            return ({}, None)

    class _Monitor(MockMonitor):
        def RegisterResource(self, request: Any) -> Any:
            if request.custom:
                registrations.append(registration(request, request.object))
            return super().RegisterResource(request)  # type: ignore[no-untyped-call]

        def ReadResource(self, request: Any) -> Any:
            registrations.append(registration(request, request.properties, request.id))
            return super().ReadResource(request)  # type: ignore[no-untyped-call]

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            mocks = _Mocks()
            set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=_Monitor(mocks))
            # Pulumi keeps pending outputs in a set that outlives a run (as its own
            # mocks.test decorator does, start from an empty one): a failed program's would
            # be awaited here, on their closed loop.
            SETTINGS.outputs.clear()
            SETTINGS.rpc_manager.clear()
            set_all_config(dict(config or {}))
            program()
            from pulumi.runtime.stack import wait_for_rpcs

            loop.run_until_complete(wait_for_rpcs())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)
        finally:
            _cancel_pending(loop)
            loop.close()

    worker = threading.Thread(target=run, name="pulumi-program")
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return registrations


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a failed program left running, so closing the loop prints no warnings."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _unwrap_secrets(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return _unwrap_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value
