"""DevRev's re-verification rule, as the provider applies it: which updates wait for the new
handshake (``wait_for_active``), and which diffs warn at preview that deliveries pause.

Every combination of changes is run through ``DevRevWebhookProvider.update`` and ``diff``
(no API: the client and the wait are stand-ins) against the rule written out here.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_devrev import plan, provider
from pulumi_devrev.models import UpdateAction, UpdateWebhookRequest, Webhook, WebhookSpec
from pulumi_devrev.provider import DevRevWebhookProvider

ID = "don:integration:dvrv-us-1:devo/0:webhook/a"
OLD = {
    "url": "https://h.example/x",
    "event_types": ["work_created"],
    "secret": "old-secret-1",
    "headers": {"X-Team": "ops"},
}
NEW = {
    "url": "https://h.example/y",
    "event_types": ["work_updated"],
    "secret": "new-secret-2",
    "headers": {"X-Team": "dev"},
}
EDITABLE = tuple(OLD)


class Recorder:
    """The client's one update and the wait, recorded."""

    def __init__(self) -> None:
        self.requests: list[UpdateWebhookRequest] = []
        self.waited = 0

    def update_webhook(self, request: UpdateWebhookRequest) -> Webhook:
        self.requests.append(request)
        status = "inactive" if request.action == UpdateAction.DEACTIVATE else "unverified"
        return Webhook.model_validate(
            {"id": ID, "url": request.url or OLD["url"], "status": status, "secret": "s" * 12}
        )

    def wait(self, _client: Any, hook: Webhook, _spec: Any, **_kw: Any) -> Webhook:
        self.waited += 1
        return hook


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(provider, "_client", lambda: rec)
    monkeypatch.setattr(DevRevWebhookProvider, "_wait", staticmethod(rec.wait))
    return rec


def combinations() -> list[tuple[tuple[str, ...], bool, bool, bool]]:
    """(fields changed among url/secret/event_types/headers, active before, after, wait)."""
    return [
        (changed, before, after, wait)
        for n in range(len(EDITABLE) + 1)
        for changed in itertools.combinations(EDITABLE, n)
        for before, after, wait in itertools.product((True, False), repeat=3)
        if changed or before != after
    ]


def test_an_update_waits_when_a_webhook_meant_to_be_active_must_verify_again(
    recorder: Recorder,
) -> None:
    for changed, before, after, wait in combinations():
        olds = {**OLD, "active": before, "status": "active" if before else "inactive"}
        news = {**OLD, **{k: NEW[k] for k in changed}, "active": after, "wait_for_active": wait}
        recorder.waited = 0

        DevRevWebhookProvider().update(ID, olds, news)

        reactivated = after and not before
        must_verify = after and ("url" in changed or "secret" in changed or reactivated)
        assert recorder.waited == (1 if wait and must_verify else 0), (changed, before, after)
    assert len(recorder.requests) == len(combinations())  # one update each


@pytest.mark.parametrize("status", ["active", "unverified", "inactive"])
def test_preview_warns_only_when_an_active_webhook_stays_active_on_a_new_url_or_secret(
    status: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = object()
    for changed, after in itertools.product(
        [c for n in range(len(EDITABLE) + 1) for c in itertools.combinations(EDITABLE, n)],
        (True, False, Unknown(), missing),  # Unknown: `active` is known only at apply
    ):
        olds = {**OLD, "active": status != "inactive", "status": status}
        news: dict[str, Any] = {**OLD, **{k: NEW[k] for k in changed}}
        if after is not missing:
            news["active"] = after

        DevRevWebhookProvider().diff(ID, olds, news)

        shown = capsys.readouterr().out
        endpoint = [c for c in ("url", "secret") if c in changed]
        expected = status == "active" and bool(endpoint) and after is not False
        assert ("makes it `unverified`" in shown) is expected, (status, changed, after)
        if expected:
            assert f"changing its {' and '.join(endpoint)} makes it" in shown


def test_update_has_a_request_to_send_exactly_when_diff_reports_a_change() -> None:
    """Why update needs no branch for "nothing to send": the engine calls it only after diff
    reported a change, and diff and update compare the same olds and news alike."""
    webhooks = DevRevWebhookProvider()
    settings = ({}, {"wait_for_active": True, "verification_timeout": 30.0})
    for (changed, before, after, _), steer in itertools.product(
        [*combinations(), ((), True, True, False), ((), False, False, False)], settings
    ):
        olds = {**OLD, "active": before, "status": "active" if before else "inactive"}
        news = webhooks.check({}, {**OLD, **{k: NEW[k] for k in changed}, "active": after, **steer})
        assert not news.failures

        reported = webhooks.diff(ID, olds, news.inputs).changes
        spec = WebhookSpec.model_validate(news.inputs)
        request = plan.plan_update(ID, plan.Observed.from_outputs(olds), spec)

        assert reported is (request is not None), (changed, before, after, steer)
