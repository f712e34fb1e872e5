"""``DevRevWebhook``: a DevRev webhook declared in a Pulumi stack."""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import pulumi
import pulumi.dynamic
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider
from pulumi.runtime._serialization import _serialize

from .inputs import INPUT_NAMES, OUTPUT_ONLY_NAMES
from .provider import DevRevWebhookProvider
from .redaction import carries_credentials

__all__ = ["DevRevWebhook", "DevRevWebhookArgs"]

_provider_reference: str | None = None


def _serialized_provider() -> str:
    """``__provider``, exactly as ``pulumi.dynamic.Resource`` makes it, made once per process.

    The provider holds nothing (no token, no client), so its pickle is the same small
    by-reference string every time; pickling it with dill for every resource cost about as much
    as the rest of registering one. ``serialize_as_secret_always`` is False and nothing secret is
    captured, so the SDK would register it as a plain string too.
    """
    global _provider_reference
    if _provider_reference is None:
        blob, captured_secrets = _serialize(True, serialize_provider, DevRevWebhookProvider())
        assert not captured_secrets
        _provider_reference = blob
    return _provider_reference


class DevRevWebhookArgs:
    """The inputs of a :class:`DevRevWebhook`, in the style of Pulumi's generated SDKs."""

    def __init__(
        self,
        *,
        url: pulumi.Input[str],
        event_types: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        secret: pulumi.Input[str] | None = None,
        active: pulumi.Input[bool] | None = None,
        headers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        wait_for_active: pulumi.Input[bool] | None = None,
        verification_timeout: pulumi.Input[float] | None = None,
        on_verification_timeout: pulumi.Input[Literal["fail", "warn"]] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """
        :param url: Absolute ``http(s)`` URL that DevRev delivers events to. It may embed
            credentials: one with user info or a query string is made a Pulumi secret, and
            pulumi-devrev never prints it whole. Changing it on an active webhook makes it
            ``unverified`` until the endpoint answers DevRev's challenge.
        :param event_types: Event types to receive, e.g. ``["work_created"]``. A set: order
            and duplicates never show as a change. Typos are caught at preview; a name DevRev
            added after this release is passed through. Default: none.
        :param secret: Key DevRev signs deliveries with (``X-DevRev-Signature``), 8 to 32 bytes
            of UTF-8. Unset: a random one is generated for the create (as DevRev would; it
            also identifies the create if its answer is lost), exposed as the ``secret`` output
            (always a Pulumi secret). Changing it on an active webhook restarts verification.
            Two webhooks of a stack with the same url, event types and headers need different
            secrets.
        :param active: ``False`` deactivates the webhook; ``True`` (default) re-activates it.
        :param headers: Up to 8 headers DevRev sends with every delivery; names of ASCII
            letters, digits, ``-`` and ``_``.
        :param wait_for_active: After a create, or a url/secret change, wait until DevRev
            reports the webhook ``active``, printing progress. Default ``False``.
        :param verification_timeout: Seconds that wait lasts (1 to 3600, default 180).
        :param on_verification_timeout: ``"fail"`` (default) fails the operation, naming the
            URL and the challenge the endpoint must echo (a webhook created by a failed
            create is deleted again); ``"warn"`` prints the same and carries on.
        :param adopt_id: Id of an existing webhook to bring under management instead of
            creating one: it is read, reconciled with at most one update, never recreated,
            and its secret is kept unless ``secret`` is set. This is the way to "import" a
            webhook, since ``pulumi import`` does not work for dynamic resources.
        """
        self.url = url
        self.event_types = event_types
        self.secret = secret
        self.active = active
        self.headers = headers
        self.wait_for_active = wait_for_active
        self.verification_timeout = verification_timeout
        self.on_verification_timeout = on_verification_timeout
        self.adopt_id = adopt_id

    def to_props(self) -> dict[str, Any]:
        """Every input (``None`` when not given), named as ``inputs.PROPERTIES`` names them."""
        return {name: getattr(self, name) for name in INPUT_NAMES}


class DevRevWebhook(pulumi.dynamic.Resource, module="devrev", name="Webhook"):
    """A DevRev webhook. The Pulumi id is DevRev's webhook id.

    >>> hook = DevRevWebhook("issues-to-slack",
    ...     url="https://hooks.example.com/devrev",
    ...     event_types=["work_created", "work_updated"],
    ...     secret=pulumi.Config().require_secret("webhookSecret"))
    >>> pulumi.export("status", hook.status)

    Every input is updatable in place; nothing forces a replacement. See
    :class:`DevRevWebhookArgs` for the inputs.
    """

    if TYPE_CHECKING:
        # For type checkers only. At run time the SDK reads a resource class's annotations
        # again on every registration (typing.get_type_hints), which costs more than the rest
        # of our constructor; these outputs are plain JSON values that need no conversion.
        display_id: pulumi.Output[str]
        """Human-readable id, e.g. ``webhook-12``."""
        status: pulumi.Output[str]
        """``active``, ``unverified`` (handshake pending: no events yet) or ``inactive``."""
        secret: pulumi.Output[str]
        """The signing secret, given or generated; always a Pulumi secret."""
        url: pulumi.Output[str]
        event_types: pulumi.Output[list[str]]
        """Sorted and unique."""
        active: pulumi.Output[bool]
        """``False`` only when the webhook is ``inactive``."""
        headers: pulumi.Output[dict[str, str]]
        created_date: pulumi.Output[str]
        modified_date: pulumi.Output[str]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: DevRevWebhookArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        *,
        url: pulumi.Input[str],
        event_types: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        secret: pulumi.Input[str] | None = None,
        active: pulumi.Input[bool] | None = None,
        headers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        wait_for_active: pulumi.Input[bool] | None = None,
        verification_timeout: pulumi.Input[float] | None = None,
        on_verification_timeout: pulumi.Input[Literal["fail", "warn"]] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    def __init__(
        self,
        resource_name: str,
        args: DevRevWebhookArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Declare a webhook: ``DevRevWebhook(name, url=..., ...)`` or with
        ``DevRevWebhookArgs``. Inputs are described on :class:`DevRevWebhookArgs`."""
        if args is not None and kwargs:
            raise TypeError("pass either a DevRevWebhookArgs or keyword inputs, not both")
        if args is None:
            args = DevRevWebhookArgs(**kwargs)
        if args.url is None and (opts is None or opts.id is None):
            raise TypeError("DevRevWebhook needs url")
        if opts is not None and opts.import_ is not None:
            # The engine's import needs a provider that a dynamic resource does not have yet
            # (it fails with KeyError: '__provider', pulumi/pulumi#16175): say what works.
            raise pulumi.RunError(
                f"DevRevWebhook {resource_name!r}: the import_ option does not work for "
                f"dynamic resources (pulumi/pulumi#16175); pass adopt_id={opts.import_!r} "
                "instead and the webhook is read and taken over, never recreated"
            )
        if args.secret is not None and args.adopt_id is None:
            _claim_identity(resource_name, args)
        props = args.to_props()
        props.update(dict.fromkeys(OUTPUT_ONLY_NAMES))
        props["url"], url_is_sensitive = _protect_url(args.url)
        # The secret output must stay encrypted in state even when it was generated: the
        # engine only re-marks outputs whose input was secret.
        secret_outputs = ["secret", "url"] if url_is_sensitive else ["secret"]
        opts = pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(additional_secret_outputs=secret_outputs), opts
        )
        # What pulumi.dynamic.Resource.__init__ does, with the provider pickled once (above).
        props[PROVIDER_KEY] = _serialized_provider()
        pulumi.CustomResource.__init__(
            self, f"pulumi-python:{self._resource_type_name}", resource_name, props, opts
        )

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> DevRevWebhook:
        """Read an existing webhook into the program without managing it (no create or delete).

        To take it under management instead, use ``adopt_id``.
        """
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return DevRevWebhook(resource_name, DevRevWebhookArgs(url=None), opts)  # type: ignore[arg-type]


def _protect_url(url: pulumi.Input[str] | None) -> tuple[Any, bool]:
    """A URL with user info or a query string (often a token) is made a Pulumi secret.

    Returns the input to register and whether it is known now to be sensitive. A URL only known
    later (an Output) is made secret when it resolves; the engine then keeps the ``url`` output
    secret too, since its input was.
    """
    if url is None:
        return None, False
    if isinstance(url, str):
        sensitive = carries_credentials(url)
        return (pulumi.Output.secret(url) if sensitive else url), sensitive

    def protect(value: str) -> Any:
        return pulumi.Output.secret(value) if carries_credentials(value) else value

    return pulumi.Output.from_input(cast("pulumi.Input[str]", url)).apply(protect), False


# Per program run (keyed by the run's resource monitor): which resource claimed which identity.
_claims: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()


def _claim_identity(resource_name: str, args: DevRevWebhookArgs) -> None:
    """Refuse two resources of one stack that would make indistinguishable webhooks.

    A create whose answer is lost is recognised by its secret (see docs/reliability.md). A
    secret the program chose is only proof if no other resource of the stack makes a webhook
    with the same url, event types, headers and secret: then DevRev could not tell the two
    apart, and neither could a lookup after a lost answer. Values known only at apply time are
    compared when they resolve (not during a preview that cannot know them).
    """

    def claim(values: list[Any]) -> None:
        url, events, headers, secret = values
        if not isinstance(url, str) or not isinstance(secret, str):
            return  # check() reports inputs of the wrong type
        try:
            key = json.dumps(
                [url, sorted(set(events or [])), sorted((headers or {}).items()), secret]
            )
        except (TypeError, ValueError, AttributeError):
            return
        digest = hashlib.sha256(key.encode()).hexdigest()  # no secret kept in memory
        try:
            claims = _claims.setdefault(pulumi.runtime.settings.get_monitor(), {})
        except TypeError:  # a monitor that cannot be weakly referenced: nothing to compare
            return
        other = claims.setdefault(digest, resource_name)
        if other != resource_name:
            raise pulumi.RunError(
                f"DevRevWebhook {resource_name!r} and {other!r} would make webhooks DevRev "
                "cannot tell apart (same url, event types, headers and secret): give each "
                "its own secret, or leave secret unset so that one is generated for each"
            )

    parts = [args.url, args.event_types, args.headers, args.secret]
    if all(isinstance(p, str | list | tuple | dict) or p is None for p in parts):
        claim(parts)
    else:
        pulumi.Output.all(*parts).apply(claim)
