"""`python -m pulumi_devrev.sandbox` as a subprocess: URL first, serves, stops, no secrets."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .helpers import closed_port_url, expect, require_absent, require_same_secret

SECRET = "cli-secret-" + secrets.token_hex(4)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DEVREV_TOKEN"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Cli:
    """A running sandbox process."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_devrev.sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or _env(),
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Signal the process; its exit status and everything it printed."""
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=15)
        return self.process.returncode, self.url + "\n" + out + err


@pytest.fixture
def cli_token() -> str:
    return "cli-tok-" + secrets.token_urlsafe(12)


@pytest.fixture
def running_cli(cli_token: str) -> Iterator[Cli]:
    cli = Cli("--token", cli_token, "--verify-retry-delay", "0.01")
    yield cli
    if cli.process.poll() is None:
        cli.process.kill()
        cli.process.communicate()


def test_the_first_line_is_the_base_url_and_it_serves(running_cli: Cli, cli_token: str) -> None:
    assert running_cli.url.startswith("http://127.0.0.1:")
    response = httpx.get(
        f"{running_cli.url}/webhooks.list", headers={"Authorization": cli_token}, trust_env=False
    )
    assert expect(response, 200) == {"webhooks": []}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_it_stops_cleanly_on_a_signal_and_prints_no_token_or_secret(
    running_cli: Cli, cli_token: str, signum: int
) -> None:
    with httpx.Client(
        base_url=running_cli.url, headers={"Authorization": f"Bearer {cli_token}"}, trust_env=False
    ) as api:
        body = {"url": closed_port_url(), "secret": SECRET}
        webhook = expect(api.post("/webhooks.create", json=body), 201)["webhook"]
        require_same_secret(webhook["secret"], SECRET)
        expect(api.post("/webhooks.update", json={"id": webhook["id"], "secret": ""}), 200)
        httpx.get(f"{running_cli.url}/webhooks.list", headers={"Authorization": "wrong"})
    status, output = running_cli.stop(signum)
    assert status == 0
    require_absent(cli_token, output, "the token")
    require_absent(SECRET, output, "the webhook secret")


def test_a_token_from_the_environment_works_and_options_come_from_flags(cli_token: str) -> None:
    cli = Cli("--challenge-location", "top-level", env={**_env(), "DEVREV_TOKEN": cli_token})
    try:
        response = httpx.get(
            f"{cli.url}/webhooks.list", headers={"Authorization": cli_token}, trust_env=False
        )
        expect(response, 200)
        options = httpx.get(f"{cli.url}/_sandbox/config", trust_env=False).json()["options"]
        assert options["challenge_location"] == "top-level"
    finally:
        status, output = cli.stop()
    assert status == 0
    require_absent(cli_token, output, "the token")


def test_without_a_token_it_says_how_to_pass_one() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_devrev.sandbox", "--port", "0"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--token" in lines[0] and "DEVREV_TOKEN" in lines[0]


def test_state_persists_across_two_runs(tmp_path: Path, cli_token: str) -> None:
    state = tmp_path / "state.json"
    headers = {"Authorization": cli_token}
    first = Cli("--token", cli_token, "--state", str(state))
    try:
        created = httpx.post(
            f"{first.url}/webhooks.create",
            json={"url": closed_port_url()},
            headers=headers,
            trust_env=False,
        )
        webhook_id = expect(created, 201)["webhook"]["id"]
    finally:
        assert first.stop()[0] == 0
    second = Cli("--token", cli_token, "--state", str(state))
    try:
        listed = httpx.get(f"{second.url}/webhooks.list", headers=headers, trust_env=False)
        assert [w["id"] for w in expect(listed, 200)["webhooks"]] == [webhook_id]
    finally:
        assert second.stop()[0] == 0


def test_a_damaged_state_file_is_a_one_line_error(tmp_path: Path, cli_token: str) -> None:
    state = tmp_path / "state.json"
    state.write_text("{broken")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pulumi_devrev.sandbox",
            "--token",
            cli_token,
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    require_absent(cli_token, result.stderr, "the token")
