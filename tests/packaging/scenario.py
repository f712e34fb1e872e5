"""Run by the fresh venv's python (tests/packaging/test_artifacts.py), never by pytest.

Uses the installed wheel only: a ``DevRevWebhook`` program's create, update and destroy through
Pulumi's provider host (``pulumi_devrev.testing``) against a running ``devrev-sandbox``, with
``pulumi_devrev.receiver.create_app`` as the endpoint, served by uvicorn. Prints one JSON
report; the test asserts on it. Arguments: the sandbox's URL; the token is in DEVREV_TOKEN.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

import pulumi_devrev
from pulumi_devrev import DevRevWebhook
from pulumi_devrev.receiver import WebhookEvent, create_app
from pulumi_devrev.sandbox import SandboxControl
from pulumi_devrev.testing import Deployment, ProviderHost, Registration, capture_program

SECRET = "packaging-test-secret"


def serve(app: Any) -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def main() -> None:
    sandbox_url = sys.argv[1]
    token = os.environ.pop("DEVREV_TOKEN")  # given to the provider as stack config only
    events: list[WebhookEvent] = []
    receiver_url = serve(create_app(SECRET, on_event=events.append))
    control = SandboxControl(sandbox_url)

    def program(event_types: list[str]) -> Registration:
        [reg] = capture_program(
            lambda: DevRevWebhook("hook", url=receiver_url, event_types=event_types, secret=SECRET)
        )
        return reg

    def calls() -> list[dict[str, Any]]:
        made = [{"path": r["path"], "body": r["body"]} for r in control.requests()]
        control.clear_requests()
        return made

    report: dict[str, Any] = {"package": pulumi_devrev.__file__}
    with ProviderHost(cwd=os.getcwd()) as host:
        host.configure({"devrev:token": token, "devrev:apiUrl": sandbox_url})
        deployment = Deployment(host)
        step = deployment.up(program(["work_created"]))
        assert deployment.id is not None
        report["create"] = {"operation": step.operation, "calls": calls()}
        report["handshake"] = control.wait_for_status(deployment.id, "active", timeout=30)
        report["delivery"] = control.send_event(deployment.id, "work_created", {"id": "w-1"})
        report["id"] = deployment.id
        report["received"] = [{"type": e.type, "webhook_id": e.webhook_id} for e in events]
        control.clear_requests()

        step = deployment.up(program(["work_created", "work_updated"]))
        report["update"] = {
            "operation": step.operation,
            "calls": calls(),
            "event_types": deployment.outputs.get("event_types"),
        }
        step = deployment.destroy()
        report["destroy"] = {"operation": step.operation, "calls": calls()}
        report["webhooks_left"] = len(control.webhooks())
    print(json.dumps(report))


if __name__ == "__main__":
    main()
