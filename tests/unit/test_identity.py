"""Two resources of one stack may not make webhooks DevRev cannot tell apart.

A create whose answer is lost is recognised by its secret; a secret the program chose is proof
only if no other resource makes a webhook with the same url, event types, headers and secret.
"""

from __future__ import annotations

import pulumi
import pytest

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.testing import capture_program

URL = "https://hooks.example.com/devrev"
SECRET = "shared-secret-1"


def test_two_resources_with_the_same_url_events_headers_and_secret_are_refused() -> None:
    def program() -> None:
        DevRevWebhook("a", url=URL, secret=SECRET, event_types=["work_created"])
        DevRevWebhook("b", url=URL, secret=SECRET, event_types=["work_created", "work_created"])

    with pytest.raises(Exception, match="'b' and 'a' would make webhooks DevRev cannot tell") as e:
        capture_program(program)
    assert "give each its own secret" in str(e.value) and SECRET not in str(e.value)


def test_values_known_only_at_apply_time_are_compared_when_they_resolve() -> None:
    def program() -> None:
        secret = pulumi.Output.secret(SECRET)
        DevRevWebhook("a", url=URL, secret=secret)
        DevRevWebhook("b", url=pulumi.Output.from_input(URL), secret=secret)

    with pytest.raises(Exception, match="would make webhooks DevRev cannot tell apart"):
        capture_program(program)


@pytest.mark.parametrize(
    "second",
    [
        {"secret": "another-secret-2"},
        {"event_types": ["work_updated"]},
        {"headers": {"X-Team": "ops"}},
        {"url": URL + "/b"},
        {"secret": None},  # generated per create: unique anyway
    ],
)
def test_any_difference_is_enough(second: dict[str, object]) -> None:
    def program() -> None:
        DevRevWebhook("a", url=URL, secret=SECRET)
        DevRevWebhook("b", **{"url": URL, "secret": SECRET, **second})  # type: ignore[call-overload]

    assert [r.name for r in capture_program(program)] == ["a", "b"]


def test_each_run_of_a_program_starts_afresh() -> None:
    def program() -> None:
        DevRevWebhook("a", url=URL, secret=SECRET)

    capture_program(program)
    assert [r.name for r in capture_program(program)] == ["a"]
