"""What the receiver logs under a plain ASGI server, which configures no root logging."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.support import closed_port_url, wait_until

from .support import SECRET, WEBHOOK_ID, envelope, signed

APP = """
import os
from pulumi_devrev.receiver import create_app
app = create_app(os.environ["WEBHOOK_SECRET"], lambda event: None)
"""
BODY_MARKER = "body-marker-ISS-42"


def test_verifications_and_accepted_deliveries_are_logged_at_info(tmp_path: Path) -> None:
    (tmp_path / "hook_app.py").write_text(APP, encoding="utf-8")
    url = closed_port_url().removesuffix("/hook")
    port = url.rsplit(":", 1)[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "hook_app:app", "--port", port, "--no-access-log"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "WEBHOOK_SECRET": SECRET, "PYTHONUNBUFFERED": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=5) as client:

            def up() -> bool:
                try:
                    client.get("/")
                except httpx.TransportError:
                    return False
                return True

            assert wait_until(up, timeout=20)
            for data in (
                envelope("verify", {"challenge": "challenge-value"}, event_id="evt-v"),
                envelope("work_created", {"work": {"id": BODY_MARKER}}, event_id="evt-w"),
            ):
                body, headers = signed(data)
                assert client.post("/", content=body, headers=headers).status_code == 200
            body, _ = signed(envelope("work_created", {"work": {}}))
            client.post("/", content=body, headers={"X-DevRev-Signature": "0" * 64})
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=15)
    assert (
        f"INFO:     pulumi_devrev.receiver: answered the verify challenge of webhook {WEBHOOK_ID}"
        in stderr
    )
    assert "INFO:     pulumi_devrev.receiver: accepted work_created event evt-w" in stderr
    assert "WARNING" in stderr and "rejected a delivery: bad signature" in stderr
    for private in (SECRET, BODY_MARKER, "challenge-value"):
        assert private not in stderr


def test_a_handler_the_application_adds_later_is_the_only_one_that_prints() -> None:
    # The quickstart receiver adds its own stdout handler after create_app: one line per event.
    script = """
import logging, sys
from pulumi_devrev.receiver import create_app, logger
create_app("s" * 16, lambda event: None)
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("app: %(message)s"))
logger.addHandler(handler)
logger.info("one line")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "app: one line\n"
    assert done.stderr == ""
