"""DevRev's five operations over real HTTP: shapes, method variants, auth, routing.

Every response goes through ``expect``, which validates it against the spec.
"""

from __future__ import annotations

import base64
import re
from importlib import resources
from typing import Any

import httpx
import pytest

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl

from .helpers import (
    DATE_MILLIS,
    WEBHOOK_ID,
    closed_port_url,
    create,
    expect,
    expect_error,
    get,
    ids,
    public,
    require_absent,
    require_different_secret,
    require_same_secret,
    update,
)

URL = closed_port_url()


def test_create_answers_201_with_the_whole_webhook(api: httpx.Client) -> None:
    webhook = create(
        api,
        URL,
        event_types=["work_created", "work_updated"],
        secret="s3cret-value",
        headers=[{"name": "X-Team", "value": "platform"}],
    )
    assert re.match(WEBHOOK_ID, webhook["id"])
    assert webhook["display_id"] == "webhook-1"
    assert webhook["status"] == "unverified"
    assert webhook["url"] == URL
    assert webhook["event_types"] == ["work_created", "work_updated"]
    assert webhook["headers"] == [{"name": "X-Team", "value": "platform"}]
    require_same_secret(webhook["secret"], "s3cret-value")
    assert re.match(DATE_MILLIS, webhook["created_date"])
    assert webhook["modified_date"] == webhook["created_date"]
    assert webhook["created_by"]["type"] == "dev_user"
    # Real payloads carry user fields the spec does not list; parsers must cope.
    assert "display_handle" in webhook["created_by"]


def test_event_types_are_a_set(api: httpx.Client) -> None:
    webhook = create(api, URL, event_types=["work_updated", "work_created", "work_updated"])
    assert webhook["event_types"] == ["work_updated", "work_created"]


def test_display_ids_count_up(api: httpx.Client) -> None:
    ids = [create(api, URL)["display_id"] for _ in range(3)]
    assert ids == ["webhook-1", "webhook-2", "webhook-3"]


def test_an_omitted_secret_is_generated_as_base64_of_8_to_32_bytes(api: httpx.Client) -> None:
    secret = create(api, URL)["secret"]
    assert 8 <= len(secret.encode()) <= 32
    base64.b64decode(secret, validate=True)
    require_different_secret(create(api, URL)["secret"], secret)


def test_a_secret_of_8_multibyte_bytes_is_accepted(api: httpx.Client) -> None:
    # Four two-byte characters: 8 bytes, although only 4 characters.
    require_same_secret(create(api, URL, secret="éééé")["secret"], "éééé")


def test_get_by_query_and_by_body_agree(api: httpx.Client) -> None:
    webhook = create(api, URL, secret="abcdefgh")
    by_query = expect(api.get("/webhooks.get", params={"id": webhook["id"]}), 200)["webhook"]
    by_body = expect(api.post("/webhooks.get", json={"id": webhook["id"]}), 200)["webhook"]
    assert public(by_query) == public(by_body) == public(webhook)
    require_same_secret(by_query["secret"], webhook["secret"])
    require_same_secret(by_body["secret"], webhook["secret"])


def test_list_returns_every_webhook_without_pagination(api: httpx.Client) -> None:
    made = [create(api, URL)["id"] for _ in range(5)]
    by_get = expect(api.get("/webhooks.list"), 200)
    by_post = expect(api.post("/webhooks.list", json={}), 200)
    assert [w["id"] for w in by_get["webhooks"]] == made
    assert public(by_post) == public(by_get)
    assert set(by_get) == {"webhooks"}  # no cursor, no limit


@pytest.fixture
def three_statuses(api: httpx.Client, control: SandboxControl) -> dict[str, str]:
    ids = {status: create(api, URL)["id"] for status in ("active", "inactive", "unverified")}
    for status, webhook_id in ids.items():
        control.force_status(webhook_id, status)
    return ids


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"status": "active"}, {"active"}),
        ({"status": "active,inactive"}, {"active", "inactive"}),
        ([("status", "unverified"), ("status", "inactive")], {"unverified", "inactive"}),
        ({}, {"active", "inactive", "unverified"}),
    ],
)
def test_list_filters_by_status_in_the_query(
    api: httpx.Client, three_statuses: dict[str, str], params: Any, wanted: set[str]
) -> None:
    body = expect(api.get("/webhooks.list", params=params), 200)
    assert {w["status"] for w in body["webhooks"]} == wanted


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        # DevRev's official TypeScript SDK (webhooksList({status: [...]})) sends these two.
        ("status=%22inactive%22,%22active%22", {"active", "inactive"}),
        ("status=%22active%22", {"active"}),
        ("status=active,inactive", {"active", "inactive"}),
        ("status=active%2Cinactive", {"active", "inactive"}),
        ("status=unverified&status=inactive", {"unverified", "inactive"}),
        ("status=%22unverified%22&status=inactive", {"unverified", "inactive"}),
    ],
)
def test_list_accepts_each_query_form_clients_send(
    api: httpx.Client, three_statuses: dict[str, str], query: str, wanted: set[str]
) -> None:
    response = api.get(f"/webhooks.list?{query}")
    assert response.request.url.raw_path == f"/webhooks.list?{query}".encode()  # as written
    body = expect(response, 200)
    assert {w["status"] for w in body["webhooks"]} == wanted


def test_a_quoted_unknown_status_is_refused_without_its_quotes(api: httpx.Client) -> None:
    body = expect_error(api.get("/webhooks.list?status=%22paused%22"), 400, "invalid_enum_value")
    assert '"paused"' not in body["message"] and "paused" in body["message"]


def test_list_filters_by_status_in_the_body(
    api: httpx.Client, three_statuses: dict[str, str]
) -> None:
    body = expect(api.post("/webhooks.list", json={"status": ["inactive"]}), 200)
    assert [w["id"] for w in body["webhooks"]] == [three_statuses["inactive"]]


def test_update_event_types_add_remove_and_set(api: httpx.Client) -> None:
    webhook_id = create(api, URL, event_types=["work_created"])["id"]
    after_add = update(api, webhook_id, event_types={"add": ["work_updated", "work_created"]})
    assert after_add["event_types"] == ["work_created", "work_updated"]
    after_both = update(
        api,
        webhook_id,
        event_types={"add": ["tag_created"], "remove": ["work_created", "job_created"]},
    )
    assert after_both["event_types"] == ["work_updated", "tag_created"]
    after_set = update(api, webhook_id, event_types={"set": ["part_deleted"]})
    assert after_set["event_types"] == ["part_deleted"]
    assert update(api, webhook_id, event_types={"set": []})["event_types"] == []


def test_update_headers_add_replaces_by_name_remove_and_set(api: httpx.Client) -> None:
    webhook_id = create(api, URL, headers=[{"name": "X-A", "value": "1"}])["id"]
    after_add = update(
        api,
        webhook_id,
        headers={"add": [{"name": "x-a", "value": "2"}, {"name": "X-B", "value": "3"}]},
    )
    assert after_add["headers"] == [{"name": "x-a", "value": "2"}, {"name": "X-B", "value": "3"}]
    after_remove = update(api, webhook_id, headers={"remove": ["X-A", "X-Absent"]})
    assert after_remove["headers"] == [{"name": "X-B", "value": "3"}]
    after_set = update(api, webhook_id, headers={"set": [{"name": "X-C", "value": "4"}]})
    assert after_set["headers"] == [{"name": "X-C", "value": "4"}]


def test_update_secret_sets_or_generates(api: httpx.Client) -> None:
    webhook = create(api, URL, secret="first-secret")
    changed = update(api, webhook["id"], secret="second-secret")
    require_same_secret(changed["secret"], "second-secret")
    generated = update(api, webhook["id"], secret="")
    require_different_secret(generated["secret"], "second-secret")
    assert 8 <= len(generated["secret"].encode()) <= 32
    require_same_secret(get(api, webhook["id"])["secret"], generated["secret"])


def test_update_records_the_modification(api: httpx.Client) -> None:
    webhook = create(api, URL)
    changed = update(api, webhook["id"])  # an empty update is valid
    assert changed["created_date"] == webhook["created_date"]
    assert changed["modified_date"] >= webhook["modified_date"]
    assert changed["modified_by"]["type"] == "dev_user"


def test_delete_answers_an_empty_object_then_the_webhook_is_gone(api: httpx.Client) -> None:
    webhook_id = create(api, URL)["id"]
    assert expect(api.post("/webhooks.delete", json={"id": webhook_id}), 200) == {}
    expect_error(api.get("/webhooks.get", params={"id": webhook_id}), 404, "not_found")
    expect_error(api.post("/webhooks.delete", json={"id": webhook_id}), 404, "not_found")
    expect_error(api.post("/webhooks.update", json={"id": webhook_id}), 404, "not_found")
    assert ids(expect(api.get("/webhooks.list"), 200)["webhooks"]) == []


def test_a_well_formed_unknown_id_is_404(api: httpx.Client) -> None:
    unknown = "don:integration:dvrv-us-1:devo/0:webhook/missing1"
    expect_error(api.post("/webhooks.get", json={"id": unknown}), 404, "not_found")


@pytest.mark.parametrize("path", ["/", "/webhooks", "/webhooks.create/", "/works.list"])
def test_unknown_paths_are_404_with_a_devrev_body(api: httpx.Client, path: str) -> None:
    expect_error(api.get(path), 404, "not_found")


def _unserved_operations() -> list[tuple[str, str]]:
    """The rows of OPENAPI-ORIGIN.md's table of DevRev operations the sandbox does not serve."""
    text = resources.files("pulumi_devrev.sandbox").joinpath("OPENAPI-ORIGIN.md").read_text()
    section = text.split("## Webhooks operations the sandbox does not serve", 1)[1]
    return re.findall(r"^\| `(GET|POST) (/webhooks\.\w+)`", section, re.MULTILINE)


def test_the_unserved_operations_are_listed() -> None:
    assert ("POST", "/webhooks.event") in _unserved_operations()


@pytest.mark.parametrize(("method", "path"), _unserved_operations())
def test_unserved_devrev_operations_are_answered_as_unknown_routes(
    devrev_sandbox: RunningSandbox, api: httpx.Client, method: str, path: str
) -> None:
    def outcome(client: httpx.Client, route: str) -> tuple[int, str, str]:
        response = client.request(method, route, json={"id": "x"})
        body = expect_error(response, 404, "not_found")
        return response.status_code, body["type"], body["message"].replace(route, "<path>")

    unknown = "/webhooks.nosuchoperation"
    assert outcome(api, path) == outcome(api, unknown)
    with httpx.Client(base_url=devrev_sandbox.url, trust_env=False) as anonymous:
        assert outcome(anonymous, path) == outcome(anonymous, unknown)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/webhooks.create", "POST"),
        ("PUT", "/webhooks.update", "POST"),
        ("GET", "/webhooks.delete", "POST"),
        ("DELETE", "/webhooks.list", "GET, POST"),
        ("PATCH", "/webhooks.get", "GET, POST"),
    ],
)
def test_wrong_methods_are_405_with_a_devrev_body(
    api: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path)
    expect(response, 405)
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize("form", ["Bearer {token}", "bearer {token}", "{token}"])
def test_both_token_forms_are_accepted(
    devrev_sandbox: RunningSandbox, devrev_token: str, form: str
) -> None:
    headers = {"Authorization": form.format(token=devrev_token)}
    response = httpx.get(f"{devrev_sandbox.url}/webhooks.list", headers=headers, trust_env=False)
    expect(response, 200)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", "wrong-token", "Basic {token}", "Bearer {token}x"],
)
def test_missing_or_wrong_tokens_are_401(
    devrev_sandbox: RunningSandbox, devrev_token: str, authorization: str | None
) -> None:
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(token=devrev_token)}
    )
    response = httpx.post(
        f"{devrev_sandbox.url}/webhooks.list",
        json={},
        headers=headers,
        trust_env=False,
    )
    body = expect_error(response, 401, "unauthenticated")
    require_absent(devrev_token, body["message"], "the token")


def test_auth_is_checked_before_the_body(devrev_sandbox: RunningSandbox) -> None:
    response = httpx.post(
        f"{devrev_sandbox.url}/webhooks.create",
        content=b"{not json",
        headers={"Content-Type": "text/plain"},
        trust_env=False,
    )
    expect_error(response, 401, "unauthenticated")
