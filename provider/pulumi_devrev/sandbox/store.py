"""The webhooks the sandbox holds, and their optional persistence in a JSON state file.

The store is mutated from the server's event loop only, without awaiting in between, so
each API operation is atomic with respect to the others even when the provider host sends
several requests at once. A lock still guards the maps because tests may read them from
another thread.

The state file holds secrets: it is written atomically (temporary file, fsync, rename)
with mode 0600.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import os
import secrets
import string
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .statusmachine import Status

STATE_FORMAT = "pulumi-devrev-sandbox-state"
STATE_VERSION = 1
REGION = "dvrv-us-1"

_ALPHANUMERIC = string.ascii_letters + string.digits


class StateFileError(Exception):
    """The state file cannot be read or written. Messages never quote its content."""


def now_rfc3339_millis() -> str:
    """Current UTC time as DevRev writes object dates: ``2024-01-01T12:00:00.000Z``."""
    now = datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def generate_secret() -> str:
    """A random base64 secret, 24 characters: inside DevRev's 8-32 byte range."""
    return base64.b64encode(secrets.token_bytes(18)).decode("ascii")


def _random_token(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


@dataclass(frozen=True)
class Header:
    """One custom header sent with every delivery."""

    name: str
    value: str

    def to_api(self) -> dict[str, str]:
        """The ``webhook-header`` JSON object."""
        return {"name": self.name, "value": self.value}


@dataclass
class StoredWebhook:
    """A webhook as the sandbox stores it; :meth:`to_api` is what DevRev answers."""

    id: str
    display_id: str
    secret: str
    status: Status
    url: str
    event_types: list[str]
    headers: list[Header]
    created_by: dict[str, Any]
    modified_by: dict[str, Any]
    created_date: str
    modified_date: str
    #: Bumped whenever a handshake in flight must no longer change anything (endpoint
    #: changed, status forced, deactivated). Not part of DevRev's object.
    generation: int = field(default=0, compare=False)

    def to_api(self) -> dict[str, Any]:
        """The ``webhook`` JSON object, secret included, as every DevRev response has it."""
        return {
            "id": self.id,
            "display_id": self.display_id,
            "created_by": dict(self.created_by),
            "created_date": self.created_date,
            "modified_by": dict(self.modified_by),
            "modified_date": self.modified_date,
            "event_types": list(self.event_types),
            "headers": [header.to_api() for header in self.headers],
            "secret": self.secret,
            "status": self.status,
            "url": self.url,
        }

    def internal_view(self) -> dict[str, Any]:
        """What test controls may see: everything but the secret and header values."""
        return {
            "id": self.id,
            "display_id": self.display_id,
            "status": self.status,
            "url": self.url,
            "event_types": list(self.event_types),
            "header_names": [header.name for header in self.headers],
            "generation": self.generation,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> StoredWebhook:
        """Rebuild a webhook from its state-file form (its API form)."""
        return cls(
            id=str(data["id"]),
            display_id=str(data["display_id"]),
            secret=str(data["secret"]),
            status=cast(Status, data["status"]),
            url=str(data["url"]),
            event_types=[str(item) for item in data["event_types"]],
            headers=[Header(str(h["name"]), str(h["value"])) for h in data["headers"]],
            created_by=dict(data["created_by"]),
            modified_by=dict(data["modified_by"]),
            created_date=str(data["created_date"]),
            modified_date=str(data["modified_date"]),
        )


class WebhookStore:
    """All webhooks of the sandbox's single organisation, in creation order."""

    def __init__(self, state_file: str | os.PathLike[str] | None = None) -> None:
        self._lock = threading.RLock()
        self._webhooks: dict[str, StoredWebhook] = {}
        self._next_number = 1
        self.state_file = Path(state_file) if state_file is not None else None
        self.org_id = _random_token(9)
        if self.state_file is not None and self.state_file.exists():
            self._load(self.state_file)

    # The acting user: DevRev tags user summaries with `type`, and real payloads carry
    # fields the spec does not list (`display_handle` here), which parsers must ignore.
    def acting_user(self) -> dict[str, Any]:
        """The dev user every request acts as (the owner of the sandbox token)."""
        return {
            "type": "dev_user",
            "id": f"don:identity:{REGION}:devo/{self.org_id}:devu/1",
            "display_id": "DEVU-1",
            "display_name": "sandbox-admin",
            "display_handle": "sandbox-admin",
            "email": "admin@sandbox.invalid",
            "full_name": "Sandbox Admin",
            "state": "active",
        }

    def new_webhook(
        self,
        *,
        url: str,
        secret: str,
        event_types: Iterable[str],
        headers: Iterable[Header],
        status: Status,
    ) -> StoredWebhook:
        """Create, store and persist a webhook with a fresh id and display id."""
        with self._lock:
            webhook_id = self._new_id()
            number = self._next_number
            self._next_number += 1
            now = now_rfc3339_millis()
            user = self.acting_user()
            webhook = StoredWebhook(
                id=webhook_id,
                display_id=f"webhook-{number}",
                secret=secret,
                status=status,
                url=url,
                event_types=list(event_types),
                headers=list(headers),
                created_by=user,
                modified_by=dict(user),
                created_date=now,
                modified_date=now,
                generation=1,
            )
            self._webhooks[webhook_id] = webhook
            self.save()
            return webhook

    def _new_id(self) -> str:
        while True:
            candidate = f"don:integration:{REGION}:devo/{self.org_id}:webhook/{_random_token(8)}"
            if candidate not in self._webhooks:
                return candidate

    def get(self, webhook_id: str) -> StoredWebhook | None:
        """The live webhook object, or None."""
        with self._lock:
            return self._webhooks.get(webhook_id)

    def select(self, statuses: Iterable[str] | None = None) -> list[StoredWebhook]:
        """Webhooks in creation order, optionally only those with one of ``statuses``."""
        wanted = set(statuses) if statuses is not None else None
        with self._lock:
            return [
                webhook
                for webhook in self._webhooks.values()
                if wanted is None or webhook.status in wanted
            ]

    def touch(self, webhook: StoredWebhook) -> None:
        """Record a user modification (dates and modifier) and persist."""
        with self._lock:
            webhook.modified_date = now_rfc3339_millis()
            webhook.modified_by = self.acting_user()
            self.save()

    def delete(self, webhook_id: str) -> StoredWebhook | None:
        """Remove and return a webhook; None when there is none with that id."""
        with self._lock:
            webhook = self._webhooks.pop(webhook_id, None)
            if webhook is not None:
                # A handshake still in flight compares generations: make it stale.
                webhook.generation += 1
                self.save()
            return webhook

    def clear(self) -> None:
        """Forget every webhook and restart display ids at 1."""
        with self._lock:
            for webhook in self._webhooks.values():
                webhook.generation += 1
            self._webhooks.clear()
            self._next_number = 1
            self.save()

    # ------------------------------------------------------------------ persistence

    def save(self) -> None:
        """Write the state file, if any, atomically and readable by the owner only."""
        if self.state_file is None:
            return
        with self._lock:
            document = {
                "format": STATE_FORMAT,
                "version": STATE_VERSION,
                "org_id": self.org_id,
                "next_number": self._next_number,
                "webhooks": [webhook.to_api() for webhook in self._webhooks.values()],
            }
            _atomic_write(self.state_file, json.dumps(document, indent=2) + "\n")

    def _load(self, path: Path) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise StateFileError(f"cannot read state file {path}: {type(exc).__name__}") from None
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise StateFileError(f"{path} is not a devrev-sandbox state file")
        if document.get("version") != STATE_VERSION:
            raise StateFileError(
                f"{path} has state version {document.get('version')!r}; "
                f"this sandbox reads version {STATE_VERSION}"
            )
        try:
            self.org_id = str(document["org_id"])
            self._next_number = int(document["next_number"])
            for item in document["webhooks"]:
                webhook = StoredWebhook.from_state(item)
                webhook.generation = 1
                self._webhooks[webhook.id] = webhook
        except (KeyError, TypeError, ValueError, AttributeError):
            raise StateFileError(f"{path} is damaged: a field is missing or malformed") from None


def _atomic_write(path: Path, text: str) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    # mkstemp creates the file with mode 0600 already; chmod says so explicitly in case
    # a umask or platform differs. The rename then replaces the old file in one step, so
    # a crash leaves either the old or the new state, never half of one.
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
