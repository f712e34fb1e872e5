"""The sandbox rejects what DevRev rejects, each time with the right 400 type and field.

Every error body is validated against the spec's error schema for its status.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl

from .helpers import (
    closed_port_url,
    create,
    expect,
    expect_error,
    ids,
    public,
    require_same_secret,
)

URL = closed_port_url()
NINE_HEADERS = [{"name": f"X-{i}", "value": "v"} for i in range(9)]


@pytest.mark.parametrize(
    ("body", "error_type", "field_name"),
    [
        ({}, "missing_required_field", "url"),
        ({"url": 5}, "unexpected_json_type", "url"),
        ({"url": None}, "unexpected_json_type", "url"),
        ({"url": "ftp://example.com/x"}, "value_not_permitted", "url"),
        ({"url": "/relative/path"}, "value_not_permitted", "url"),
        ({"url": "http://"}, "value_not_permitted", "url"),
        ({"url": "http://exa mple.com/"}, "value_not_permitted", "url"),
        ({"url": "http://example.com:99999/"}, "value_not_permitted", "url"),
        ({"url": URL, "colour": "red"}, "invalid_field", "colour"),
        ({"url": URL, "event_types": "work_created"}, "unexpected_json_type", "event_types"),
        ({"url": URL, "event_types": ["work_creatd"]}, "invalid_enum_value", "event_types[0]"),
        ({"url": URL, "event_types": [True]}, "unexpected_json_type", "event_types[0]"),
        ({"url": URL, "secret": "7-bytes"}, "value_not_permitted", "secret"),
        ({"url": URL, "secret": ""}, "value_not_permitted", "secret"),
        ({"url": URL, "secret": "x" * 33}, "value_not_permitted", "secret"),
        # 11 characters, 33 bytes: the limit is in bytes.
        ({"url": URL, "secret": "€" * 11}, "value_not_permitted", "secret"),
        ({"url": URL, "secret": 12345678}, "unexpected_json_type", "secret"),
        ({"url": URL, "headers": NINE_HEADERS}, "value_not_permitted", "headers"),
        ({"url": URL, "headers": {"X-A": "1"}}, "unexpected_json_type", "headers"),
        (
            {"url": URL, "headers": [{"name": "X Bad", "value": "v"}]},
            "value_not_permitted",
            "headers[0].name",
        ),
        (
            {"url": URL, "headers": [{"name": "X.Bad", "value": "v"}]},
            "value_not_permitted",
            "headers[0].name",
        ),
        (
            {"url": URL, "headers": [{"name": "Ünï", "value": "v"}]},
            "value_not_permitted",
            "headers[0].name",
        ),
        (
            {"url": URL, "headers": [{"name": "", "value": "v"}]},
            "value_not_permitted",
            "headers[0].name",
        ),
        (
            {"url": URL, "headers": [{"name": "X-A", "value": "a\r\nInjected: 1"}]},
            "value_not_permitted",
            "headers[0].value",
        ),
        (
            {"url": URL, "headers": [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]},
            "value_not_permitted",
            "headers[1].name",
        ),
        (
            {"url": URL, "headers": [{"name": "X-A"}]},
            "missing_required_field",
            "headers[0].value",
        ),
        (
            {"url": URL, "headers": [{"name": "X-A", "value": "1", "secret": True}]},
            "invalid_field",
            "headers[0].secret",
        ),
    ],
)
def test_create_rejects(
    api: httpx.Client, body: dict[str, Any], error_type: str, field_name: str
) -> None:
    expect_error(api.post("/webhooks.create", json=body), 400, error_type, field_name=field_name)
    assert ids(expect(api.get("/webhooks.list"), 200)["webhooks"]) == []


@pytest.fixture
def webhook_id(api: httpx.Client) -> str:
    headers = [{"name": f"X-{i}", "value": "v"} for i in range(7)]
    return str(create(api, URL, headers=headers)["id"])


@pytest.mark.parametrize(
    ("fields", "error_type", "field_name"),
    [
        ({"action": "pause"}, "invalid_enum_value", "action"),
        ({"event_types": ["work_created"]}, "unexpected_json_type", "event_types"),
        (
            {"event_types": {"set": ["work_created"], "add": ["tag_created"]}},
            "value_not_permitted",
            "event_types.set",
        ),
        (
            {"event_types": {"set": [], "remove": ["tag_created"]}},
            "value_not_permitted",
            "event_types.set",
        ),
        ({"event_types": {"replace": []}}, "invalid_field", "event_types.replace"),
        ({"event_types": {"add": ["nope"]}}, "invalid_enum_value", "event_types.add[0]"),
        (
            {"event_types": {"add": ["tag_created"], "remove": ["tag_created"]}},
            "value_not_permitted",
            "event_types",
        ),
        (
            {"headers": {"set": [], "remove": ["X-1"]}},
            "value_not_permitted",
            "headers.set",
        ),
        (
            {"headers": {"add": [{"name": "X-7", "value": "v"}, {"name": "X-8", "value": "v"}]}},
            "value_not_permitted",
            "headers.add",
        ),
        ({"headers": {"set": NINE_HEADERS}}, "value_not_permitted", "headers.set"),
        ({"headers": {"remove": [1]}}, "unexpected_json_type", "headers.remove[0]"),
        ({"secret": "short"}, "value_not_permitted", "secret"),
        ({"url": "mailto:a@b.c"}, "value_not_permitted", "url"),
        ({"status": "active"}, "invalid_field", "status"),
    ],
)
def test_update_rejects(
    api: httpx.Client, webhook_id: str, fields: dict[str, Any], error_type: str, field_name: str
) -> None:
    response = api.post("/webhooks.update", json={"id": webhook_id, **fields})
    expect_error(response, 400, error_type, field_name=field_name)


def test_a_rejected_update_changes_nothing(api: httpx.Client, webhook_id: str) -> None:
    before = expect(api.get("/webhooks.get", params={"id": webhook_id}), 200)
    response = api.post(
        "/webhooks.update",
        json={"id": webhook_id, "url": "http://127.0.0.1:1/new", "headers": {"set": NINE_HEADERS}},
    )
    expect(response, 400)
    after = expect(api.get("/webhooks.get", params={"id": webhook_id}), 200)
    assert public(after) == public(before)
    require_same_secret(after["webhook"]["secret"], before["webhook"]["secret"])


@pytest.mark.parametrize("path", ["/webhooks.get", "/webhooks.update", "/webhooks.delete"])
@pytest.mark.parametrize(
    ("body", "error_type"),
    [
        ({}, "missing_required_field"),
        ({"id": 7}, "unexpected_json_type"),
        ({"id": "webhook-1"}, "invalid_id"),
        ({"id": ""}, "invalid_id"),
        ({"id": "don:integration:dvrv-us-1:devo/x:work/abc"}, "invalid_id"),
    ],
)
def test_ids_are_required_and_well_formed(
    api: httpx.Client, path: str, body: dict[str, Any], error_type: str
) -> None:
    expect_error(api.post(path, json=body), 400, error_type, field_name="id")


@pytest.mark.parametrize(
    ("path", "body", "error_type", "field_name"),
    [
        ("/webhooks.get", {"id": "x", "verbose": True}, "invalid_field", "verbose"),
        ("/webhooks.delete", {"id": "x", "force": True}, "invalid_field", "force"),
        ("/webhooks.list", {"status": "active"}, "unexpected_json_type", "status"),
        ("/webhooks.list", {"status": ["paused"]}, "invalid_enum_value", "status[0]"),
        ("/webhooks.list", {"limit": 10}, "invalid_field", "limit"),
    ],
)
def test_other_bodies_reject_unknown_fields_and_bad_values(
    api: httpx.Client, path: str, body: dict[str, Any], error_type: str, field_name: str
) -> None:
    expect_error(api.post(path, json=body), 400, error_type, field_name=field_name)


@pytest.mark.parametrize(
    ("path", "params", "error_type", "field_name"),
    [
        ("/webhooks.get", {}, "missing_required_field", "id"),
        ("/webhooks.get", {"id": "nope"}, "invalid_id", "id"),
        ("/webhooks.get", {"id": "x", "extra": "1"}, "invalid_field", "extra"),
        ("/webhooks.list", {"status": "active,paused"}, "invalid_enum_value", "status"),
        ("/webhooks.list", {"cursor": "abc"}, "invalid_field", "cursor"),
    ],
)
def test_query_parameters_are_checked(
    api: httpx.Client, path: str, params: dict[str, str], error_type: str, field_name: str
) -> None:
    expect_error(api.get(path, params=params), 400, error_type, field_name=field_name)


@pytest.mark.parametrize(
    ("content", "content_type", "error_type"),
    [
        (b'{"url": ', "application/json", "parse_error"),
        (b"", "application/json", "parse_error"),
        (b"   ", "application/json", "parse_error"),
        (b"\xff\xfe{}", "application/json", "parse_error"),
        (b'{"url": NaN}', "application/json", "parse_error"),
        (b'{"url": 1e999}', "application/json", "parse_error"),
        (b'{"url": "\\ud800"}', "application/json", "parse_error"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "parse_error"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "application/json", "parse_error"),
        (b"[]", "application/json", "bad_request"),
        (b'"a string"', "application/json", "bad_request"),
        (b"null", "application/json", "bad_request"),
        (b"{}", "text/plain", "invalid_content_type"),
        (b"{}", "application/x-www-form-urlencoded", "invalid_content_type"),
        (b"{}", "application/json; charset=latin-1", "invalid_content_type"),
        (b"{}", "", "invalid_content_type"),
    ],
)
def test_bad_bodies_are_400_never_500(
    api: httpx.Client, content: bytes, content_type: str, error_type: str
) -> None:
    response = api.post("/webhooks.create", content=content, headers={"Content-Type": content_type})
    expect_error(response, 400, error_type)


def test_a_missing_content_type_is_reported_with_an_empty_value(
    devrev_sandbox: RunningSandbox, devrev_token: str
) -> None:
    response = httpx.post(
        f"{devrev_sandbox.url}/webhooks.list",
        content=b"{}",
        headers={"Authorization": devrev_token},
        trust_env=False,
    )
    expect_error(response, 400, "invalid_content_type", value="")


def test_a_charset_parameter_of_utf8_is_fine(api: httpx.Client) -> None:
    response = api.post(
        "/webhooks.list", content=b"{}", headers={"Content-Type": "Application/JSON; charset=UTF-8"}
    )
    expect(response, 200)


def test_a_body_over_the_limit_is_413(api: httpx.Client) -> None:
    big = b'{"url": "' + b"x" * (2 << 20) + b'"}'
    response = api.post(
        "/webhooks.create", content=big, headers={"Content-Type": "application/json"}
    )
    expect_error(response, 413, "request_entity_too_large", max_bytes=1 << 20)
    # The connection stays usable: the sandbox drained the rest.
    expect(api.get("/webhooks.list"), 200)


def test_a_streamed_body_over_the_limit_is_413(api: httpx.Client, control: SandboxControl) -> None:
    control.configure(max_body_bytes=1000)

    def chunks() -> Any:
        for _ in range(50):
            yield b" " * 100

    response = api.post(
        "/webhooks.create", content=chunks(), headers={"Content-Type": "application/json"}
    )
    expect_error(response, 413, "request_entity_too_large", max_bytes=1000)


def test_the_body_limit_is_inclusive(api: httpx.Client, control: SandboxControl) -> None:
    body = b'{"status": []}'
    control.configure(max_body_bytes=len(body))
    expect(
        api.post("/webhooks.list", content=body, headers={"Content-Type": "application/json"}), 200
    )
    control.configure(max_body_bytes=len(body) - 1)
    expect(
        api.post("/webhooks.list", content=body, headers={"Content-Type": "application/json"}), 413
    )
