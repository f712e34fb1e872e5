"""DevRev's webhooks endpoints: the request pipeline and one handler per operation.

Pipeline of every request outside ``/_sandbox/``, in order: take an injected fault, read
the body (bounded), log the request, apply the fault's delay or drop, route (404/405),
authenticate (401), count against the rate limit (429), enforce the body size (413),
then decode, validate and run the operation. Handlers run on the event loop without
awaiting, so each one is atomic with respect to concurrent requests.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import errors, statusmachine, validation
from .errors import ApiError
from .faults import DroppedConnection
from .openapi import MAX_HEADERS
from .ratelimit import RateDecision
from .store import Header, StoredWebhook, generate_secret

if TYPE_CHECKING:
    from .app import Sandbox

logger = logging.getLogger("pulumi_devrev.sandbox")


@dataclass(frozen=True)
class ApiCall:
    """One authenticated request to an operation, body already read."""

    query: dict[str, list[str]]
    content_type: str | None
    body: bytes

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or the DevRev 400 saying why it is not one."""
        return validation.decode_json_body(self.content_type, self.body)


Handler = Callable[["Sandbox", ApiCall], tuple[int, dict[str, Any]]]


# ------------------------------------------------------------------------ operations


def create_webhook(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``POST /webhooks.create`` -> 201; the webhook starts ``unverified`` and is verified."""
    request = validation.parse_create(call.json())
    transition = statusmachine.after_create()
    webhook = sandbox.store.new_webhook(
        url=request.url,
        secret=request.secret if request.secret is not None else generate_secret(),
        event_types=request.event_types,
        headers=request.headers,
        status=transition.status,
    )
    answer = {"webhook": webhook.to_api()}
    if transition.handshake:
        sandbox.verifier.start(webhook)
    return 201, answer


def get_webhook_by_query(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``GET /webhooks.get?id=``."""
    return 200, {"webhook": _find(sandbox, validation.parse_get_query(call.query)).to_api()}


def get_webhook_by_body(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``POST /webhooks.get {"id"}``."""
    webhook_id = validation.parse_id_request("webhooks-get-request", call.json())
    return 200, {"webhook": _find(sandbox, webhook_id).to_api()}


def list_webhooks_by_query(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``GET /webhooks.list[?status=a,b]``: every webhook, no pagination."""
    statuses = validation.parse_list_query(call.query)
    return 200, {"webhooks": [w.to_api() for w in sandbox.store.select(statuses)]}


def list_webhooks_by_body(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``POST /webhooks.list {"status"?}``."""
    statuses = validation.parse_list_request(call.json())
    return 200, {"webhooks": [w.to_api() for w in sandbox.store.select(statuses)]}


def update_webhook(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``POST /webhooks.update``: fields, then the status machine, then maybe a handshake."""
    request = validation.parse_update(call.json())
    webhook = _find(sandbox, request.id)
    # Everything that can still fail is computed before the webhook is touched.
    event_types = apply_event_types(webhook.event_types, request.event_types)
    headers = apply_headers(webhook.headers, request.headers)
    transition = statusmachine.after_update(
        webhook.status,
        endpoint_changed=request.endpoint_changed,
        action=request.action,
        activate_mode=sandbox.options.activate_mode,
    )
    if request.url is not None:
        webhook.url = request.url
    if request.secret is not None:
        # An empty secret asks DevRev to generate a new one.
        webhook.secret = request.secret or generate_secret()
    webhook.event_types = event_types
    webhook.headers = headers
    status_changed = transition.status != webhook.status
    webhook.status = transition.status
    if transition.handshake:
        sandbox.verifier.start(webhook)
    elif status_changed or request.endpoint_changed:
        # A handshake still running was for the old endpoint or the old status.
        sandbox.verifier.invalidate(webhook)
    sandbox.store.touch(webhook)
    return 200, {"webhook": webhook.to_api()}


def delete_webhook(sandbox: Sandbox, call: ApiCall) -> tuple[int, dict[str, Any]]:
    """``POST /webhooks.delete {"id"}`` -> 200 ``{}``."""
    webhook_id = validation.parse_id_request("webhooks-delete-request", call.json())
    webhook = sandbox.store.delete(webhook_id)
    if webhook is None:
        raise _not_found(webhook_id)
    sandbox.verifier.invalidate(webhook)
    return 200, {}


def _find(sandbox: Sandbox, webhook_id: str) -> StoredWebhook:
    webhook = sandbox.store.get(webhook_id)
    if webhook is None:
        raise _not_found(webhook_id)
    return webhook


def _not_found(webhook_id: str) -> ApiError:
    return errors.not_found(f"webhook {webhook_id} does not exist")


def apply_event_types(current: list[str], change: validation.EventTypesChange | None) -> list[str]:
    """The event types after an update: ``set`` replaces; ``add``/``remove`` are no-ops
    for types already present/absent."""
    if change is None:
        return list(current)
    if change.set is not None:
        return list(change.set)
    result = [item for item in current if item not in change.remove]
    result += [item for item in change.add if item not in result]
    return result


def apply_headers(current: list[Header], change: validation.HeadersChange | None) -> list[Header]:
    """The headers after an update; names compare case-insensitively, as HTTP does.

    ``add`` replaces a header of the same name; ``remove`` ignores absent names. A result
    with more than :data:`MAX_HEADERS` headers is refused.
    """
    if change is None:
        return list(current)
    if change.set is not None:
        return list(change.set)
    removed = {name.lower() for name in change.remove}
    result = [header for header in current if header.name.lower() not in removed]
    for header in change.add:
        index = next(
            (i for i, old in enumerate(result) if old.name.lower() == header.name.lower()), None
        )
        if index is None:
            result.append(header)
        else:
            result[index] = header
    if len(result) > MAX_HEADERS:
        raise errors.value_not_permitted(
            "headers.add",
            f"a webhook has at most {MAX_HEADERS} headers; this update would leave {len(result)}",
        )
    return result


OPERATIONS: dict[str, dict[str, Handler]] = {
    "/webhooks.create": {"POST": create_webhook},
    "/webhooks.get": {"GET": get_webhook_by_query, "POST": get_webhook_by_body},
    "/webhooks.list": {"GET": list_webhooks_by_query, "POST": list_webhooks_by_body},
    "/webhooks.update": {"POST": update_webhook},
    "/webhooks.delete": {"POST": delete_webhook},
}


# ------------------------------------------------------------------------- pipeline


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """A compact JSON response."""
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def error_response(error: ApiError, extra_headers: dict[str, str] | None = None) -> Response:
    """The DevRev error answer for ``error``."""
    return json_response(error.status, error.body(), {**(extra_headers or {}), **error.headers})


async def read_body(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, read in chunks and abandoned past ``limit`` bytes: (body, too_large)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False


class ApiApp:
    """ASGI app for every path outside ``/_sandbox/``: the DevRev API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """Run the pipeline described in the module docstring."""
        sandbox = self.sandbox
        method, path = request.method, request.url.path
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        auth = sandbox.classify_auth(request.headers.get("authorization"))
        fault = sandbox.faults.take(path, method)
        try:
            body, too_large = await read_body(request, sandbox.options.max_body_bytes)
        except ClientDisconnect:
            body, too_large = b"", False
            disconnected = True
        else:
            disconnected = False
        entry = sandbox.requests.begin(
            method=method,
            path=path,
            query=query,
            body=validation.try_parse_json(body) if body else None,
            auth=auth,
            fault=fault.describe() if fault is not None else None,
        )
        if disconnected:
            sandbox.requests.finish(entry, "disconnected")
            return Response(status_code=400)  # nobody is listening; never sent
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.drop == "before":
            sandbox.requests.finish(entry, "dropped")
            return DroppedConnection()
        if fault is not None and fault.status is not None:
            response = error_response(
                errors.error_for_status(fault.status, retry_after=fault.retry_after)
            )
        else:
            response = self.process(request, path, query, body, too_large, auth)
        if fault is not None and fault.drop == "after":
            sandbox.requests.finish(entry, "dropped")
            return DroppedConnection()
        sandbox.requests.finish(entry, response.status_code)
        logger.info("%s %s -> %d", method, path, response.status_code)
        return response

    def process(
        self,
        request: Request,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        too_large: bool,
        auth: str,
    ) -> Response:
        """Route, authenticate, rate-limit and run the operation; always a response."""
        sandbox = self.sandbox
        operations = OPERATIONS.get(path)
        if operations is None:
            return error_response(errors.not_found(f"there is no API at {path}"))
        handler = operations.get(request.method)
        if handler is None:
            return error_response(
                errors.method_not_allowed(request.method, path, sorted(operations))
            )
        if auth == "missing":
            return error_response(
                errors.unauthenticated("no token: send the header 'Authorization: Bearer <token>'")
            )
        if auth == "invalid":
            return error_response(errors.unauthenticated("the token is not valid"))
        rate: RateDecision | None = sandbox.count_request()
        rate_headers = rate.headers() if rate is not None else {}
        if rate is not None and not rate.allowed:
            return error_response(errors.too_many_requests(rate.retry_after), rate_headers)
        if too_large:
            return error_response(
                errors.request_entity_too_large(sandbox.options.max_body_bytes), rate_headers
            )
        call = ApiCall(query=query, content_type=request.headers.get("content-type"), body=body)
        try:
            status, payload = handler(sandbox, call)
        except ApiError as error:
            return error_response(error, rate_headers)
        except Exception:
            # A bug, not bad input: answer as DevRev would and keep the trace for whoever
            # runs the sandbox (the traceback holds no request content).
            internal = errors.internal_error()
            logger.exception("internal error, reference_id %s", internal.fields["reference_id"])
            return error_response(internal, rate_headers)
        return json_response(status, payload, rate_headers)
