"""Plan decisions pinned down where a slip would go unnoticed until a user's preview lies, found
by mutation testing (``make mutate``): unknown inputs before a real change, the exact
re-verification notice, every output and refresh input, outputs read back as ``Observed``."""

from __future__ import annotations

from typing import Any

from pulumi_devrev.models import Webhook, WebhookSpec, WebhookStatus
from pulumi_devrev.plan import (
    Observed,
    changed_fields,
    inputs_from_live,
    outputs,
    plan_update,
    restarts_verification,
    reverification_notice,
)

ID = "don:integration:dvrv-us-1:devo/0:webhook/a"
OLD = Observed(
    url="https://h.example/x",
    event_types=frozenset({"work_created"}),
    secret="old-secret-1",
    headers={"X-Team": "ops"},
    active=True,
    status=WebhookStatus.ACTIVE,
)


def hook(**kw: Any) -> Webhook:
    base: dict[str, Any] = {
        "id": ID,
        "url": "https://h.example/x",
        "status": "active",
        "secret": "generated-1234",
        "event_types": ["work_updated", "work_created", "work_created"],
        "headers": [{"name": "X-Team", "value": "ops"}, {"name": "A-First", "value": "1"}],
        "display_id": "webhook-1",
        "created_date": "2026-01-01T00:00:00.000Z",
        "modified_date": "2026-01-02T00:00:00.000Z",
    }
    base.update(kw)
    return Webhook.model_validate(base)


class TestUnknownInputs:
    """An input unknown until apply (another resource's output) counts as changed, and the
    inputs after it are still compared."""

    def test_a_secret_change_after_unknown_event_types_is_still_seen(self) -> None:
        news = {
            "url": "https://h.example/x",
            "event_types": ["work_created"],
            "secret": "new-secret-2",
            "headers": {"X-Team": "ops"},
        }

        changes = changed_fields(OLD, news, unknown={"event_types"})

        assert changes == ["event_types", "secret"]
        # ...so the preview still warns that deliveries pause for a new handshake.
        notice = reverification_notice(ID, OLD, changes, news["url"], meant_active=True)
        assert notice is not None and "its secret makes it `unverified`" in notice

    def test_every_unknown_input_and_every_real_change_is_listed_in_order(self) -> None:
        news = {
            "url": "https://h.example/x",
            "event_types": ["work_created"],
            "active": False,
            "headers": {"X-Team": "dev"},
        }

        changes = changed_fields(OLD, news, unknown={"url", "event_types"})

        assert changes == ["url", "event_types", "active", "headers"]


class TestNotice:
    def test_a_new_url_and_secret_are_named_with_the_redacted_endpoint(self) -> None:
        notice = reverification_notice(
            ID, OLD, ["secret", "url"], "https://u:pw@n.example/h", meant_active=True
        )

        assert notice == (
            f"DevRev webhook {ID}: changing its url and secret makes it `unverified`; it "
            "receives no events until https://***@n.example/h answers DevRev's verification "
            "challenge."
        )

    def test_an_url_unknown_until_apply_is_called_the_new_url(self) -> None:
        notice = reverification_notice(ID, OLD, ["url"], object(), meant_active=True)

        assert notice == (
            f"DevRev webhook {ID}: changing its url makes it `unverified`; it receives no "
            "events until the new url answers DevRev's verification challenge."
        )

    def test_no_notice_for_an_inactive_webhook(self) -> None:
        old = Observed(url=OLD.url, active=False, status=WebhookStatus.INACTIVE)
        notice = reverification_notice(
            ID, old, ["url", "secret"], "https://n.example/h", meant_active=True
        )
        assert notice is None


def test_outputs_are_every_field_of_the_webhook_normalized() -> None:
    out = outputs(hook(), {"wait_for_active": True})

    assert out == {
        "url": "https://h.example/x",
        "event_types": ["work_created", "work_updated"],
        "secret": "generated-1234",
        "active": True,
        "headers": {"A-First": "1", "X-Team": "ops"},
        "status": "active",
        "display_id": "webhook-1",
        "created_date": "2026-01-01T00:00:00.000Z",
        "modified_date": "2026-01-02T00:00:00.000Z",
        "wait_for_active": True,
    }
    assert list(out["headers"]) == ["A-First", "X-Team"]  # stable order: no spurious diff


def test_refresh_inputs_are_what_holds_at_devrev_plus_the_old_steering() -> None:
    inputs = inputs_from_live(hook(status="inactive"), {"wait_for_active": True, "url": "x"})

    assert inputs == {
        "url": "https://h.example/x",
        "event_types": ["work_created", "work_updated"],
        "active": False,
        "headers": {"A-First": "1", "X-Team": "ops"},
        "wait_for_active": True,
    }
    assert list(inputs["headers"]) == ["A-First", "X-Team"]


def test_outputs_read_back_give_the_webhook_as_observed() -> None:
    for status in ("active", "unverified", "inactive"):
        live = hook(status=status)

        again = Observed.from_outputs(outputs(live, {}))

        assert again == Observed.from_webhook(live)
        assert again.secret == "generated-1234"
        assert again.status == WebhookStatus(status)


def test_outputs_of_an_older_release_with_an_unknown_status_read_as_no_status() -> None:
    old = Observed.from_outputs(
        {"url": "https://h.example/x", "status": "paused", "headers": [("X", "1")]}
    )

    assert old.status is None
    assert old.headers == {}


def test_an_unchanged_secret_is_not_resent_beside_another_change() -> None:
    # Resending it, even unchanged, would knock the active webhook back to `unverified`.
    new = WebhookSpec.model_validate(
        {
            "url": OLD.url,
            "event_types": ["work_updated"],
            "secret": "old-secret-1",
            "headers": {"X-Team": "ops"},
        }
    )

    request = plan_update(ID, OLD, new)

    assert request is not None
    assert request.body() == {"id": ID, "event_types": {"set": ["work_updated"]}}
    assert request.url is None and request.secret is None
    assert not restarts_verification(changed_fields(OLD, new.to_inputs()), meant_active=True)


def test_outputs_without_a_url_read_as_an_empty_url_that_differs_from_any() -> None:
    old = Observed.from_outputs({})

    assert old.url == ""
    assert changed_fields(old, {"url": "https://h.example/x"}) == ["url"]
