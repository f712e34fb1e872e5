"""``plan.plan_update`` applied to the sandbox: for any old and new valid spec, the one update it
plans (or none) leaves DevRev holding exactly the new desired webhook (docs/reliability.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_devrev import plan
from pulumi_devrev.client import DevRevClient
from pulumi_devrev.models import (
    UpdateAction,
    UpdateWebhookRequest,
    WebhookSpec,
    WebhookStatus,
)
from tests.support import TOKEN

URLS = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "https://hooks.example.com/x?k=1"]
EVENTS = ["work_created", "work_updated", "work_deleted", "part_created", "tag_created"]
SECRETS = [None, "secret-number-one", "secret-number-two", "another-secret-with-32-bytes-..."]
HEADER_NAMES = ["X-Team", "X-Env", "Authorization", "x_1"]

specs = st.builds(
    lambda url, events, secret, headers, active: WebhookSpec(
        url=url, event_types=events, secret=secret, headers=headers, active=active
    ),
    st.sampled_from(URLS),
    st.lists(st.sampled_from(EVENTS), max_size=5),
    st.sampled_from(SECRETS),
    st.dictionaries(st.sampled_from(HEADER_NAMES), st.sampled_from(["a", "b", "ops"]), max_size=4),
    st.booleans(),
)


@pytest.fixture(scope="module")
def client(sandbox: Any) -> Iterator[DevRevClient]:
    with DevRevClient(TOKEN, sandbox.url) as made:
        yield made


def deployed(client: DevRevClient, spec: WebhookSpec) -> tuple[str, dict[str, Any]]:
    """What the provider's create leaves in state for ``spec``: the id and the outputs."""
    hook = client.create_webhook(spec.create_request())
    if not spec.active:
        hook = client.update_webhook(
            UpdateWebhookRequest(id=hook.id, action=UpdateAction.DEACTIVATE)
        )
    return hook.id, plan.outputs(hook, plan.steering(spec.to_inputs()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=specs, new=specs)
def test_the_planned_update_yields_the_new_desired_webhook(
    client: DevRevClient, old: WebhookSpec, new: WebhookSpec
) -> None:
    webhook_id, olds = deployed(client, old)
    try:
        request = plan.plan_update(webhook_id, plan.Observed.from_outputs(olds), new)
        if request is not None:
            client.update_webhook(request)
        live = client.get_webhook(webhook_id)
        assert live is not None
        assert live.url == new.url
        assert sorted(live.event_types) == sorted(new.event_types)
        assert live.header_map == new.headers
        # An unset secret keeps the one the webhook has (never rotated).
        assert live.secret == (new.secret or olds["secret"])
        assert (live.status == WebhookStatus.INACTIVE) is (not new.active)
        # Once applied, nothing is left to plan.
        again = plan.outputs(live, plan.steering(new.to_inputs()))
        assert plan.plan_update(webhook_id, plan.Observed.from_outputs(again), new) is None
    finally:
        client.delete_webhook(webhook_id)
