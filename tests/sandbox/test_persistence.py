"""--state: webhooks survive restarts in a private, atomically written file."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from pulumi_devrev.sandbox import StateFileError, start_sandbox

from .helpers import (
    closed_port_url,
    create,
    expect,
    get,
    ids,
    public,
    require_same_secret,
    update,
)

URL = closed_port_url()


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": token}, trust_env=False)


def test_webhooks_survive_a_restart(tmp_path: Path, devrev_token: str) -> None:
    state = tmp_path / "sandbox.json"
    with (
        start_sandbox(devrev_token, state_file=state) as first,
        _client(first.url, devrev_token) as api,
    ):
        kept = create(api, URL, secret="persisted-secret", headers=[{"name": "X-A", "value": "1"}])
        gone = create(api, URL)
        kept = update(api, kept["id"], action="deactivate", event_types={"set": ["tag_created"]})
        expect(api.post("/webhooks.delete", json={"id": gone["id"]}), 200)

    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]  # no temporary leftovers

    with (
        start_sandbox(devrev_token, state_file=state) as second,
        _client(second.url, devrev_token) as api,
    ):
        restored = get(api, kept["id"])
        assert public(restored) == public(kept)
        require_same_secret(restored["secret"], "persisted-secret")
        assert [w["id"] for w in expect(api.get("/webhooks.list"), 200)["webhooks"]] == [kept["id"]]
        assert create(api, URL)["display_id"] == "webhook-3"  # numbering continues


def test_without_a_state_file_nothing_survives(devrev_token: str) -> None:
    with start_sandbox(devrev_token) as first, _client(first.url, devrev_token) as api:
        create(api, URL)
    with start_sandbox(devrev_token) as second, _client(second.url, devrev_token) as api:
        assert ids(expect(api.get("/webhooks.list"), 200)["webhooks"]) == []


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"format": "something-else"}',
        '{"format": "pulumi-devrev-sandbox-state", "version": 1}',
    ],
)
def test_a_damaged_state_file_is_refused_without_quoting_it(
    tmp_path: Path, devrev_token: str, content: str
) -> None:
    state = tmp_path / "sandbox.json"
    state.write_text(content)
    with pytest.raises(StateFileError) as caught:
        start_sandbox(devrev_token, state_file=state)
    assert content not in str(caught.value) or len(content) < 3
