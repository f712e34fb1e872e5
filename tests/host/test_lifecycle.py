"""DevRevWebhook through the SDK's real provider host (gRPC), against the sandbox.

Each test says what `pulumi preview`/`up`/`refresh`/`destroy` would do, and asserts the number
and content of the DevRev API calls from the sandbox's request log.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.testing import (
    PROVIDER_KEY,
    CheckFailed,
    Deployment,
    ProviderHost,
    Registration,
    capture_program,
)
from tests.support import TOKEN, Served, api_calls, closed_port_url

SECRET = "host-test-secret-01"
NEW_SECRET = "host-test-secret-02"


def program(name: str = "hook", **props: Any) -> Registration:
    [reg] = capture_program(lambda: DevRevWebhook(name, **props))
    return reg


def deployed(host: ProviderHost, control: Any, **props: Any) -> tuple[Deployment, Registration]:
    reg = program(**props)
    deployment = Deployment(host)
    deployment.up(reg)
    control.clear_requests()
    return deployment, reg


def active(control: Any, deployment: Deployment, host: ProviderHost) -> None:
    """Wait for the handshake, then refresh so state knows (as `pulumi refresh` would)."""
    assert deployment.id is not None
    control.wait_for_status(deployment.id, "active", timeout=10)
    deployment.refresh()
    control.clear_requests()
    host.output(clear=True)


# -- create -----------------------------------------------------------------------------------


def test_create_is_one_call_and_outputs_come_from_the_response(
    host: ProviderHost, control: Any, receiver: Served
) -> None:
    reg = program(
        url=receiver.url,
        event_types=["work_updated", "work_created", "work_updated"],
        headers={"X-Team": "ops"},
    )
    deployment = Deployment(host)
    assert deployment.preview(reg).operation == "create"
    assert control.requests() == []  # preview never calls DevRev

    step = deployment.up(reg)
    assert step.operation == "create"
    [call] = control.requests()
    assert call["path"] == "/webhooks.create"
    assert call["body"] == {
        "url": receiver.url,
        "event_types": ["work_created", "work_updated"],
        # A secret is always sent, generated when the program sets none: it identifies the
        # create if its answer is lost. The log hides secrets and header values.
        "secret": "<redacted>",
        "headers": [{"name": "X-Team", "value": "<redacted>"}],
    }
    out = deployment.outputs
    assert deployment.id and deployment.id.startswith("don:integration:")
    assert out["status"] == "unverified"
    assert out["event_types"] == ["work_created", "work_updated"]
    assert out["headers"] == {"X-Team": "ops"}  # as DevRev answered it
    assert out["display_id"] and out["created_date"] and out["modified_date"]
    assert 8 <= len(out["secret"].encode()) <= 32  # generated for the create
    assert out["active"] is True
    # The handshake happens without any help, then refresh sees it.
    control.wait_for_status(deployment.id, "active", timeout=10)
    deployment.refresh()
    assert deployment.outputs["status"] == "active"


def test_create_inactive_is_create_then_deactivate(host: ProviderHost, control: Any) -> None:
    deployment = Deployment(host)
    deployment.up(program(url=closed_port_url(), active=False))
    calls = control.requests()
    assert api_calls(calls) == ["/webhooks.create", "/webhooks.update"]
    assert calls[1]["body"] == {"id": deployment.id, "action": "deactivate"}
    assert deployment.outputs["status"] == "inactive"
    assert deployment.outputs["active"] is False


# -- check and diff: no API call --------------------------------------------------------------


def test_check_reports_every_problem_at_once_without_calling_devrev(
    host: ProviderHost, control: Any
) -> None:
    reg = program(
        url="ftp://hooks.example.com/x",
        event_types=["work_creatd"],
        secret="short",
        headers={f"X-{i}": "v" for i in range(9)},
    )
    with pytest.raises(CheckFailed) as failed:
        Deployment(host).up(reg)
    reasons = dict(failed.value.failures)
    assert set(reasons) == {"url", "event_types", "secret", "headers"}
    assert "did you mean 'work_created'" in reasons["event_types"]
    assert "5 bytes" in reasons["secret"]
    assert control.requests() == []


def test_check_leaves_unknown_preview_values_alone(host: ProviderHost, control: Any) -> None:
    reg = program(url=closed_port_url(), event_types=["work_updated", "work_created"])
    news = {**reg.inputs, "url": Unknown()}
    inputs, failures = host.check({}, news)
    assert failures == []
    assert isinstance(inputs["url"], Unknown)
    assert inputs["event_types"] == ["work_created", "work_updated"]  # known ones normalized
    assert control.requests() == []


def test_a_misspelled_input_is_refused_even_while_its_value_is_unknown(
    host: ProviderHost, control: Any
) -> None:
    reg = program(url=closed_port_url())
    _, failures = host.check({}, {**reg.inputs, "evnet_types": Unknown()})
    assert [prop for prop, _ in failures] == ["evnet_types"]
    assert "did you mean 'event_types'" in failures[0][1]
    assert control.requests() == []


def test_no_op_preview_and_up_make_no_call(host: ProviderHost, control: Any) -> None:
    deployment, reg = deployed(host, control, url=closed_port_url(), event_types=["work_created"])
    assert deployment.preview(reg).operation == "same"
    assert deployment.up(reg).operation == "same"
    assert control.requests() == []


def test_reordered_and_duplicated_event_types_are_no_change(
    host: ProviderHost, control: Any
) -> None:
    url = closed_port_url()
    deployment, _ = deployed(host, control, url=url, event_types=["work_created", "work_updated"])
    again = program(url=url, event_types=["work_updated", "work_created", "work_created"])
    assert deployment.up(again).operation == "same"
    assert control.requests() == []


def test_unset_secret_never_differs_from_the_generated_one(
    host: ProviderHost, control: Any
) -> None:
    deployment, reg = deployed(host, control, url=closed_port_url())
    assert "secret" not in reg.inputs and deployment.outputs["secret"]
    assert deployment.preview(reg).operation == "same"


# -- update: exactly one call carrying only what changed -------------------------------------


@pytest.mark.parametrize(
    ("change", "body"),
    [
        ({"url": "CHANGED_URL"}, {"url": "CHANGED_URL"}),
        ({"secret": NEW_SECRET}, {"secret": "<redacted>"}),
        (
            {"event_types": ["work_created", "part_created"]},
            {"event_types": {"set": ["part_created", "work_created"]}},
        ),
        (
            {"headers": {"X-Team": "dev", "X-Env": "prod"}},
            {
                "headers": {
                    "set": [
                        {"name": "X-Env", "value": "<redacted>"},
                        {"name": "X-Team", "value": "<redacted>"},
                    ]
                }
            },
        ),
        ({"headers": {}}, {"headers": {"set": []}}),
        ({"active": False}, {"action": "deactivate"}),
    ],
)
def test_each_kind_of_update_is_one_call_with_only_that_field(
    host: ProviderHost, control: Any, change: dict[str, Any], body: dict[str, Any]
) -> None:
    base = {
        "url": closed_port_url(),
        "event_types": ["work_created"],
        "secret": SECRET,
        "headers": {"X-Team": "ops"},
    }
    deployment, _ = deployed(host, control, **base)
    new_url = closed_port_url()
    change = {k: (new_url if v == "CHANGED_URL" else v) for k, v in change.items()}
    body = {k: (new_url if v == "CHANGED_URL" else v) for k, v in body.items()}

    step = deployment.up(program(**{**base, **change}))
    assert step.operation == "update"
    [call] = control.requests()
    assert call["path"] == "/webhooks.update"
    assert call["body"] == {"id": deployment.id, **body}
    for name, value in change.items():
        assert deployment.outputs[name] == value or name == "event_types"
    assert deployment.outputs["event_types"] == sorted(
        set(change.get("event_types", base["event_types"]))
    )
    # Full outputs come back, not just the changed field.
    assert {"display_id", "status", "created_date", "secret", "url"} <= set(deployment.outputs)


def test_url_change_on_active_webhook_warns_in_preview_and_becomes_unverified(
    host: ProviderHost, control: Any, receiver: Served
) -> None:
    deployment, _ = deployed(host, control, url=receiver.url + "/a", secret=SECRET)
    active(control, deployment, host)
    moved = program(url=closed_port_url(), secret=SECRET)

    preview = deployment.preview(moved)
    assert preview.operation == "update"
    [line] = [ln for ln in preview.output if "unverified" in ln]
    assert "no events until" in line and "127.0.0.1" in line
    assert SECRET not in line

    deployment.up(moved)
    assert api_calls(control.requests()) == ["/webhooks.update"]
    assert deployment.outputs["status"] == "unverified"
    assert deployment.outputs["active"] is True  # pending verification, not drift
    assert deployment.preview(moved).operation == "same"


def test_secret_change_on_active_webhook_warns_too(
    host: ProviderHost, control: Any, receiver: Served
) -> None:
    deployment, _ = deployed(host, control, url=receiver.url, secret=SECRET)
    active(control, deployment, host)
    preview = deployment.preview(program(url=receiver.url, secret=NEW_SECRET))
    assert any("changing its secret makes it `unverified`" in ln for ln in preview.output)
    assert not any(NEW_SECRET in ln or SECRET in ln for ln in preview.output)


def test_event_type_change_on_active_webhook_keeps_it_active(
    host: ProviderHost, control: Any, receiver: Served
) -> None:
    deployment, _ = deployed(host, control, url=receiver.url, secret=SECRET)
    active(control, deployment, host)
    step = deployment.up(program(url=receiver.url, secret=SECRET, event_types=["work_created"]))
    assert not any("unverified" in ln for ln in step.output)
    assert deployment.outputs["status"] == "active"


@pytest.mark.parametrize("activate_mode", ["verify", "direct"])
def test_deactivate_and_reactivate(
    host: ProviderHost, control: Any, receiver: Served, activate_mode: str
) -> None:
    control.configure(activate_mode=activate_mode)
    deployment, _ = deployed(host, control, url=receiver.url, secret=SECRET)
    active(control, deployment, host)

    deployment.up(program(url=receiver.url, secret=SECRET, active=False))
    assert deployment.outputs["status"] == "inactive" and deployment.outputs["active"] is False

    deployment.up(program(url=receiver.url, secret=SECRET, active=True))
    calls = control.requests()
    assert [c["body"] for c in calls] == [
        {"id": deployment.id, "action": "deactivate"},
        {"id": deployment.id, "action": "activate"},
    ]
    # DevRev's answer to `activate` is unsettled: active at once, or unverified + handshake.
    expected = "active" if activate_mode == "direct" else "unverified"
    assert deployment.outputs["status"] == expected
    assert deployment.outputs["active"] is True
    control.wait_for_status(deployment.id, "active", timeout=10)


# -- refresh ----------------------------------------------------------------------------------


def test_refresh_after_out_of_band_delete_drops_the_resource(
    host: ProviderHost, control: Any, sandbox: Any
) -> None:
    deployment, reg = deployed(host, control, url=closed_port_url())
    from pulumi_devrev.client import DevRevClient

    with DevRevClient(TOKEN, sandbox.url) as client:
        client.delete_webhook(deployment.id or "")
    control.clear_requests()
    assert deployment.refresh().operation == "deleted"
    assert api_calls(control.requests()) == ["/webhooks.get"]
    # The next `up` creates it again.
    assert deployment.up(reg).operation == "create"


def test_refresh_reports_out_of_band_edits_and_the_next_up_repairs_them(
    host: ProviderHost, control: Any, sandbox: Any
) -> None:
    url = closed_port_url()
    deployment, reg = deployed(
        host,
        control,
        url=url,
        event_types=["work_created"],
        headers={"X-Team": "ops"},
        secret=SECRET,
    )
    from pulumi_devrev.client import DevRevClient
    from pulumi_devrev.models import (
        EventTypesUpdate,
        HeadersUpdate,
        UpdateAction,
        UpdateWebhookRequest,
    )

    with DevRevClient(TOKEN, sandbox.url) as client:
        client.update_webhook(
            UpdateWebhookRequest(
                id=deployment.id or "",
                url="http://127.0.0.1:9/elsewhere",
                secret="changed-out-of-band",
                action=UpdateAction.DEACTIVATE,
                event_types=EventTypesUpdate(set=["part_created"]),
                headers=HeadersUpdate(set=[]),
            )
        )
    control.clear_requests()

    step = deployment.refresh()
    assert step.operation == "refresh" and step.changes is True
    assert api_calls(control.requests()) == ["/webhooks.get"]
    assert deployment.outputs["url"] == "http://127.0.0.1:9/elsewhere"
    assert deployment.outputs["event_types"] == ["part_created"]
    assert deployment.outputs["active"] is False
    assert deployment.outputs["secret"] == "changed-out-of-band"
    # Refresh hands the engine the inputs that hold now (never the secret).
    assert deployment.inputs["url"] == "http://127.0.0.1:9/elsewhere"
    assert deployment.inputs["headers"] == {}
    assert "secret" not in deployment.inputs

    control.clear_requests()
    assert deployment.preview(reg).operation == "update"
    deployment.up(reg)
    [repair] = control.requests()
    assert repair["body"] == {
        "id": deployment.id,
        "url": url,
        "secret": "<redacted>",
        "action": "activate",
        "event_types": {"set": ["work_created"]},
        "headers": {"set": [{"name": "X-Team", "value": "<redacted>"}]},
    }
    assert deployment.outputs["secret"] == SECRET
    assert deployment.preview(reg).operation == "same"


def test_unverified_while_active_is_wanted_is_not_drift(host: ProviderHost, control: Any) -> None:
    deployment, reg = deployed(host, control, url=closed_port_url())
    step = deployment.refresh()
    assert deployment.outputs["status"] == "unverified"
    assert deployment.preview(reg).operation == "same"
    assert step.changes is False


# -- delete -----------------------------------------------------------------------------------


def test_delete_twice_is_fine(host: ProviderHost, control: Any) -> None:
    deployment, _ = deployed(host, control, url=closed_port_url())
    webhook_id, outputs = deployment.id or "", dict(deployment.outputs)
    deployment.destroy()
    host.delete(webhook_id, outputs)  # e.g. a destroy interrupted after DevRev deleted it
    calls = control.requests()
    assert [(c["path"], c["status"]) for c in calls] == [
        ("/webhooks.delete", 200),
        ("/webhooks.delete", 404),
    ]
    assert any("already deleted" in ln for ln in host.output())


# -- adoption ---------------------------------------------------------------------------------


def test_adoption_takes_over_without_recreating_or_rotating(
    host: ProviderHost, control: Any, sandbox: Any
) -> None:
    from pulumi_devrev.client import DevRevClient
    from pulumi_devrev.models import CreateWebhookRequest

    url = closed_port_url()
    with DevRevClient(TOKEN, sandbox.url) as client:
        existing = client.create_webhook(
            CreateWebhookRequest(url=url, event_types=["work_created"])
        )
    control.clear_requests()

    deployment = Deployment(host)
    step = deployment.up(
        program(url=url, event_types=["work_created", "work_updated"], adopt_id=existing.id)
    )
    assert step.operation == "create"
    assert deployment.id == existing.id
    calls = control.requests()
    assert api_calls(calls) == ["/webhooks.get", "/webhooks.update"]
    assert calls[1]["body"] == {
        "id": existing.id,
        "event_types": {"set": ["work_created", "work_updated"]},
    }
    assert deployment.outputs["secret"] == existing.secret  # never rotated
    assert any("adopted" in ln for ln in step.output)


def test_adoption_of_a_matching_webhook_makes_no_update(
    host: ProviderHost, control: Any, sandbox: Any
) -> None:
    from pulumi_devrev.client import DevRevClient
    from pulumi_devrev.models import CreateWebhookRequest

    url = closed_port_url()
    with DevRevClient(TOKEN, sandbox.url) as client:
        existing = client.create_webhook(CreateWebhookRequest(url=url))
    control.clear_requests()
    deployment = Deployment(host)
    deployment.up(program(url=url, adopt_id=existing.id))
    assert api_calls(control.requests()) == ["/webhooks.get"]


def test_adopting_a_missing_webhook_fails_clearly(host: ProviderHost, control: Any) -> None:
    from pulumi_devrev.testing import ProviderError

    missing = "don:integration:dvrv-us-1:devo/0:webhook/gone"
    with pytest.raises(ProviderError) as err:
        Deployment(host).up(program(url=closed_port_url(), adopt_id=missing))
    assert err.value.message.startswith(f"adopt_id {missing}: DevRev has no webhook")
    assert api_calls(control.requests()) == ["/webhooks.get"]


# -- the verification wait --------------------------------------------------------------------


def test_wait_for_active_succeeds_with_a_correct_endpoint(
    host: ProviderHost, control: Any, receiver: Served
) -> None:
    deployment = Deployment(host)
    step = deployment.up(
        program(url=receiver.url, secret=SECRET, wait_for_active=True, verification_timeout=20)
    )
    assert deployment.outputs["status"] == "active"
    assert any("waiting up to 20s" in ln for ln in step.output)
    assert any("is active after" in ln for ln in step.output)
    calls = api_calls(control.requests())
    assert calls[0] == "/webhooks.create" and set(calls[1:]) == {"/webhooks.get"}


def test_wait_after_url_change_reverifies(
    host: ProviderHost, control: Any, receiver: Served
) -> None:
    deployment, _ = deployed(
        host,
        control,
        url=receiver.url + "/a",
        secret=SECRET,
        wait_for_active=True,
        verification_timeout=20,
    )
    assert deployment.outputs["status"] == "active"
    step = deployment.up(
        program(
            url=receiver.url + "/b", secret=SECRET, wait_for_active=True, verification_timeout=20
        )
    )
    assert deployment.outputs["status"] == "active"
    assert any("waiting up to" in ln for ln in step.output)
    assert api_calls(control.requests())[0] == "/webhooks.update"


def test_wait_timeout_fails_names_the_challenge_and_leaves_no_webhook(
    host: ProviderHost, control: Any
) -> None:
    from pulumi_devrev.testing import ProviderError

    down = closed_port_url()
    deployment = Deployment(host)
    with pytest.raises(ProviderError) as err:
        deployment.up(program(url=down, wait_for_active=True, verification_timeout=2))
    message = err.value.message
    assert "still unverified after 2s" in message
    assert down in message and '{"challenge":' in message
    assert "was deleted again" in message
    assert deployment.id is None  # the engine records nothing for a failed create...
    assert api_calls(control.requests())[-1] == "/webhooks.delete"  # ...so none is left behind
    assert control.requests("/webhooks.delete")[0]["status"] == 200


def test_wait_timeout_can_warn_instead(host: ProviderHost, control: Any) -> None:
    deployment = Deployment(host)
    step = deployment.up(
        program(
            url=closed_port_url(),
            wait_for_active=True,
            verification_timeout=2,
            on_verification_timeout="warn",
        )
    )
    assert deployment.outputs["status"] == "unverified"
    assert any(ln.startswith("warning: DevRev webhook") for ln in step.output)


# -- secrets, token, settings -----------------------------------------------------------------


def test_secret_outputs_are_marked_secret(host: ProviderHost, control: Any) -> None:
    generated, reg = deployed(host, control, url=closed_port_url())
    assert "secret" in reg.secret_outputs(generated.outputs)
    assert generated.shown_outputs()["secret"] == "[secret]"


def test_token_is_absent_from_provider_state_outputs_and_host_output(
    host: ProviderHost, control: Any
) -> None:
    deployment, _reg = deployed(host, control, url=closed_port_url(), secret=SECRET)
    blob = base64.b64decode(deployment.outputs[PROVIDER_KEY])
    assert TOKEN.encode() not in blob and len(blob) < 200
    state = json.dumps({"inputs": deployment.inputs, "outputs": deployment.outputs})
    assert TOKEN not in state
    assert not any(TOKEN in ln for ln in host.output())


def test_missing_token_is_one_sentence(sandbox: Any) -> None:
    from pulumi_devrev.testing import ProviderError

    reg = program(url=closed_port_url())
    with ProviderHost() as bare:
        bare.configure({"devrev:apiUrl": sandbox.url})
        with pytest.raises(ProviderError) as err:
            Deployment(bare).up(reg)
    assert err.value.message == (
        "No DevRev token found: set the stack config devrev:token (pulumi config set --secret "
        "devrev:token <token>) or the DEVREV_TOKEN environment variable."
    )


def test_token_from_the_environment(
    sandbox: Any, control: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host inherits the environment, as under `pulumi up`: DEVREV_* settings included."""
    reg = program(url=closed_port_url())
    monkeypatch.setenv("DEVREV_TOKEN", TOKEN)
    monkeypatch.setenv("DEVREV_API_URL", sandbox.url)
    with ProviderHost() as env_host:
        env_host.configure({})
        deployment = Deployment(env_host)
        deployment.up(reg)
        deployment.destroy()
    assert api_calls(control.requests()) == ["/webhooks.create", "/webhooks.delete"]
    assert [c["auth"] for c in control.requests()] == ["bearer", "bearer"]


def test_retries_are_shown_to_the_user(host: ProviderHost, control: Any) -> None:
    control.inject("/webhooks.create", status=429, retry_after=1, count=1)
    step = Deployment(host).up(program(url=closed_port_url()))
    [line] = [ln for ln in step.output if "attempt 1 failed" in ln]
    assert line.startswith("devrev: webhooks.create: attempt 1 failed (HTTP 429")
    assert "retrying in 1.0s" in line
    assert TOKEN not in line


def test_devrev_errors_reach_the_user_as_one_line(host: ProviderHost, control: Any) -> None:
    from pulumi_devrev.testing import ProviderError

    control.inject("/webhooks.create", status=403, count=1)
    with pytest.raises(ProviderError) as err:
        Deployment(host).up(program(url=closed_port_url()))
    assert err.value.message.startswith("webhooks.create failed: HTTP 403 forbidden")


# -- concurrency ------------------------------------------------------------------------------


def test_four_concurrent_operations_on_one_host(host: ProviderHost, control: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    regs = [
        program(f"hook-{i}", url=closed_port_url(), event_types=["work_created"]) for i in range(4)
    ]
    deployments = [Deployment(host) for _ in regs]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda pair: pair[0].up(pair[1]), zip(deployments, regs, strict=True)))
    ids = {d.id for d in deployments}
    assert len(ids) == 4 and None not in ids
    assert api_calls(control.requests()) == ["/webhooks.create"] * 4

    changed = [
        program(f"hook-{i}", url=closed_port_url(), event_types=["work_updated"]) for i in range(4)
    ]
    control.clear_requests()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda pair: pair[0].up(pair[1]), zip(deployments, changed, strict=True)))
        list(pool.map(lambda d: d.refresh(), deployments))
        list(pool.map(lambda d: d.destroy(), deployments))
    assert sorted(api_calls(control.requests())) == sorted(
        ["/webhooks.update"] * 4 + ["/webhooks.get"] * 4 + ["/webhooks.delete"] * 4
    )
    assert host.alive


def test_program_values_from_other_resources_preview_cleanly(
    host: ProviderHost, control: Any
) -> None:
    def two() -> None:
        first = DevRevWebhook("first", url=closed_port_url())
        DevRevWebhook("second", url=first.display_id.apply(lambda d: f"http://127.0.0.1:9/{d}"))

    _, second = capture_program(two, preview=True)
    assert Deployment(host).preview(second).operation == "create"
    assert control.requests() == []


def test_get_reads_an_existing_webhook_by_id(host: ProviderHost, control: Any) -> None:
    """`DevRevWebhook.get(name, id)`: the engine calls Read with the program's inputs only."""
    deployment, reg = deployed(host, control, url=closed_port_url(), event_types=["work_created"])
    [read] = capture_program(lambda: DevRevWebhook.get("existing", deployment.id or ""))
    assert read.read_id == deployment.id and read.provider_blob == reg.provider_blob
    new_id, outputs, _ = host.read(deployment.id or "", {}, {PROVIDER_KEY: read.provider_blob})
    assert new_id == deployment.id
    assert outputs["event_types"] == ["work_created"]
    assert api_calls(control.requests()) == ["/webhooks.get"]


def test_changing_only_provider_settings_is_no_change_and_no_call(
    host: ProviderHost, control: Any
) -> None:
    url = closed_port_url()
    deployment, _ = deployed(host, control, url=url)
    relaxed = program(url=url, wait_for_active=True, verification_timeout=30)
    assert deployment.preview(relaxed).operation == "same"
    # So the engine calls no Update: its same step records the new inputs beside the old
    # outputs (tests/e2e: test_changing_only_provider_settings_is_a_same_step_...).
    created = dict(deployment.outputs)
    assert deployment.up(relaxed).operation == "same"
    assert deployment.inputs["wait_for_active"] is True
    assert deployment.outputs == created and created["status"] == "unverified"
    assert control.requests() == []
