"""The request log: what tests assert API clients on, without tokens or secrets."""

from __future__ import annotations

import json

import httpx

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl

from .helpers import closed_port_url, create, expect, require_absent

URL = closed_port_url()


def test_entries_record_each_call_in_order(api: httpx.Client, control: SandboxControl) -> None:
    webhook_id = create(api, URL, event_types=["work_created"])["id"]
    expect(api.get("/webhooks.get", params={"id": webhook_id}), 200)
    expect(api.post("/webhooks.list", json={"status": ["active"]}), 200)
    entries = control.requests()
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/webhooks.create", 201),
        ("GET", "/webhooks.get", 200),
        ("POST", "/webhooks.list", 200),
    ]
    assert entries[0]["body"] == {"url": URL, "event_types": ["work_created"]}
    assert entries[1]["query"] == {"id": [webhook_id]}
    assert entries[1]["body"] is None
    assert entries[2]["body"] == {"status": ["active"]}
    assert all(e["auth"] == "bearer" and e["fault"] is None for e in entries)
    assert entries[0]["time"] <= entries[1]["time"] <= entries[2]["time"]


def test_secrets_are_redacted_but_the_empty_secret_is_kept(
    api: httpx.Client, control: SandboxControl, devrev_token: str
) -> None:
    webhook_id = create(api, URL, secret="log-secret-value")["id"]
    expect(api.post("/webhooks.update", json={"id": webhook_id, "secret": ""}), 200)
    expect(api.post("/webhooks.update", json={"id": webhook_id, "secret": "x"}), 400)
    entries = control.requests()
    assert entries[0]["body"]["secret"] == "<redacted>"
    assert entries[1]["body"]["secret"] == ""
    assert entries[2]["body"]["secret"] == "<redacted>"
    text = json.dumps(entries)
    require_absent("log-secret-value", text, "the webhook secret")
    require_absent(devrev_token, text, "the token")
    require_absent("authorization", text.lower(), "the Authorization header")


def test_custom_header_values_are_redacted_but_their_names_kept(
    api: httpx.Client, control: SandboxControl
) -> None:
    webhook_id = create(api, URL, headers=[{"name": "X-Api-Key", "value": "hdr-value-create"}])[
        "id"
    ]
    change = {
        "add": [{"name": "X-Add", "value": "hdr-value-add"}],
        "remove": ["X-Api-Key"],
    }
    expect(api.post("/webhooks.update", json={"id": webhook_id, "headers": change}), 200)
    replace = {
        "set": [{"name": "X-Set", "value": "hdr-value-set"}, {"name": "X-Empty", "value": ""}]
    }
    expect(api.post("/webhooks.update", json={"id": webhook_id, "headers": replace}), 200)
    entries = control.requests()
    assert entries[0]["body"]["headers"] == [{"name": "X-Api-Key", "value": "<redacted>"}]
    assert entries[1]["body"]["headers"] == {
        "add": [{"name": "X-Add", "value": "<redacted>"}],
        "remove": ["X-Api-Key"],
    }
    assert entries[2]["body"]["headers"] == {
        "set": [{"name": "X-Set", "value": "<redacted>"}, {"name": "X-Empty", "value": ""}]
    }
    require_absent("hdr-value", json.dumps(entries), "a header value")


def test_the_auth_form_is_recorded_never_the_header(
    devrev_sandbox: RunningSandbox, control: SandboxControl, devrev_token: str
) -> None:
    for authorization in (f"Bearer {devrev_token}", devrev_token, None, "Bearer nope"):
        headers = {"Authorization": authorization} if authorization is not None else {}
        httpx.get(f"{devrev_sandbox.url}/webhooks.list", headers=headers, trust_env=False)
    entries = control.requests()
    assert [e["auth"] for e in entries] == ["bearer", "bare", "missing", "invalid"]
    assert [e["status"] for e in entries] == [200, 200, 401, 401]
    require_absent("nope", json.dumps(entries), "the wrong token")


def test_unparsable_bodies_are_logged_as_null(api: httpx.Client, control: SandboxControl) -> None:
    api.post("/webhooks.create", content=b"{oops", headers={"Content-Type": "application/json"})
    [entry] = control.requests()
    assert (entry["body"], entry["status"]) == (None, 400)


def test_filter_by_path_and_clear(api: httpx.Client, control: SandboxControl) -> None:
    create(api, URL)
    expect(api.get("/webhooks.list"), 200)
    assert [e["path"] for e in control.requests("/webhooks.list")] == ["/webhooks.list"]
    control.clear_requests()
    assert control.requests() == []
    expect(api.get("/webhooks.list"), 200)
    assert control.requests()[0]["seq"] == 1


def test_controls_and_polling_are_not_logged(api: httpx.Client, control: SandboxControl) -> None:
    webhook_id = create(api, URL)["id"]
    control.wait_for_status(webhook_id, "active", 0.05)
    control.deliveries()
    control.options()
    assert [e["path"] for e in control.requests()] == ["/webhooks.create"]


def test_unknown_paths_are_logged_too(api: httpx.Client, control: SandboxControl) -> None:
    expect(api.get("/works.list"), 404)
    assert control.requests()[0]["status"] == 404
