"""Random bodies, content types and methods to every endpoint never produce a 5xx."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_devrev.sandbox.openapi import EVENT_TYPES, load_spec

from .responses import validate_response

PATHS = [
    "/webhooks.create",
    "/webhooks.get",
    "/webhooks.list",
    "/webhooks.update",
    "/webhooks.delete",
]
FIELDS = ["url", "id", "secret", "event_types", "headers", "status", "action", "name", "value"]
ID = "don:integration:dvrv-us-1:devo/abc:webhook/def"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["http://127.0.0.1:9/x", ID, "active", "activate", *EVENT_TYPES[:5], ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.sampled_from([*FIELDS, "add", "remove", "set"]) | st.text(max_size=8),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)
objects = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=6)
bodies = st.one_of(
    objects.map(lambda o: json.dumps(o).encode()),
    values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
content_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "",
            "application/json; charset=x",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
queries = st.dictionaries(st.sampled_from(["id", "status", "x"]), st.text(max_size=30), max_size=3)


def _check(response: httpx.Response, method: str, path: str) -> None:
    assert response.status_code < 500, f"{method} {path} -> {response.status_code}"
    if method == "HEAD":
        return
    body: Any = response.json()
    if method.lower() in load_spec()["paths"].get(path, {}):
        validate_response(path, method, response.status_code, body)
    else:
        assert isinstance(body, dict) and isinstance(body["type"], str)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=methods,
    path=st.sampled_from(PATHS)
    | st.text(max_size=20).map(lambda t: "/" + t.replace("?", "").replace("#", "")),
    content_type=content_types,
    body=bodies,
    query=queries,
)
def test_no_request_makes_the_sandbox_fail(
    api: httpx.Client,
    method: str,
    path: str,
    content_type: str,
    body: bytes,
    query: dict[str, str],
) -> None:
    try:
        request = api.build_request(
            method, path, content=body, params=query, headers={"Content-Type": content_type}
        )
    except (httpx.InvalidURL, UnicodeEncodeError):
        return  # not a request an HTTP client can build
    try:
        response = api.send(request)
    except httpx.LocalProtocolError:
        return  # not a request an HTTP client can send (e.g. a blank header value)
    _check(response, method, request.url.path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PATHS), body=objects)
def test_json_objects_to_every_endpoint_never_fail(
    api: httpx.Client, path: str, body: dict[str, Any]
) -> None:
    _check(api.post(path, json=body), "POST", path)
