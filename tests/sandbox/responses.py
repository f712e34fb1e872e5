"""Checking the sandbox's *responses* against DevRev's spec: test-only, so not shipped.

OpenAPI 3.0 schemas are *almost* JSON Schema. For responses, one difference matters and is
bridged explicitly: ``discriminator`` + ``oneOf`` is not plain JSON Schema. The error
schemas put the discriminated ``oneOf`` inside an ``allOf`` with ``error-base`` while the
variants say ``additionalProperties: false``: read literally, no error body could ever be
valid, because the variant forbids the ``type`` and ``message`` its parent adds. Response
validation rewrites each discriminator into ``if``/``then`` branches selected by the
mapping, and moves a strict variant's closedness to the outermost schema as
``unevaluatedProperties: false``, which sees the properties of the whole composition.

(Moved out of ``pulumi_devrev.sandbox.openapi``, which keeps what the sandbox needs at run
time: the spec and request validation.)
"""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from pulumi_devrev.sandbox.openapi import load_spec

_RESPONSE_URI = "urn:pulumi-devrev:devrev-openapi:responses"
_SCHEMAS = "#/components/schemas/"


class SpecMismatch(AssertionError):
    """A response body does not match what the spec declares.

    An AssertionError so that pytest reports it as a failed expectation. The message names
    JSON paths and schema keywords, never the values found, so secrets in a response cannot
    leak into test output.
    """


def _is_discriminated(node: object) -> bool:
    return isinstance(node, dict) and "discriminator" in node and "oneOf" in node


def _mapping(node: dict[str, Any]) -> dict[str, str]:
    """The discriminator mapping, value -> component name (implicit mappings use names)."""
    explicit: dict[str, str] = node["discriminator"].get("mapping") or {}
    if explicit:
        return {value: ref.removeprefix(_SCHEMAS) for value, ref in explicit.items()}
    names = [item["$ref"].removeprefix(_SCHEMAS) for item in node["oneOf"]]
    return {name: name for name in names}


class _DiscriminatorRewriter:
    """Turns an OpenAPI document's discriminators into plain Draft 2020-12 (see module doc)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.original = spec["components"]["schemas"]
        self.doc = copy.deepcopy(spec)
        self.variants: dict[str, Any] = {}
        self.doc["x-sandbox-variants"] = self.variants
        self.variant_names = {
            name
            for node in _walk(spec["components"]["schemas"])
            if _is_discriminated(node)
            for name in _mapping(node).values()
        }

    def rewrite(self) -> dict[str, Any]:
        schemas = self.doc["components"]["schemas"]
        for name in list(schemas):
            if self._needs_closing(self.original[name], set()) and name not in self.variant_names:
                # The outermost schema of a composition sees every property the base, the
                # discriminating parent and the selected variant evaluated.
                schemas[name]["unevaluatedProperties"] = False
            self._rewrite_tree(schemas[name])
        return self.doc

    def _strict(self, name: str, seen: set[str]) -> bool:
        """Whether variant ``name`` is closed, itself or through its own discriminator."""
        schema = self.original[name]
        if schema.get("additionalProperties") is False:
            return True
        return self._needs_closing(schema, seen)

    def _needs_closing(self, node: object, seen: set[str]) -> bool:
        """Whether ``node`` composes (in place) a discriminator with a closed variant."""
        if not isinstance(node, dict):
            return False
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            target = ref.removeprefix(_SCHEMAS)
            if target in seen:
                return False
            return self._needs_closing(self.original[target], seen | {target})
        if _is_discriminated(node) and any(
            self._strict(name, seen | {name}) for name in _mapping(node).values()
        ):
            return True
        return any(self._needs_closing(member, seen) for member in node.get("allOf", []))

    def _rewrite_tree(self, root: Any) -> None:
        for node in list(_walk(root)):
            if _is_discriminated(node):
                self._rewrite_node(node)

    def _rewrite_node(self, node: dict[str, Any]) -> None:
        prop = node["discriminator"]["propertyName"]
        mapping = _mapping(node)
        branches: list[dict[str, Any]] = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": {"$ref": self._variant_ref(name)},
            }
            for value, name in mapping.items()
        ]
        # A discriminator value outside the mapping matches no variant: invalid.
        branches.append({"properties": {prop: {"enum": list(mapping)}}, "required": [prop]})
        del node["discriminator"], node["oneOf"]
        node.setdefault("allOf", []).extend(branches)

    def _variant_ref(self, name: str) -> str:
        if name not in self.variants:
            clone = copy.deepcopy(self.original[name])
            if clone.get("additionalProperties") is False:
                # Closedness moves to the outermost schema (unevaluatedProperties).
                del clone["additionalProperties"]
            elif not _is_discriminated(clone):
                # An open variant evaluates every property, so the outer
                # unevaluatedProperties does not close what the spec leaves open.
                clone["additionalProperties"] = True
            self.variants[name] = clone
            self._rewrite_tree(clone)
        return f"#/x-sandbox-variants/{name}"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside ``node``, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


@functools.cache
def _response_registry() -> Registry[Any]:
    doc = _DiscriminatorRewriter(load_spec()).rewrite()
    registry: Registry[Any] = Registry().with_resource(
        _RESPONSE_URI, DRAFT202012.create_resource(doc)
    )
    return registry


_format_checker = FormatChecker(formats=())


@_format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.datetime.fromisoformat(value)
    return parsed.tzinfo is not None


def _pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _response_pointer(path: str, method: str, status: int) -> str:
    spec = load_spec()
    operation = spec["paths"].get(path, {}).get(method.lower())
    if operation is None:
        raise SpecMismatch(f"the spec has no operation {method.upper()} {path}")
    response = operation["responses"].get(str(status))
    if response is None:
        declared = ", ".join(sorted(operation["responses"]))
        raise SpecMismatch(
            f"{method.upper()} {path} declares no {status} response (declared: {declared})"
        )
    pointer = "/".join(
        ["", "paths", _pointer_escape(path), method.lower(), "responses", str(status)]
    )
    ref = response.get("$ref")
    if isinstance(ref, str):
        pointer = ref.removeprefix("#")
    return pointer + "/content/application~1json/schema"


@functools.cache
def _response_validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{_RESPONSE_URI}#{pointer}"},
        registry=_response_registry(),
        format_checker=_format_checker,
    )


def validate_response(path: str, method: str, status: int, body: object) -> None:
    """Raise :class:`SpecMismatch` unless ``body`` is what the spec declares.

    ``path`` is the operation path (``/webhooks.create``), ``method`` the HTTP method,
    ``status`` the HTTP status. Discriminated error bodies are checked with discriminator
    semantics: the variant is chosen by ``type`` and unknown properties of a closed variant
    are errors. ``date-time`` formats are checked too.
    """
    validator = _response_validator(_response_pointer(path, method, status))
    problems = sorted({_describe(error) for error in validator.iter_errors(body)})
    if problems:
        raise SpecMismatch(
            f"{method.upper()} {path} {status} body does not match the spec: " + "; ".join(problems)
        )


def _describe(error: ValidationError) -> str:
    """Where and which rule failed, without the instance (it may hold a secret)."""
    where = "$" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    keyword = str(error.validator)
    if keyword in ("unevaluatedProperties", "additionalProperties"):
        # jsonschema's message for these names the unexpected keys, never their values.
        return f"{where}: {error.message}"
    if keyword in ("type", "enum", "const", "required", "format"):
        return f"{where}: fails {keyword} {error.validator_value!r}"
    return f"{where}: fails {keyword}"
