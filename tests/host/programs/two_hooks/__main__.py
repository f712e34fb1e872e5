"""One webhook per name in the ``hooks`` config (comma-separated), all pointing at ``url``."""

import pulumi

from pulumi_devrev import DevRevWebhook

config = pulumi.Config()
for name in config.require("hooks").split(","):
    DevRevWebhook(
        name,
        url=config.require("url"),
        event_types=config.get("eventTypes", "work_created").split(","),
    )
