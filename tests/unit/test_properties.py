"""``inputs.PROPERTIES`` is the one declaration of DevRevWebhook's properties: what the resource
registers, the typed signatures written out for IDEs and mypy, the pydantic spec and the plan's
view of a webhook all agree with it."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import typing
from pathlib import Path
from typing import Any

import pulumi
import pytest

from pulumi_devrev import inputs, webhook
from pulumi_devrev.inputs import (
    COMPARED,
    COMPARED_FIELDS,
    INPUT_NAMES,
    OUTPUT_ONLY,
    OUTPUT_ONLY_NAMES,
    PROPERTIES,
    PROVIDER_ONLY,
    PROVIDER_ONLY_INPUTS,
    Kind,
    unknown_names,
)
from pulumi_devrev.models import Webhook, WebhookSpec
from pulumi_devrev.plan import Observed, inputs_from_live, outputs, steering
from pulumi_devrev.testing import PROVIDER_KEY, capture_program
from pulumi_devrev.webhook import DevRevWebhook, DevRevWebhookArgs

NAMES = [p.name for p in PROPERTIES]
EVERY_INPUT: dict[str, Any] = {
    "url": "https://hooks.example.com/x",
    "event_types": ["work_created"],
    "secret": "a-secret-of-ours",
    "active": True,
    "headers": {"X-Team": "ops"},
    "wait_for_active": True,
    "verification_timeout": 30,
    "on_verification_timeout": "warn",
    "adopt_id": "don:integration:dvrv-us-1:devo/0:webhook/abc",
}


def test_every_name_is_declared_once_with_one_kind() -> None:
    assert len(NAMES) == len(set(NAMES))
    assert {p.kind for p in PROPERTIES} == set(typing.get_args(Kind))
    assert (COMPARED, PROVIDER_ONLY, OUTPUT_ONLY) == typing.get_args(Kind)


def test_the_lists_of_names_are_the_tables() -> None:
    def of(kind: Kind) -> tuple[str, ...]:
        return tuple(p.name for p in PROPERTIES if p.kind == kind)

    assert COMPARED_FIELDS == of(COMPARED) == ("url", "event_types", "secret", "active", "headers")
    assert PROVIDER_ONLY_INPUTS == of(PROVIDER_ONLY)
    assert OUTPUT_ONLY_NAMES == of(OUTPUT_ONLY)
    assert INPUT_NAMES == COMPARED_FIELDS + PROVIDER_ONLY_INPUTS
    # Every input is checked; an output-only property is never an input.
    assert tuple(p.name for p in PROPERTIES if p.check is not None) == INPUT_NAMES


def test_every_declared_name_passes_as_no_mistake() -> None:
    assert unknown_names(dict.fromkeys(NAMES)) == []


def test_compared_provider_only_and_output_only_partition_what_the_resource_registers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The keys ``DevRevWebhook`` passes to the engine (each becomes an output of the
    resource), as ``pulumi.CustomResource.__init__`` receives them."""
    registered: list[dict[str, Any]] = []
    register = pulumi.CustomResource.__init__

    def spy(self: Any, t: str, name: str, props: dict[str, Any], *rest: Any, **kw: Any) -> None:
        registered.append(dict(props))
        register(self, t, name, props, *rest, **kw)

    monkeypatch.setattr(pulumi.CustomResource, "__init__", spy)
    made: list[DevRevWebhook] = []

    def program() -> None:
        made.append(DevRevWebhook("given", **EVERY_INPUT))
        made.append(DevRevWebhook("minimal", url="https://hooks.example.com/y"))
        made.append(DevRevWebhook("args", DevRevWebhookArgs(url="https://hooks.example.com/z")))

    regs = capture_program(program)

    compared, provider_only, output_only = (
        set(COMPARED_FIELDS),
        set(PROVIDER_ONLY_INPUTS),
        set(OUTPUT_ONLY_NAMES),
    )
    assert not compared & provider_only and not compared & output_only
    assert not provider_only & output_only
    assert len(registered) == 3
    for props in registered:
        assert set(props) - {PROVIDER_KEY} == compared | provider_only | output_only
    # Each registered key is an output of the resource object, as the SDK makes them.
    for hook in made:
        outs = {k for k, v in vars(hook).items() if isinstance(v, pulumi.Output)}
        assert outs - {"id", "urn", PROVIDER_KEY} == compared | provider_only | output_only
    # What reaches the engine: the inputs given (the SDK leaves out None values).
    assert set(regs[0].inputs) - {PROVIDER_KEY} == compared | provider_only


def test_args_parameters_are_the_inputs_in_the_tables_order() -> None:
    params = list(inspect.signature(DevRevWebhookArgs.__init__).parameters.values())[1:]
    assert tuple(p.name for p in params) == INPUT_NAMES
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
    assert [p.name for p in params if p.default is inspect.Parameter.empty] == ["url"]
    assert all(p.default is None for p in params[1:])
    assert DevRevWebhookArgs(**EVERY_INPUT).to_props() == EVERY_INPUT


def test_the_keyword_overload_takes_the_inputs_as_the_args_class_does() -> None:
    args = inspect.signature(DevRevWebhookArgs.__init__).parameters
    [keywords] = [
        o
        for o in typing.get_overloads(DevRevWebhook.__init__)
        if "args" not in inspect.signature(o).parameters
    ]
    params = inspect.signature(keywords).parameters
    given = [n for n in params if n not in ("self", "resource_name", "opts")]
    assert tuple(given) == INPUT_NAMES
    for name in given:  # the same annotation and default (both written out)
        assert (params[name].annotation, params[name].default) == (
            args[name].annotation,
            args[name].default,
        )
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


def test_the_outputs_type_checkers_see_are_the_compared_and_output_only_properties() -> None:
    tree = ast.parse(Path(webhook.__file__).read_text(encoding="utf-8"))
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "DevRevWebhook"]
    [block] = [n for n in cls.body if isinstance(n, ast.If)]
    assert ast.unparse(block.test) == "TYPE_CHECKING"
    declared = [
        n.target.id
        for n in block.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    ]
    assert sorted(declared) == sorted(COMPARED_FIELDS + OUTPUT_ONLY_NAMES)


def test_the_spec_fields_are_the_compared_and_provider_only_inputs() -> None:
    assert tuple(WebhookSpec.model_fields) == COMPARED_FIELDS + PROVIDER_ONLY_INPUTS
    spec = WebhookSpec.model_validate({"url": EVERY_INPUT["url"]})
    for p in PROPERTIES:
        if p.kind != OUTPUT_ONLY and p.default is not inputs._MISSING:
            assert getattr(spec, p.name) == p.default, p.name


def test_the_plan_reads_and_writes_every_property() -> None:
    live = Webhook.model_validate(
        {
            "id": "don:integration:dvrv-us-1:devo/0:webhook/a",
            "url": "https://h.example/x",
            "status": "active",
            "secret": "generated-1234",
            "event_types": ["work_created"],
            "headers": [{"name": "X-Team", "value": "ops"}],
            "display_id": "webhook-1",
            "created_date": "2026-01-01T00:00:00.000Z",
            "modified_date": "2026-01-02T00:00:00.000Z",
        }
    )
    settings = steering(EVERY_INPUT)

    assert set(settings) == set(PROVIDER_ONLY_INPUTS)
    assert set(outputs(live, {})) == set(COMPARED_FIELDS + OUTPUT_ONLY_NAMES)
    assert set(outputs(live, settings)) == set(NAMES)
    # Refresh records every input but the secret (never stored as a plain input).
    assert set(inputs_from_live(live, EVERY_INPUT)) == set(INPUT_NAMES) - {"secret"}
    # changed_fields reads each compared field off the webhook as observed.
    assert set(COMPARED_FIELDS) <= {f.name for f in dataclasses.fields(Observed)}


def test_the_benchmarks_baseline_registers_the_same_properties() -> None:
    """bench/worker.py's ``custom14`` baseline writes the names out (it imports only the
    standard library before its clock starts): they must stay DevRevWebhook's."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "bench" / "worker.py"
    spec = importlib.util.spec_from_file_location("bench_worker", path)
    assert spec is not None and spec.loader is not None
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    assert worker.KEYS == (*NAMES, PROVIDER_KEY)
