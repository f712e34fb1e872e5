"""The lookup after a create whose outcome is unknown, rule by rule: which webhook is this
create's (never a neighbour's), which twins it deletes, how long it waits for a create that
timed out, and what it says when the lookup itself fails. Found by mutation testing
(``make mutate``). DevRev is a small in-memory fake behind ``httpx.MockTransport``, and the
client's clock is a fake one that only its sleeps (and a slow answer) move, so nothing waits."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pulumi_devrev.client import DevRevClient, RetryPolicy, Timeouts
from pulumi_devrev.errors import CreateOutcomeUnknown
from pulumi_devrev.models import CreateWebhookRequest
from tests.support import TOKEN, Clock

URL = "https://hooks.example.com/lookup"
CREDENTIAL_URL = "https://user:pw-0000@hooks.example.com/lookup?token=tok-0000"
POLICY = RetryPolicy(max_attempts=6, initial_wait=0.25, max_wait=0.25, jitter=0.0)


def stamp(ago: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) - ago).isoformat().replace("+00:00", "Z")


@dataclass
class FakeDevRev:
    """Webhooks in memory. ``creates`` scripts each create: "ok", "commit-then-drop" (made,
    answer lost), "drop" (not made, connection reset before sending), "500" (not made),
    "commit-then-500", "timeout" (not made yet: lands after ``lands_after_lists`` lists)."""

    clock: Clock
    creates: list[str]
    hooks: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    list_answer: httpx.Response | None = None
    create_takes: float = 0.0
    lands_after_lists: int = 0
    _pending: dict[str, Any] | None = None
    _lists: int = 0

    def add(self, secret: str, *, url: str = URL, ago: timedelta = timedelta(0), **kw: Any) -> str:
        hook_id = f"don:integration:dvrv-us-1:devo/0:webhook/{len(self.hooks) + 100}"
        self.hooks.append(
            {
                "id": hook_id,
                "url": url,
                "status": "unverified",
                "secret": secret,
                "event_types": kw.get("event_types", []),
                "headers": kw.get("headers", []),
                "created_date": kw.get("created_date", stamp(ago)),
            }
        )
        return hook_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())  # with the query: the lookup sends none
        if request.url.path == "/webhooks.list":
            self._lists += 1
            if self._pending is not None and self._lists > self.lands_after_lists:
                self.add(**self._pending)
                self._pending = None
            if self.list_answer is not None:
                return self.list_answer
            return httpx.Response(200, json={"webhooks": self.hooks})
        if request.url.path == "/webhooks.delete":
            gone = json.loads(request.content)["id"]
            self.deleted.append(gone)
            self.hooks = [h for h in self.hooks if h["id"] != gone]
            return httpx.Response(200, json={})
        body = json.loads(request.content)
        self.clock.now += self.create_takes
        what = self.creates.pop(0) if len(self.creates) > 1 else self.creates[0]
        made = {
            "secret": body["secret"],
            "url": body["url"],
            "event_types": body.get("event_types", []),
        }
        if what == "timeout":
            self._pending = made
            raise httpx.ReadTimeout("no answer in time")
        if what == "drop":
            raise httpx.ConnectError("refused")
        if what == "500":
            return httpx.Response(500, json={"message": "internal"})
        hook_id = self.add(**made)
        if what == "commit-then-drop":
            raise httpx.ReadError("connection reset")
        if what == "commit-then-500":
            return httpx.Response(500, json={"message": "internal"})
        return httpx.Response(200, json={"webhook": self.hooks[-1] | {"id": hook_id}})

    def client(self, deadline: float = 60.0, handler: Any = None) -> DevRevClient:
        """A client talking to this DevRev, or to ``handler`` (which may call this one)."""
        return DevRevClient(
            TOKEN,
            "http://devrev.test",
            transport=httpx.MockTransport(handler or self),
            retry=POLICY,
            timeouts=Timeouts(deadline=deadline),
            sleep=self.clock.sleep,
        )

    def create_count(self) -> int:
        return self.paths.count("/webhooks.create")


def twin_that_cannot_be_deleted(devrev: FakeDevRev, create_takes: float = 0.0) -> Any:
    """A handler: the create lands twice (the second copy newer), taking ``create_takes`` s,
    and its answer is lost; every delete is answered 500. Everything else goes to ``devrev``."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks.create":
            devrev.paths.append(request.url.raw_path.decode())
            body = json.loads(request.content)
            devrev.add(body["secret"], ago=timedelta(seconds=1))
            devrev.add(body["secret"])
            devrev.clock.now += create_takes
            raise httpx.ReadError("connection reset")
        if request.url.path == "/webhooks.delete":
            devrev.paths.append(request.url.raw_path.decode())
            return httpx.Response(500, json={"message": "internal"})
        return devrev(request)

    return handler


class TestGeneratedSecret:
    """No secret given: the one generated for this create is the proof."""

    def test_the_webhook_a_lost_answer_made_is_found_and_nothing_deleted(
        self, clock: Clock, caplog: pytest.LogCaptureFixture
    ) -> None:
        devrev = FakeDevRev(clock, ["commit-then-drop", "ok"])
        neighbour = devrev.add("neighbours-own-secret")
        caplog.set_level(logging.WARNING, "pulumi_devrev.client")

        with devrev.client() as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        ids = [h["id"] for h in devrev.hooks]
        assert ids == [neighbour, hook.id]
        assert devrev.create_count() == 1  # found at once, never sent again
        assert devrev.deleted == []
        assert caplog.records == []

    def test_a_twin_that_landed_is_deleted_and_the_oldest_kept(
        self, clock: Clock, caplog: pytest.LogCaptureFixture
    ) -> None:
        devrev = FakeDevRev(clock, ["commit-then-drop"])
        neighbour = devrev.add("neighbours-own-secret")
        caplog.set_level(logging.WARNING, "pulumi_devrev.client")
        original = devrev.__call__

        def twice(request: httpx.Request) -> httpx.Response:
            # The create lands twice (a retry inside DevRev's own plumbing): the second copy
            # is newer but has the smaller id.
            if request.url.path == "/webhooks.create":
                body = json.loads(request.content)
                devrev.add(body["secret"], ago=timedelta(seconds=30))
                devrev.hooks[-1]["id"] = "don:integration:dvrv-us-1:devo/0:webhook/zz-old"
                devrev.add(body["secret"])
                devrev.hooks[-1]["id"] = "don:integration:dvrv-us-1:devo/0:webhook/aa-new"
                raise httpx.ReadError("connection reset")
            return original(request)

        with devrev.client(handler=twice) as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        assert hook.id.endswith("/zz-old")
        assert devrev.deleted == ["don:integration:dvrv-us-1:devo/0:webhook/aa-new"]
        assert [h["id"] for h in devrev.hooks] == [neighbour, hook.id]
        assert [r.getMessage() for r in caplog.records] == [
            "webhooks.create: deleting don:integration:dvrv-us-1:devo/0:webhook/aa-new, a "
            "second webhook made by a retried attempt of this create (kept "
            "don:integration:dvrv-us-1:devo/0:webhook/zz-old)"
        ]

    def test_a_twin_without_a_creation_date_counts_as_the_oldest(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["commit-then-drop"])
        original = devrev.__call__

        def twice(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/webhooks.create":
                body = json.loads(request.content)
                devrev.add(body["secret"])
                devrev.add(body["secret"], created_date=None)
                raise httpx.ReadError("connection reset")
            return original(request)

        with devrev.client(handler=twice) as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        assert hook.created_date is None
        assert len(devrev.deleted) == 1

    def test_a_twin_that_cannot_be_deleted_is_named_and_the_create_keeps_its_webhook(
        self, clock: Clock, caplog: pytest.LogCaptureFixture
    ) -> None:
        devrev = FakeDevRev(clock, ["commit-then-drop"])
        caplog.set_level(logging.WARNING, "pulumi_devrev.client")
        with devrev.client(handler=twin_that_cannot_be_deleted(devrev)) as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        kept, twin = (h["id"] for h in devrev.hooks)
        # The create's result is recorded (not lost beside the twin), and never sent again.
        assert hook.id == kept
        assert devrev.paths == ["/webhooks.create", "/webhooks.list"] + ["/webhooks.delete"] * 6
        assert clock.sleeps == [0.25] * 5
        # The twin the stack does not manage is named, with how to delete it.
        assert caplog.records[-1].getMessage() == (
            f"webhooks.create: could not delete {twin} (webhooks.delete of webhook {twin} "
            f"failed: HTTP 500: internal). If it still exists, it is a copy of {kept} that the "
            f"stack does not manage: delete it (webhooks.delete with id {twin})"
        )

    def test_deleting_twins_is_held_to_the_creates_deadline(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["commit-then-drop"])
        began = clock.now
        # Half of the create's 0.6 s deadline is gone before the lookup.
        handler = twin_that_cannot_be_deleted(devrev, create_takes=0.3)
        with devrev.client(deadline=0.6, handler=handler) as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        assert hook.id == devrev.hooks[0]["id"]
        # Not the attempts a delete with a deadline of its own would get: the 0.3 s left of the
        # create's allow two (0.25 s apart).
        assert devrev.paths.count("/webhooks.delete") == 2
        assert clock.now - began <= 0.6

    def test_a_create_that_made_nothing_is_sent_again_beside_a_lookalike(
        self, clock: Clock
    ) -> None:
        devrev = FakeDevRev(clock, ["500", "ok"])
        lookalike = devrev.add("neighbours-own-secret")

        with devrev.client() as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        assert hook.id != lookalike
        assert devrev.paths == ["/webhooks.create", "/webhooks.list", "/webhooks.create"]
        assert devrev.deleted == []


class TestChosenSecret:
    """A secret the user chose may be a neighbour's too: only a webhook made since this call
    began, matching in every field, and the only one, is this create's."""

    def test_the_webhook_made_just_now_is_found(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["commit-then-500"])
        # A lookalike made an hour ago by a neighbour with the same secret: not this create's.
        devrev.add("shared-secret-0000", ago=timedelta(hours=1))

        with devrev.client() as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL, secret="shared-secret-0000"))

        assert hook.id == devrev.hooks[-1]["id"]
        assert devrev.create_count() == 1

    def test_a_webhook_made_a_minute_before_the_call_counts_for_clock_skew(
        self, clock: Clock
    ) -> None:
        devrev = FakeDevRev(clock, ["500"])
        original = devrev.__call__
        creates: list[str] = []

        def skewed(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/webhooks.create":
                creates.append(request.url.path)
                # DevRev's clock is a minute behind ours: its stamp predates the call.
                devrev.add("my-secret-0000", ago=timedelta(minutes=1))
                return httpx.Response(500, json={})
            return original(request)

        with devrev.client(handler=skewed) as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL, secret="my-secret-0000"))

        assert hook.id == devrev.hooks[0]["id"]
        assert len(creates) == 1

    def test_an_old_lookalike_alone_is_never_taken(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["500", "ok"])
        lookalike = devrev.add("shared-secret-0000", ago=timedelta(minutes=10))

        with devrev.client() as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL, secret="shared-secret-0000"))

        assert hook.id != lookalike
        assert devrev.create_count() == 2

    def test_two_made_just_now_are_neither_taken_and_both_are_named(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["500"])
        first = devrev.add("shared-secret-0000", ago=timedelta(seconds=5))
        second = devrev.add("shared-secret-0000")

        with devrev.client() as client, pytest.raises(CreateOutcomeUnknown) as caught:
            client.create_webhook(CreateWebhookRequest(url=URL, secret="shared-secret-0000"))

        assert str(caught.value).startswith(
            f"webhooks.create failed: 2 webhooks made just now carry the same url, event types, "
            f"headers and secret ({first}, {second}), so none is provably this create's. DevRev "
            f"may have created the webhook for {URL} even so."
        )
        assert devrev.create_count() == 1

    def test_only_a_match_in_every_field_counts(self, clock: Clock) -> None:
        secret = "shared-secret-0000"
        devrev = FakeDevRev(clock, ["500"])
        header = [{"name": "X-Team", "value": "ops"}]
        mine = devrev.add(secret, event_types=["work_created"], headers=header)
        devrev.add(secret, url=URL + "/other", event_types=["work_created"], headers=header)
        devrev.add(secret, event_types=["work_updated"], headers=header)
        devrev.add(secret, event_types=["work_created"], headers=[])
        devrev.add(secret, event_types=["work_created"], headers=[header[0] | {"value": "x"}])
        devrev.add("another-secret-00", event_types=["work_created"], headers=header)
        request = CreateWebhookRequest.model_validate(
            {
                "url": URL,
                "secret": secret,
                "event_types": ["work_created", "work_created"],
                "headers": header,
            }
        )

        with devrev.client() as client:
            hook = client.create_webhook(request)

        assert hook.id == mine

    def test_a_match_without_a_creation_date_is_taken(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["500"])
        made = devrev.add("my-secret-0000", created_date=None)

        with devrev.client() as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL, secret="my-secret-0000"))

        assert hook.id == made
        assert devrev.create_count() == 1


class TestSettling:
    """A create that timed out may still land: the lookup looks again, with growing pauses,
    for half of what remains of the deadline, and never sends it again."""

    def test_pauses_grow_and_the_last_look_is_at_the_end_of_the_window(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["timeout"], lands_after_lists=1000)

        with devrev.client(deadline=20.0) as client, pytest.raises(CreateOutcomeUnknown) as caught:
            client.create_webhook(CreateWebhookRequest(url=URL))

        # Half of the 20 s deadline: 0.25 + 0.5 + 1 + 2 + 4, then 2.25 to the window's end.
        assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 2.25]
        assert devrev.paths.count("/webhooks.list") == 7
        assert devrev.create_count() == 1
        assert "so it was not sent again" in str(caught.value)

    def test_a_create_that_lands_while_waiting_is_found(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["timeout"], lands_after_lists=3)

        with devrev.client(deadline=20.0) as client:
            hook = client.create_webhook(CreateWebhookRequest(url=URL))

        assert hook.id == devrev.hooks[0]["id"]
        assert clock.sleeps == [0.25, 0.5, 1.0]
        assert devrev.create_count() == 1

    def test_an_answer_that_may_have_taken_effect_is_looked_up_once_without_waiting(
        self, clock: Clock
    ) -> None:
        devrev = FakeDevRev(clock, ["500", "ok"])

        with devrev.client() as client:
            client.create_webhook(CreateWebhookRequest(url=URL))

        assert devrev.paths.count("/webhooks.list") == 1
        assert clock.sleeps == [0.25]  # the retry's backoff only


class TestLookupFails:
    def test_a_failed_listing_says_the_create_may_have_happened_without_credentials(
        self, clock: Clock
    ) -> None:
        devrev = FakeDevRev(clock, ["500"])
        devrev.list_answer = httpx.Response(403, json={"message": "no list for you"})

        with devrev.client() as client, pytest.raises(CreateOutcomeUnknown) as caught:
            client.create_webhook(CreateWebhookRequest(url=CREDENTIAL_URL))

        message = str(caught.value)
        assert message.startswith(
            "webhooks.create failed: listing webhooks to check whether it was created failed "
            "(webhooks.list failed: HTTP 403: no list for you). DevRev may have created the "
            "webhook for https://***@hooks.example.com/lookup?*** even so."
        )
        assert caught.value.url == "https://***@hooks.example.com/lookup?***"
        assert "pw-0000" not in message and "tok-0000" not in message

    def test_the_lookup_keeps_to_the_creates_deadline(self, clock: Clock) -> None:
        devrev = FakeDevRev(clock, ["500"], create_takes=6.0)
        devrev.list_answer = httpx.Response(503, headers={"Retry-After": "4"}, json={})

        with devrev.client(deadline=10.0) as client, pytest.raises(CreateOutcomeUnknown):
            client.create_webhook(CreateWebhookRequest(url=URL))

        # 6 s spent by the create; a 4 s wait would reach the 10 s deadline: no retry.
        assert clock.sleeps == []
        assert devrev.paths == ["/webhooks.create", "/webhooks.list"]
