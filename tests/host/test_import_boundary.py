"""What `pulumi preview` costs the provider host: `check` and `diff` load neither the client
(httpx, tenacity) nor the pydantic models. Only an API call does (create, update, ...).

The host runs with ``PYTHONPROFILEIMPORTTIME=1``: Python then reports on stderr every module
it imports, and the host's stderr is collected like the lines the CLI shows.
"""

from __future__ import annotations

from typing import Any

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.testing import ProviderHost, capture_program
from tests.support import TOKEN, closed_port_url

API_ONLY = {"httpx", "tenacity", "pydantic", "pulumi_devrev.client", "pulumi_devrev.models"}


def imported(lines: list[str]) -> set[str]:
    """Module names from the ``import time: self | cumulative | name`` lines."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in lines
        if line.startswith("import time:") and line.count("|") == 2
    }


def test_check_and_diff_load_neither_the_client_nor_pydantic(sandbox: Any) -> None:
    url = closed_port_url()
    [reg] = capture_program(
        lambda: DevRevWebhook("hook", url=url, event_types=["work_created", "brand_new_event"])
    )
    with ProviderHost(env={"PYTHONPROFILEIMPORTTIME": "1"}) as host:
        host.configure({"devrev:token": TOKEN, "devrev:apiUrl": sandbox.url})
        before = imported(host.output())
        assert "pulumi.dynamic" in before and "pulumi_devrev.provider" not in before

        inputs, failures = host.check({}, reg.inputs)
        assert failures == []  # a well-formed new name is passed on
        olds = {**inputs, "status": "active", "secret": "generated-secret"}
        assert host.diff("don:integration:x:devo/0:webhook/1", olds, inputs) is False
        news = {**inputs, "url": url + "/new"}
        assert host.diff("don:integration:x:devo/0:webhook/1", olds, news) is True
        _, typo = host.check({}, {**reg.inputs, "event_types": ["work_creatd"]})
        assert typo and "did you mean 'work_created'" in typo[0][1]

        after_preview = imported(host.output())
        assert "pulumi_devrev.provider" in after_preview
        assert not API_ONLY & after_preview

        host.create({**inputs, "event_types": ["work_created"]})  # the first API call loads them
        assert API_ONLY <= imported(host.output())
