"""``inputs.check_inputs`` (plain Python, what the provider's check runs) gives exactly the
answer of the pydantic model ``WebhookSpec`` (``validate_spec`` then ``to_inputs``)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_devrev import inputs, models
from pulumi_devrev.inputs import INPUT_NAMES, check_inputs
from pulumi_devrev.models import WebhookSpec, validate_spec


def through_pydantic(props: dict[str, Any]) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    spec, failures = validate_spec(props)
    return (spec.to_inputs() if spec is not None else None), failures


def test_the_same_inputs_in_the_same_order() -> None:
    assert INPUT_NAMES == tuple(WebhookSpec.model_fields)


def test_models_keep_the_names_they_had() -> None:
    for name in ("EventType", "WebhookStatus", "UpdateAction", "EVENT_TYPE_NAMES"):
        assert getattr(models, name) is getattr(inputs, name)
    assert models.PROVIDER_ONLY_INPUTS == inputs.PROVIDER_ONLY_INPUTS
    assert models.unrecognized_event_types is inputs.unrecognized_event_types


odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
event_names = st.sampled_from(
    ["work_created", "work_creatd", "Work_Created", "brand_new_event", "tag_deleted", ""]
)
header_names = st.sampled_from(["X-Team", "x-team", "bad name", "X_1", "ü"])
values: dict[str, st.SearchStrategy[Any]] = {
    "url": st.one_of(
        st.sampled_from(
            [
                "https://hooks.example.com/x",
                "http://u:p@h.example/x?token=1",
                "ftp://h.example/x",
                "https://h.example:99999/x",
                "https://h.example:0/x",
                "https://h.example/a\x01b",
                "https://h.example/" + "a" * 3000,
                " https://h.example/x",
                "https://",
                "",
            ]
        ),
        odd,
    ),
    "event_types": st.one_of(st.lists(st.one_of(event_names, odd), max_size=4), odd),
    "secret": st.one_of(st.text(min_size=6, max_size=34), odd),
    "active": odd,
    "headers": st.one_of(
        st.dictionaries(
            header_names,
            st.one_of(st.sampled_from(["ops", "a\nb", "a\tb", "a\x00b", "a\x7f"]), odd),
            max_size=10,
        ),
        odd,
    ),
    "wait_for_active": odd,
    "verification_timeout": odd,
    "on_verification_timeout": st.one_of(st.sampled_from(["fail", "warn", "FAIL"]), odd),
    "adopt_id": st.one_of(
        st.sampled_from(["don:integration:dvrv-us-1:devo/0:webhook/abc", "webhook/abc"]), odd
    ),
    "not_an_input": odd,
    "evnet_types": odd,
    "__provider": odd,
    "status": odd,
}


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({}, optional=values))
def test_check_inputs_answers_as_the_pydantic_model(props: dict[str, Any]) -> None:
    assert check_inputs(props) == through_pydantic(props)


def test_a_valid_spec_normalizes_the_same_way() -> None:
    props = {
        "url": "https://hooks.example.com/x",
        "event_types": ["work_updated", "work_created", "work_created"],
        "secret": "s3cret-value",
        "headers": {"X-b": "2", "X-a": "1"},
        "verification_timeout": 30,
        "on_verification_timeout": "warn",
    }
    found = check_inputs(props)
    assert found == through_pydantic(props)
    assert found[0] is not None
    assert found[0]["event_types"] == ["work_created", "work_updated"]
    assert list(found[0]["headers"]) == ["X-a", "X-b"]
