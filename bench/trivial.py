"""The baseline: a dynamic provider that does nothing, in an importable module.

Pickled by reference like ``DevRevWebhookProvider`` (a provider defined in a program's
``__main__`` would be pickled by value, a different and slower path), so the difference between
the two is pulumi-devrev's own cost.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ResourceProvider, UpdateResult


class TrivialProvider(ResourceProvider):
    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult({k: v for k, v in news.items() if k != "__provider"}, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != v for k, v in news.items() if k != "__provider")
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("trivial-" + str(props.get("url", "")), dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class Trivial(pulumi.dynamic.Resource, module="bench", name="Trivial"):
    """A dynamic resource with the inputs it is given."""

    def __init__(self, name: str, **props: Any) -> None:
        super().__init__(TrivialProvider(), name, props)
