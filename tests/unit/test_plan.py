"""The pure decisions: what changed, the one update request, what the status will do."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_devrev.models import UpdateAction, Webhook, WebhookSpec, WebhookStatus
from pulumi_devrev.plan import (
    Observed,
    changed_fields,
    inputs_from_live,
    outputs,
    plan_update,
    restarts_verification,
    reverification_notice,
    steering,
)

ID = "don:integration:dvrv-us-1:devo/0:webhook/a"


def observed(**kw: Any) -> Observed:
    base: dict[str, Any] = {
        "url": "https://h.example/x",
        "event_types": frozenset({"work_created"}),
        "secret": "old-secret-1",
        "headers": {"X-Team": "ops"},
        "active": True,
        "status": WebhookStatus.ACTIVE,
    }
    base.update(kw)
    return Observed(**base)


def spec(**kw: Any) -> WebhookSpec:
    base: dict[str, Any] = {
        "url": "https://h.example/x",
        "event_types": ["work_created"],
        "headers": {"X-Team": "ops"},
    }
    base.update(kw)
    return WebhookSpec.model_validate(base)


def test_nothing_changed_plans_nothing() -> None:
    assert plan_update(ID, observed(), spec()) is None


def test_unset_secret_never_differs() -> None:
    assert changed_fields(observed(), spec().to_inputs()) == []


def test_same_secret_is_not_resent() -> None:
    assert plan_update(ID, observed(), spec(secret="old-secret-1")) is None


def test_event_type_order_and_duplicates_never_differ() -> None:
    old = observed(event_types=frozenset({"work_created", "work_updated"}))
    news = {
        "url": "https://h.example/x",
        "event_types": ["work_updated", "work_created"],
        "headers": {"X-Team": "ops"},
    }
    assert changed_fields(old, news) == []


@pytest.mark.parametrize(
    ("change", "expected_body"),
    [
        ({"url": "https://h.example/y"}, {"url": "https://h.example/y"}),
        ({"secret": "new-secret-2"}, {"secret": "new-secret-2"}),
        ({"event_types": ["work_updated"]}, {"event_types": {"set": ["work_updated"]}}),
        ({"event_types": []}, {"event_types": {"set": []}}),
        ({"headers": {}}, {"headers": {"set": []}}),
        (
            {"headers": {"X-Team": "dev", "X-Env": "prod"}},
            {
                "headers": {
                    "set": [{"name": "X-Env", "value": "prod"}, {"name": "X-Team", "value": "dev"}]
                }
            },
        ),
        ({"active": False}, {"action": "deactivate"}),
    ],
)
def test_one_update_carries_only_what_changed(
    change: dict[str, Any], expected_body: dict[str, Any]
) -> None:
    request = plan_update(ID, observed(), spec(**change))
    assert request is not None
    assert request.body() == {"id": ID, **expected_body}


def test_reactivation_sends_activate() -> None:
    request = plan_update(ID, observed(active=False, status=WebhookStatus.INACTIVE), spec())
    assert request is not None and request.action == UpdateAction.ACTIVATE


def test_unverified_is_not_drift_from_active() -> None:
    old = observed(active=True, status=WebhookStatus.UNVERIFIED)
    assert plan_update(ID, old, spec()) is None


def test_several_changes_are_one_request() -> None:
    request = plan_update(
        ID, observed(), spec(url="https://h.example/y", active=False, event_types=["work_updated"])
    )
    assert request is not None
    assert request.body() == {
        "id": ID,
        "url": "https://h.example/y",
        "action": "deactivate",
        "event_types": {"set": ["work_updated"]},
    }


def test_unknown_inputs_count_as_changed() -> None:
    news = {"url": "whatever", "event_types": ["work_created"], "headers": {"X-Team": "ops"}}
    assert changed_fields(observed(), news, unknown={"url"}) == ["url"]


@pytest.mark.parametrize(
    ("changes", "meant_active", "expected"),
    [
        (["url"], True, True),
        (["secret"], True, True),
        (["active"], True, True),  # activated again
        (["url", "secret", "event_types"], True, True),
        (["event_types", "headers"], True, False),
        ([], True, False),
        (["url"], False, False),
        (["url", "active"], False, False),  # deactivated
        (["secret", "headers"], False, False),
    ],
)
def test_which_changes_restart_verification(
    changes: list[str], meant_active: bool, expected: bool
) -> None:
    assert restarts_verification(changes, meant_active=meant_active) is expected


@pytest.mark.parametrize(
    ("status", "changes", "meant_active", "expected"),
    [
        (WebhookStatus.ACTIVE, ["url"], True, True),
        (WebhookStatus.ACTIVE, ["secret"], True, True),
        (WebhookStatus.ACTIVE, ["event_types", "headers"], True, False),
        (WebhookStatus.UNVERIFIED, ["url"], True, False),
        (WebhookStatus.INACTIVE, ["url"], True, False),
        (WebhookStatus.ACTIVE, ["url", "active"], False, False),
    ],
)
def test_which_changes_pause_deliveries_at_preview(
    status: WebhookStatus, changes: list[str], meant_active: bool, expected: bool
) -> None:
    notice = reverification_notice(
        ID, observed(status=status), changes, "https://h.example/y", meant_active=meant_active
    )
    assert (notice is not None) is expected


def test_notice_names_the_endpoint_without_credentials() -> None:
    notice = reverification_notice(
        ID, observed(), ["url"], "https://u:pw@new.example/hook?k=v", meant_active=True
    )
    assert notice is not None
    assert "`unverified`" in notice and "no events" in notice
    assert "new.example" in notice and "pw" not in notice and "k=v" not in notice
    notice = reverification_notice(
        ID, observed(), ["event_types"], "https://h.example/x", meant_active=True
    )
    assert notice is None


def hook(**kw: Any) -> Webhook:
    base: dict[str, Any] = {
        "id": ID,
        "url": "https://h.example/x",
        "status": "unverified",
        "secret": "generated-1234",
        "event_types": ["work_updated", "work_created"],
        "headers": [{"name": "X-Team", "value": "ops"}],
        "display_id": "webhook-1",
        "created_date": "2026-01-01T00:00:00.000Z",
    }
    base.update(kw)
    return Webhook.model_validate(base)


def test_outputs_carry_every_input_normalized_and_the_computed_fields() -> None:
    out = outputs(hook(), steering(spec(wait_for_active=True).to_inputs()))
    assert out["event_types"] == ["work_created", "work_updated"]
    assert out["active"] is True  # unverified: pending, not inactive
    assert out["status"] == "unverified"
    assert out["secret"] == "generated-1234"
    assert out["headers"] == {"X-Team": "ops"}
    assert out["wait_for_active"] is True
    assert "adopt_id" not in out  # None values are left out, as the engine drops them


@pytest.mark.parametrize("status", ["active", "unverified", "inactive"])
def test_active_is_the_webhooks_own_everywhere(status: str) -> None:
    live = hook(status=status)
    assert Observed.from_webhook(live).active is live.active
    assert outputs(live, {})["active"] is live.active
    assert inputs_from_live(live, {})["active"] is live.active


def test_refresh_inputs_never_carry_the_secret() -> None:
    inputs = inputs_from_live(hook(status="inactive"), {"wait_for_active": True})
    assert "secret" not in inputs
    assert inputs["active"] is False
    assert inputs["wait_for_active"] is True


def test_refresh_inputs_never_carry_a_credential_url() -> None:
    assert "url" not in inputs_from_live(hook(url="https://h.example/x?token=abc"), {})
    assert "url" not in inputs_from_live(hook(url="https://user:pw@h.example/x"), {})


def test_observed_from_old_outputs_tolerates_missing_keys() -> None:
    old = Observed.from_outputs({"url": "https://h.example/x"})
    assert old.status is None and old.active is True and old.event_types == frozenset()
