"""Pure pieces of the sandbox, tested without a server."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

import pytest

from pulumi_devrev.sandbox import SandboxOptions, sign
from pulumi_devrev.sandbox.deliverylog import display_url
from pulumi_devrev.sandbox.faults import DroppedConnection, FaultQueue, parse_fault
from pulumi_devrev.sandbox.openapi import field_path, json_type_name
from pulumi_devrev.sandbox.requestlog import redact_body
from pulumi_devrev.sandbox.urlguard import is_loopback_host, remote_delivery_problem


def test_sign_is_hex_hmac_sha256_keyed_with_the_secret_string() -> None:
    body = b'{"type":"verify"}'
    expected = hmac.new(b"p\xc3\xa4ssword", body, hashlib.sha256).hexdigest()
    assert sign(body, "pässword") == expected
    assert sign(body, "pässword").islower()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost.", False),  # a trailing dot would be a DNS lookup
        ("127.0.0.1.nip.io", False),
        ("2130706433", False),  # an integer form some resolvers accept
        ("10.0.0.1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("example.com", False),
    ],
)
def test_loopback_hosts_are_recognised_without_lookups(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_remote_delivery_problems_name_the_host_not_the_credentials() -> None:
    assert remote_delivery_problem("http://127.0.0.1:9/x") is None
    problem = remote_delivery_problem("https://user:pw@example.com/x")
    assert problem is not None
    assert "example.com" in problem
    assert "pw" not in problem


def test_display_url_drops_credentials() -> None:
    assert display_url("http://user:pw@[::1]:8080/a?b=c#d") == "http://[::1]:8080/a?b=c"


def test_redact_body_replaces_every_secret_but_the_empty_one() -> None:
    body = {"secret": "x", "nested": [{"secret": 5}, {"secret": ""}], "other": "secret"}
    assert redact_body(body) == {
        "secret": "<redacted>",
        "nested": [{"secret": "<redacted>"}, {"secret": ""}],
        "other": "secret",
    }


@pytest.mark.parametrize(
    ("path", "leaf", "expected"),
    [
        ([], "url", "url"),
        (["headers", 2, "name"], None, "headers[2].name"),
        (["event_types", "set", 0], None, "event_types.set[0]"),
        (["headers", 0], "extra", "headers[0].extra"),
    ],
)
def test_field_paths_read_like_devrevs(path: list[Any], leaf: str | None, expected: str) -> None:
    assert field_path(path, leaf) == expected


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "bool"),
        (1, "number"),
        (1.5, "number"),
        ("", "string"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_json_type_names_are_devrevs(value: Any, name: str) -> None:
    assert json_type_name(value) == name


def test_faults_queue_per_path_and_skip_other_methods() -> None:
    queue = FaultQueue()
    queue.add(parse_fault({"path": "/a", "method": "post", "status": 500, "count": 2}))
    queue.add(parse_fault({"path": "/a", "status": 503}))
    assert queue.take("/b", "POST") is None
    first = queue.take("/a", "GET")
    assert first is not None and first.status == 503  # the POST-only fault is skipped
    taken = [queue.take("/a", "POST") for _ in range(3)]
    assert [fault.status if fault else None for fault in taken] == [500, 500, None]


def test_options_validate_and_normalise() -> None:
    options = SandboxOptions(verify_retry_delay=1, rate_limit=0)
    assert options.verify_retry_delay == 1.0
    assert options.rate_limit is None
    with pytest.raises(ValueError, match="activate_mode"):
        SandboxOptions(activate_mode="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown option"):
        options.with_changes(colour="red")


def test_dropping_without_a_transport_sends_a_truncated_response() -> None:
    # Under a server whose `send` does not expose the transport, the drop must still end as
    # a protocol error: a declared body length that is never delivered.
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    asyncio.run(DroppedConnection()({"type": "http"}, receive, send))
    start, body = sent
    declared = int(dict(start["headers"])[b"content-length"])
    assert declared > len(body["body"])
    assert body["more_body"] is False
