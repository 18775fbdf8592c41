"""Starting, running and ending operations: the part all three protocols share.

A protocol handler decides *when* (its messages and states) and *how it sounds* (its wire
messages: ``send_data``, ``send_error``, ``send_complete``); this class does the rest: the
duplicate and limit checks, subscribing through the engine (or running a query or mutation
through the executor where the protocol allows it), and unsubscribing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from graphql import OperationType

from auth.modes import Authorization
from resolvers.context import RequestState
from schema.errors import format_errors
from subscriptions.engine import Message, SubscribeRequest
from subscriptions.errors import SubscriptionError
from subscriptions.protocols.base import ProtocolHandler


def connection_headers(upgrade: Mapping[str, str], payload: Any) -> dict[str, str]:
    """The upgrade request's headers overlaid with the credentials of a ``connection_init``
    payload (top-level string values and a ``headers`` object), names lower-cased."""
    headers = dict(upgrade)
    if isinstance(payload, Mapping):
        nested = payload.get("headers")
        for source in (payload, nested if isinstance(nested, Mapping) else {}):
            for name, value in source.items():
                if isinstance(value, str):
                    headers[str(name).lower()] = value
    return headers


def message_prefix(id_: str, data_type: str) -> bytes:
    """``{"id":…,"type":…,"payload":`` — what precedes the event in a result message; the
    message is ``prefix + event + "}"``, joined as bytes per subscriber."""
    return f'{{"id":{json.dumps(id_)},"type":"{data_type}","payload":'.encode()


class _Subscriber:
    """The engine's view of one subscription: its message prefix and the connection's outbox.

    ``deliver`` runs once per subscriber per event: it hands the prefix and the group's
    rendered event to the outbox, which joins them into a frame."""

    __slots__ = ("handler", "id", "outbox", "prefix")

    def __init__(self, handler: OperationsHandler, id_: str) -> None:
        self.handler = handler
        self.id = id_
        self.prefix = message_prefix(id_, handler.data_type)
        self.outbox = handler.socket.outbox

    def deliver(self, message: Message) -> None:
        self.outbox.put_message(self.prefix, message)

    def invalidated(self) -> None:
        if self.handler.operations.pop(self.id, False) is not False:
            self.handler.send_complete(self.id)


class OperationsHandler(ProtocolHandler):
    __slots__ = ()
    data_type = "data"
    """The type of result messages (``next`` in graphql-transport-ws)."""
    serves_queries = False
    """Whether queries and mutations may run over this protocol."""
    subscriber_class: ClassVar[type[_Subscriber]] = _Subscriber

    def send_error(self, id_: str, errors: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def send_complete(self, id_: str) -> None:
        self.socket.send_json({"id": id_, "type": "complete"})

    def max_subscriptions_error(self) -> list[dict[str, Any]]:
        limit = self.settings.max_subscriptions
        return [
            {
                "errorType": "MaxSubscriptionsReachedError",
                "message": f"Max number of {limit} subscriptions reached",
            }
        ]

    async def start_operation(
        self,
        id_: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        authorization: Authorization,
        headers: Mapping[str, str],
    ) -> bool:
        """Run or subscribe ``id_``; False (after sending the protocol's error) if refused.

        The caller has checked that ``id_`` is not in use."""
        engine = self.context.engine
        if self.serves_queries and engine.operation_type(query, operation_name) in (
            OperationType.QUERY,
            OperationType.MUTATION,
        ):
            self.operations[id_] = None
            await self.execute(id_, query, variables, operation_name, authorization, headers)
            return True
        if len(self.operations) >= self.settings.max_subscriptions:
            self.send_error(id_, self.max_subscriptions_error())
            return False
        self.operations[id_] = None
        request = SubscribeRequest(
            query, variables, operation_name, authorization, self.ctx_request(headers)
        )
        try:
            subscription = await engine.subscribe(request, self.subscriber_class(self, id_))
        except SubscriptionError as error:
            if self.operations.pop(id_, False) is None:
                self.send_error(id_, error.as_errors())
            return False
        if id_ in self.operations and not self.socket.closing:
            self.operations[id_] = subscription
            return True
        subscription.cancel()  # stopped by the client while it was starting
        return False

    def stop_operation(self, id_: str) -> bool:
        """End ``id_``; False if there was no such operation."""
        if id_ not in self.operations:
            return False
        subscription = self.operations.pop(id_)
        if subscription is not None:
            subscription.cancel()
        return True

    async def execute(
        self,
        id_: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        authorization: Authorization,
        headers: Mapping[str, str],
    ) -> None:
        """A query or mutation over the socket: one result, then ``complete``."""
        executor = self.context.executor
        prepared = executor.prepare(query)
        if prepared.document is None:
            self.operations.pop(id_, None)
            self.send_error(id_, format_errors(list(prepared.errors)))
            return
        state = RequestState(
            self.ctx_request(headers),
            identity=authorization.identity,
            auth_mode=authorization.mode,
            env=self.context.env,
        )
        outcome = await executor.execute(prepared.document, state, variables, operation_name)
        if self.operations.pop(id_, False) is not None:
            return  # stopped by the client meanwhile
        if outcome.request_error:
            self.send_error(id_, format_errors(outcome.result.errors or []))
            return
        body: dict[str, Any] = {"data": outcome.result.data}
        if outcome.result.errors:
            body["errors"] = format_errors(outcome.result.errors)
        self.socket.send_json({"id": id_, "type": self.data_type, "payload": body})
        self.send_complete(id_)
