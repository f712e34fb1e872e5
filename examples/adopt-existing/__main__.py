"""Take an existing DevRev webhook under management, without recreating it; see README.md.

Stack config: ``webhookId`` (the existing webhook's id, ``don:integration:...:webhook/...``);
``receiverUrl`` (the URL it should deliver to; its current one leaves it untouched);
optionally ``webhookSecret`` (``--secret``): unset keeps the secret the webhook has; and
``devrev:token`` (``--secret``) / ``devrev:apiUrl`` for the DevRev API.
"""

import pulumi

from pulumi_devrev import DevRevWebhook

config = pulumi.Config()

hook = DevRevWebhook(
    "adopted",
    # `pulumi import` cannot work for a dynamic resource, so the provider adopts instead: on
    # the first `up` it reads this webhook, and at most one update makes it match the inputs
    # below. It is never recreated. Later runs treat it like any other webhook.
    adopt_id=config.require("webhookId"),
    url=config.require("receiverUrl"),
    event_types=["work_created", "work_updated"],
    # None keeps the secret DevRev already has (receivers keep working); a value rotates it.
    secret=config.get_secret("webhookSecret"),
    # Only a url or secret change restarts DevRev's handshake; then `up` waits for it.
    wait_for_active=True,
)

pulumi.export("id", hook.id)
pulumi.export("display_id", hook.display_id)
pulumi.export("status", hook.status)
pulumi.export("secret", hook.secret)
