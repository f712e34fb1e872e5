"""The client's retry rules, each as a user meets it: which answers are retried, how long it
waits (``Retry-After`` in seconds or as a date, garbage and negative values), what an answer that
is not JSON gives, and when a failure says DevRev may have applied it. Found by mutation testing
(``make mutate``); DevRev is played by ``httpx.MockTransport``, so nothing here waits."""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pulumi_devrev.client import DevRevClient, RetryPolicy
from pulumi_devrev.errors import (
    DevRevAPIError,
    RateLimitError,
    ServerError,
    TransportError,
)
from pulumi_devrev.models import CreateWebhookRequest, UpdateWebhookRequest
from tests.support import TOKEN

ID = "don:integration:dvrv-us-1:devo/0:webhook/r"
URL = "https://hooks.example.com/r"
HOOK = {
    "id": ID,
    "url": URL,
    "status": "unverified",
    "secret": "secret-of-the-hook-0001",
    "event_types": ["work_created"],
}
# Backoff without jitter, so a wait that is not the server's is recognisable: 0.25 s.
POLICY = RetryPolicy(max_attempts=3, initial_wait=0.25, max_wait=0.25, jitter=0.0)


class Recorder:
    """DevRev as a list of answers (the last one repeats), and the client's sleeps."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.paths: list[str] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())  # with the query, if any
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self, **kw: Any) -> DevRevClient:
        kw.setdefault("retry", POLICY)
        return DevRevClient(
            TOKEN,
            "http://devrev.test",
            transport=httpx.MockTransport(self),
            sleep=self.sleeps.append,
            **kw,
        )


@pytest.fixture
def ok() -> Iterator[httpx.Response]:
    yield httpx.Response(200, json={"webhook": HOOK})


def busy(headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
    return httpx.Response(429, headers=headers, json={"message": "slow down", **body})


def http_date(delta: timedelta) -> str:
    return email.utils.format_datetime(datetime.now(UTC) + delta, usegmt=True)


class TestRetryAfter:
    @pytest.mark.parametrize(("value", "expected"), [("2", 2.0), ("1.5", 1.5), ("0", 0.0)])
    def test_seconds_are_waited_exactly(
        self, ok: httpx.Response, value: str, expected: float
    ) -> None:
        devrev = Recorder(busy({"Retry-After": value}), ok)
        with devrev.client() as client:
            assert client.get_webhook(ID) is not None
        assert devrev.sleeps == [expected]

    def test_a_date_is_waited_until(self, ok: httpx.Response) -> None:
        devrev = Recorder(busy({"Retry-After": http_date(timedelta(seconds=30))}), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert len(devrev.sleeps) == 1
        assert 27.0 <= devrev.sleeps[0] <= 30.0

    def test_a_date_already_past_means_now(self, ok: httpx.Response) -> None:
        devrev = Recorder(busy({"Retry-After": http_date(-timedelta(minutes=5))}), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [0.0]

    @pytest.mark.parametrize("value", ["-5", "-0.5"])
    def test_a_negative_value_never_sleeps_negatively(self, ok: httpx.Response, value: str) -> None:
        devrev = Recorder(busy({"Retry-After": value}), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [0.0]

    @pytest.mark.parametrize(
        "value", ["soon", "Wed, 99 Foo 2025 10:00:00 GMT", "Wed, 21 Oct 2015 07:28:00 -0000", " "]
    )
    def test_garbage_or_a_date_without_zone_falls_back_to_the_body_then_backoff(
        self, ok: httpx.Response, value: str
    ) -> None:
        devrev = Recorder(busy({"Retry-After": value}, retry_after=3), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [3.0]

        devrev = Recorder(busy({"Retry-After": value}), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [0.25]

    def test_the_header_wins_over_the_body(self, ok: httpx.Response) -> None:
        devrev = Recorder(busy({"Retry-After": "1"}, retry_after=7), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [1.0]

    @pytest.mark.parametrize(("value", "expected"), [(4, 4.0), (0.5, 0.5), (-3, 0.0)])
    def test_a_number_in_the_body_is_waited(
        self, ok: httpx.Response, value: float, expected: float
    ) -> None:
        devrev = Recorder(busy(retry_after=value), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [expected]

    @pytest.mark.parametrize("value", [True, "3", None, [3]])
    def test_anything_else_in_the_body_is_ignored(self, ok: httpx.Response, value: Any) -> None:
        devrev = Recorder(busy(retry_after=value), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [0.25]

    def test_the_error_after_the_last_attempt_carries_the_wait(self) -> None:
        devrev = Recorder(busy({"Retry-After": "2"}))
        with devrev.client() as client, pytest.raises(RateLimitError) as caught:
            client.get_webhook(ID)
        assert caught.value.retry_after == 2.0
        assert devrev.sleeps == [2.0, 2.0]

    def test_no_retry_after_at_all_is_none(self) -> None:
        devrev = Recorder(httpx.Response(400, json={"message": "bad"}))
        with devrev.client() as client, pytest.raises(DevRevAPIError) as caught:
            client.get_webhook(ID)
        assert caught.value.retry_after is None


class TestBodies:
    def test_a_proxys_html_502_is_an_error_quoting_the_page_not_a_crash(self) -> None:
        page = httpx.Response(502, text="<html>Bad Gateway</html>")
        devrev = Recorder(page)
        with devrev.client() as client, pytest.raises(ServerError) as caught:
            client.get_webhook(ID)
        assert caught.value.status_code == 502
        assert "<html>Bad Gateway</html>" in str(caught.value)
        assert len(devrev.paths) == 3  # retried like any 502

    @pytest.mark.parametrize("content", [b"[1, 2]", b'"text"', b"null", b"\xff\xfe not utf-8", b""])
    def test_an_error_body_that_is_not_a_json_object_is_quoted_as_text(
        self, content: bytes
    ) -> None:
        devrev = Recorder(httpx.Response(400, content=content))
        with devrev.client() as client, pytest.raises(DevRevAPIError) as caught:
            client.get_webhook(ID)
        assert caught.value.status_code == 400
        assert caught.value.body == {"message": httpx.Response(400, content=content).text}

    @pytest.mark.parametrize("content", [b"<html>ok</html>", b"[]", b"\xff"])
    def test_a_success_that_is_not_a_json_object_is_an_error(self, content: bytes) -> None:
        devrev = Recorder(httpx.Response(200, content=content))
        with devrev.client() as client, pytest.raises(DevRevAPIError) as caught:
            client.get_webhook(ID)
        assert "DevRev answered with a body that is not JSON" in str(caught.value)

    def test_a_json_object_error_body_is_read(self) -> None:
        devrev = Recorder(httpx.Response(400, json={"type": "bad_request", "message": "no"}))
        with devrev.client() as client, pytest.raises(DevRevAPIError) as caught:
            client.get_webhook(ID)
        assert caught.value.type == "bad_request"
        assert caught.value.message_text == "no"


class TestWhatIsRetried:
    @pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
    def test_retried(self, ok: httpx.Response, status: int) -> None:
        devrev = Recorder(httpx.Response(status, json={}), ok)
        with devrev.client() as client:
            assert client.get_webhook(ID) is not None
        assert len(devrev.paths) == 2

    @pytest.mark.parametrize("status", [400, 401, 403, 409, 413, 422, 501, 505])
    def test_answered_once(self, status: int) -> None:
        devrev = Recorder(httpx.Response(status, json={}))
        with devrev.client() as client, pytest.raises(DevRevAPIError):
            client.update_webhook(UpdateWebhookRequest(id=ID, url="https://h.example/n"))
        assert len(devrev.paths) == 1

    @pytest.mark.parametrize(
        "error",
        [httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.ReadTimeout("slow")],
    )
    def test_transport_failures_are_retried(self, ok: httpx.Response, error: Exception) -> None:
        devrev = Recorder(error, ok)
        with devrev.client() as client:
            assert client.get_webhook(ID) is not None
        assert len(devrev.paths) == 2


MAY_HAVE = "DevRev may have applied this change even so"


class TestMayHaveTakenEffect:
    """After a failure that may have reached DevRev, the error says so; otherwise it does not."""

    @pytest.mark.parametrize(
        "answer",
        [
            httpx.Response(500, json={}),
            httpx.Response(503, json={}),
            httpx.ReadError("connection reset after sending"),
            httpx.ReadTimeout("slow"),
        ],
    )
    def test_said_after_a_5xx_or_a_lost_answer(self, answer: httpx.Response | Exception) -> None:
        devrev = Recorder(answer)
        request = UpdateWebhookRequest(id=ID, url="https://h.example/n")
        with devrev.client() as client, pytest.raises((DevRevAPIError, TransportError)) as caught:
            client.update_webhook(request)
        assert MAY_HAVE in str(caught.value)

    @pytest.mark.parametrize(
        "answer",
        [busy(), httpx.ConnectError("refused"), httpx.Response(400, json={"message": "bad"})],
    )
    def test_not_said_when_it_cannot_have_reached_devrev(
        self, answer: httpx.Response | Exception
    ) -> None:
        devrev = Recorder(answer)
        request = UpdateWebhookRequest(id=ID, url="https://h.example/n")
        with devrev.client() as client, pytest.raises((DevRevAPIError, TransportError)) as caught:
            client.update_webhook(request)
        assert MAY_HAVE not in str(caught.value)

    def test_a_create_refused_by_429_or_no_connection_is_resent_without_a_lookup(
        self, ok: httpx.Response
    ) -> None:
        devrev = Recorder(busy(), httpx.ConnectError("refused"), ok)
        with devrev.client() as client:
            client.create_webhook(CreateWebhookRequest(url=URL))
        assert devrev.paths == ["/webhooks.create"] * 3

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_a_create_answered_5xx_is_looked_up_before_it_is_resent(
        self, ok: httpx.Response, status: int
    ) -> None:
        devrev = Recorder(
            httpx.Response(status, json={}), httpx.Response(200, json={"webhooks": []}), ok
        )
        with devrev.client() as client:
            client.create_webhook(CreateWebhookRequest(url=URL))
        assert devrev.paths == ["/webhooks.create", "/webhooks.list", "/webhooks.create"]


class TestHostileBodies:
    def test_an_integer_wait_too_large_for_a_float_fails_at_once(self) -> None:
        devrev = Recorder(httpx.Response(429, content=b'{"retry_after": ' + b"9" * 400 + b"}"))
        with devrev.client() as client, pytest.raises(RateLimitError) as caught:
            client.get_webhook(ID)
        assert caught.value.retry_after == float("inf")
        assert devrev.sleeps == []
        assert len(devrev.paths) == 1

    def test_a_hugely_negative_integer_wait_means_now(self, ok: httpx.Response) -> None:
        devrev = Recorder(httpx.Response(429, content=b'{"retry_after": -' + b"9" * 400 + b"}"), ok)
        with devrev.client() as client:
            client.get_webhook(ID)
        assert devrev.sleeps == [0.0]

    def test_a_body_nested_too_deep_to_read_is_quoted_as_text_not_a_crash(self) -> None:
        nested = b"[" * 100_000 + b"]" * 100_000
        devrev = Recorder(httpx.Response(502, content=nested))
        with devrev.client() as client, pytest.raises(ServerError) as caught:
            client.get_webhook(ID)
        assert caught.value.status_code == 502

    def test_a_success_nested_too_deep_to_read_is_an_error_not_a_crash(self) -> None:
        devrev = Recorder(httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000))
        with devrev.client() as client, pytest.raises(DevRevAPIError) as caught:
            client.get_webhook(ID)
        assert "not JSON" in str(caught.value)
