"""The quickstart: one DevRev webhook pointing at the quickstart receiver.

Stack config (``pulumi config set ...``):

- ``receiverUrl``: where DevRev delivers, e.g. ``http://127.0.0.1:8080/webhooks/devrev``
  (``receiver.py`` prints its base URL);
- ``webhookSecret`` (set with ``--secret``): the key DevRev signs deliveries with, 8 to 32
  bytes; the receiver gets the same value in ``DEVREV_WEBHOOK_SECRET``;
- ``verificationTimeout`` (optional): seconds ``pulumi up`` waits for the handshake (60);
- ``devrev:token`` (``--secret``) and ``devrev:apiUrl``: the DevRev API and its token (the
  sandbox's URL and token for a local run).
"""

import pulumi

from pulumi_devrev import DevRevWebhook

config = pulumi.Config()

hook = DevRevWebhook(
    "quickstart",
    url=config.require("receiverUrl"),
    event_types=["work_created", "work_updated", "work_deleted"],
    secret=config.require_secret("webhookSecret"),
    # DevRev delivers nothing until the endpoint has answered its challenge: `pulumi up`
    # returns only once the webhook is `active`, and fails (naming the challenge the endpoint
    # must echo) if it is not within the timeout.
    wait_for_active=True,
    verification_timeout=config.get_float("verificationTimeout") or 60.0,
)

pulumi.export("id", hook.id)
pulumi.export("display_id", hook.display_id)
pulumi.export("status", hook.status)
# Always a Pulumi secret: `pulumi stack output` shows [secret] unless asked --show-secrets.
pulumi.export("secret", hook.secret)
