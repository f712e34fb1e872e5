"""A webhook whose signing secret is rotated through stack config; README.md has the steps.

Stack config: ``receiverUrl``; ``webhookSecret`` (``--secret``, 8 to 32 bytes), the value the
rotation changes; optionally ``verificationTimeout`` (seconds, default 120); and
``devrev:token`` (``--secret``) / ``devrev:apiUrl`` for the DevRev API.
"""

import pulumi

from pulumi_devrev import DevRevWebhook

config = pulumi.Config()

hook = DevRevWebhook(
    "rotating",
    url=config.require("receiverUrl"),
    event_types=["work_created", "work_updated", "work_deleted"],
    secret=config.require_secret("webhookSecret"),
    # A new secret sends the webhook back to `unverified`: DevRev delivers nothing until the
    # endpoint answers a challenge signed with the new secret. Waiting here means that when
    # `pulumi up` returns, deliveries have resumed (or it failed, naming what the endpoint
    # must answer, and nothing later in the pipeline assumes they have).
    wait_for_active=True,
    verification_timeout=config.get_float("verificationTimeout") or 120.0,
)

pulumi.export("id", hook.id)
pulumi.export("status", hook.status)
# What the receiver must accept; `pulumi stack output --show-secrets secret` prints it.
pulumi.export("secret", hook.secret)
