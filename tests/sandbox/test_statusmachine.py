"""The status machine as pure decisions: every row of the API notes' table."""

from __future__ import annotations

import itertools

import pytest

from pulumi_devrev.sandbox.statusmachine import (
    Transition,
    after_create,
    after_handshake,
    after_update,
)

STATUSES = ("active", "inactive", "unverified")
MODES = ("verify", "direct")


def test_create_starts_unverified_with_a_handshake() -> None:
    assert after_create() == Transition("unverified", handshake=True)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("active", Transition("unverified", True)),  # re-verification
        ("unverified", Transition("unverified", True)),  # handshake restarts
        ("inactive", Transition("inactive", False)),  # nothing is sent
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_url_or_secret_change(current: str, expected: Transition, mode: str) -> None:
    assert (
        after_update(current, endpoint_changed=True, action=None, activate_mode=mode)  # type: ignore[arg-type]
        == expected
    )


@pytest.mark.parametrize(("current", "mode"), list(itertools.product(STATUSES, MODES)))
def test_event_types_or_headers_only_never_change_status(current: str, mode: str) -> None:
    assert after_update(
        current,  # type: ignore[arg-type]
        endpoint_changed=False,
        action=None,
        activate_mode=mode,  # type: ignore[arg-type]
    ) == Transition(current, False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "changed", "mode"), list(itertools.product(STATUSES, (False, True), MODES))
)
def test_deactivate_always_ends_inactive(current: str, changed: bool, mode: str) -> None:
    assert after_update(
        current,  # type: ignore[arg-type]
        endpoint_changed=changed,
        action="deactivate",
        activate_mode=mode,  # type: ignore[arg-type]
    ) == Transition("inactive", False)


def test_activate_from_inactive_in_verify_mode_verifies_again() -> None:
    assert after_update(
        "inactive", endpoint_changed=False, action="activate", activate_mode="verify"
    ) == Transition("unverified", True)


def test_activate_from_inactive_in_direct_mode_is_active_at_once() -> None:
    assert after_update(
        "inactive", endpoint_changed=False, action="activate", activate_mode="direct"
    ) == Transition("active", False)


@pytest.mark.parametrize("mode", MODES)
def test_activate_onto_a_new_endpoint_always_verifies(mode: str) -> None:
    assert after_update(
        "inactive",
        endpoint_changed=True,
        action="activate",
        activate_mode=mode,  # type: ignore[arg-type]
    ) == Transition("unverified", True)


@pytest.mark.parametrize(
    ("current", "mode"), list(itertools.product(("active", "unverified"), MODES))
)
def test_activate_on_active_or_unverified_is_a_no_op(current: str, mode: str) -> None:
    assert after_update(
        current,  # type: ignore[arg-type]
        endpoint_changed=False,
        action="activate",
        activate_mode=mode,  # type: ignore[arg-type]
    ) == Transition(current, False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "succeeded", "expected"),
    [
        ("unverified", True, "active"),
        ("unverified", False, "unverified"),
        ("inactive", True, "inactive"),
        ("active", True, "active"),
    ],
)
def test_only_a_successful_handshake_activates_an_unverified_webhook(
    current: str, succeeded: bool, expected: str
) -> None:
    assert after_handshake(current, succeeded=succeeded) == expected  # type: ignore[arg-type]
