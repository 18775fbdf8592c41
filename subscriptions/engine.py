"""The subscription engine: subscribe, publish mutation results, fan out, invalidate.

One engine serves every protocol (``subscriptions.protocols``). Its cycle:

- ``subscribe``: parse and validate (the executor's cache), coerce variables, authorize the field,
  run the subscription resolver (AppSync runs it once, at subscribe time; its response handler
  may set enhanced and invalidation filters or refuse with ``util.unauthorized()``), then join
  the subscriber to its *group*.
- ``mutation_executed`` (the executor's hook): each mutation field that succeeded and is listed
  in an ``@aws_subscribe`` becomes an event with its result as the payload; each
  ``extensions.invalidate_subscriptions`` call becomes an invalidation event. Both go to the
  broker, which brings them back — from any server process — to ``dispatch``.
- ``dispatch``: per subscription field, per group: argument filter, enhanced filter, then one
  projection and one ``json.dumps`` for the whole group; each member gets the same string.

A group is a subscription *shape*: the same document, variables, filters and field visibility.
Subscribers of one shape cannot receive different messages, so filtering and serialization cost
once per shape per event, not once per subscriber (10,000 subscribers of one query cost one
projection). Groups and their compiled projections are dropped when their last member leaves;
nothing is kept per event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
)
from graphql.execution import Executor as GraphQLExecutor
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from auth.modes import Authorization
from resolvers.binding import FieldResolver
from resolvers.context import Info, RequestState, ResolverContext
from resolvers.context import Request as CtxRequest
from schema.errors import ResolverError, UnauthorizedError, format_errors
from schema.execution import Executor
from schema.model import FieldCoordinate
from subscriptions.access import AllowAll, FieldAccess
from subscriptions.brokers import Broker, BrokerState, build_broker
from subscriptions.errors import SubscriptionError, UnsupportedOperation
from subscriptions.events import Event, EventKind
from subscriptions.filters import ArgumentFilter, SubscriptionFilter, parse_filter
from subscriptions.payload import (
    Projection,
    collect_fields,
    iter_fields,
    mutation_payload,
    response_key,
)
from subscriptions.wiring import Wiring

log = logging.getLogger("syncline.subscriptions")


class Message(str):
    """One event as every member of a group receives it: the JSON text ``{"data": {...}}``.

    A ``str``, so any subscriber can use it as text; ``data`` is the same text as UTF-8, encoded
    once for the group, which WebSocket connections frame and write as bytes.
    """

    data: bytes

    def __new__(cls, text: str) -> Message:
        message = super().__new__(cls, text)
        message.data = text.encode()
        return message


class Subscriber(Protocol):
    """One subscription as its protocol handler sees it."""

    def deliver(self, message: Message) -> None:
        """``message`` is the event rendered for this subscriber's group; queue it, never
        block. The same object goes to every member of the group."""
        ...

    def invalidated(self) -> None:
        """``extensions.invalidate_subscriptions`` ended this subscription."""
        ...


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    query: str
    variables: Mapping[str, Any] | None
    operation_name: str | None
    authorization: Authorization
    request: CtxRequest


class Group:
    """Subscribers of one shape: they share filters, projection and the serialized message."""

    __slots__ = (
        "arguments",
        "field",
        "filter",
        "invalidation_filter",
        "key",
        "members",
        "projection",
    )

    def __init__(
        self,
        key: Hashable,
        field: str,
        projection: Projection,
        arguments: ArgumentFilter,
        filter_: SubscriptionFilter | None,
        invalidation_filter: SubscriptionFilter | None,
    ) -> None:
        self.key = key
        self.field = field
        self.projection = projection
        self.arguments = arguments
        self.filter = filter_
        self.invalidation_filter = invalidation_filter
        self.members: dict[Subscription, None] = {}

    def accepts(self, payload: Any) -> bool:
        return self.arguments.matches(payload) and (
            self.filter is None or self.filter.matches(payload)
        )

    def render(self, payload: Any) -> Message:
        return Message(
            json.dumps(self.projection.render(payload), separators=(",", ":"), ensure_ascii=False)
        )


class Subscription:
    """A subscriber's membership of a group; ``cancel`` (idempotent) ends it."""

    __slots__ = ("_engine", "group", "subscriber")

    def __init__(self, engine: SubscriptionEngine, group: Group, subscriber: Subscriber) -> None:
        self._engine = engine
        self.group = group
        self.subscriber = subscriber

    def cancel(self) -> None:
        self._engine._remove(self)


class SubscriptionEngine:
    def __init__(
        self,
        schema: GraphQLSchema,
        executor: Executor,
        wiring: Wiring,
        resolvers: Mapping[FieldCoordinate, FieldResolver],
        *,
        api_name: str,
        env: Mapping[str, str],
        broker_url: str | None = None,
        access: FieldAccess | None = None,
    ) -> None:
        self.schema = schema
        self.executor = executor
        self.wiring = wiring
        self.env = env
        self.access: FieldAccess = access or AllowAll()
        subscription_type = schema.subscription_type
        self._resolvers = {
            c.field_name: r
            for c, r in resolvers.items()
            if subscription_type is not None and c.type_name == subscription_type.name
        }
        self._groups: dict[str, dict[Hashable, Group]] = {}
        self.broker: Broker = build_broker(
            broker_url, f"syncline:{api_name}:subscriptions", self.dispatch
        )

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()

    def health(self) -> dict[str, Any]:
        return {
            "broker": self.broker.health(),
            "subscriptions": self.subscription_count,
            "groups": sum(len(g) for g in self._groups.values()),
        }

    @property
    def healthy(self) -> bool:
        return self.broker.state is BrokerState.CONNECTED

    @property
    def subscription_count(self) -> int:
        return sum(len(g.members) for groups in self._groups.values() for g in groups.values())

    # -- subscribe --------------------------------------------------------------------------

    def operation_type(self, query: str, operation_name: str | None) -> OperationType | None:
        """The operation's type, or None when the document does not parse or validate."""
        prepared = self.executor.prepare(query)
        if prepared.document is None:
            return None
        return self.executor.operation_type(prepared.document, operation_name)

    async def subscribe(self, request: SubscribeRequest, subscriber: Subscriber) -> Subscription:
        """Start one subscription; raises ``SubscriptionError`` with AppSync's reason."""
        prepared = self.executor.prepare(request.query)
        if prepared.document is None:
            raise _graphql_failure(prepared.errors)
        document = prepared.document
        operation = get_operation_ast(document, request.operation_name)
        if operation is None:
            raise SubscriptionError("Unknown operation named or ambiguous operation")
        if operation.operation is not OperationType.SUBSCRIPTION:
            raise UnsupportedOperation(operation.operation.value)
        state = RequestState(
            request.request,
            identity=request.authorization.identity,
            auth_mode=request.authorization.mode,
            env=self.env,
        )
        built = GraphQLExecutor.build(
            self.schema,
            document,
            None,
            state,
            dict(request.variables or {}),
            request.operation_name,
        )
        if isinstance(built, list):
            raise _graphql_failure(built)
        root_type = self.schema.subscription_type
        assert root_type is not None
        fragments = _fragments(document)
        variables = built.variable_values.coerced
        grouped = collect_fields(
            self.schema, root_type, [operation.selection_set], fragments, variables
        )
        if not grouped:
            raise SubscriptionError("The subscription selects no field")
        key, nodes = next(iter(grouped.items()))
        name = nodes[0].name.value
        field_def = root_type.fields[name]
        authorization = request.authorization
        if not self.access.allowed(root_type.name, name, authorization):
            raise _not_authorized(name, root_type.name)
        arguments = get_argument_values(field_def, nodes[0], built.variable_values)
        resolver = self._resolvers.get(name)
        if resolver is not None:
            path = Path(None, key, root_type.name)
            info = built.build_resolve_info(field_def, nodes, root_type, path)
            ctx = ResolverContext(arguments, None, Info(info), state, path)
            await self._run_resolver(resolver, ctx, name, root_type.name)
        extensions = state.extensions
        filter_ = parse_filter(extensions.filter) if extensions and extensions.filter else None
        invalidation = (
            parse_filter(extensions.invalidation_filter)
            if extensions and extensions.invalidation_filter
            else None
        )
        visibility = self.access.visibility_key(authorization)
        group_key = (
            name,
            request.query,
            request.operation_name,
            json.dumps(request.variables or {}, sort_keys=True, default=str),
            filter_.key if filter_ else None,
            invalidation.key if invalidation else None,
            visibility,
        )
        groups = self._groups.setdefault(name, {})
        group = groups.get(group_key)
        if group is None:
            projection = Projection.compile(
                self.schema,
                nodes,
                fragments,
                variables,
                lambda type_name, field_name: self.access.allowed(
                    type_name, field_name, authorization
                ),
            )
            group = Group(
                group_key, name, projection, ArgumentFilter.of(arguments), filter_, invalidation
            )
            groups[group_key] = group
        subscription = Subscription(self, group, subscriber)
        group.members[subscription] = None
        return subscription

    async def _run_resolver(
        self, resolver: FieldResolver, ctx: ResolverContext, name: str, type_name: str
    ) -> None:
        try:
            await resolver.resolve(ctx)
        except UnauthorizedError:
            raise _not_authorized(name, type_name) from None
        except ResolverError as error:
            raise SubscriptionError(
                error.message, error.error_type or "ResolverError", 400
            ) from None
        except SubscriptionError:
            raise
        except Exception as error:
            log.exception("subscription resolver Subscription.%s failed", name)
            raise SubscriptionError(
                f"{type(error).__name__}: {error}", "InternalFailure", 500
            ) from None

    def _remove(self, subscription: Subscription) -> None:
        group = subscription.group
        if group.members.pop(subscription, False) is not False and not group.members:
            groups = self._groups.get(group.field)
            if groups is not None and groups.get(group.key) is group:
                del groups[group.key]

    # -- publish ----------------------------------------------------------------------------

    def mutation_executed(
        self,
        document: DocumentNode,
        operation_name: str | None,
        data: Mapping[str, Any] | None,
        errors: list[GraphQLError],
        state: RequestState,
    ) -> None:
        """The executor's hook after a mutation operation: publish what succeeded."""
        operation = get_operation_ast(document, operation_name)
        if operation is not None and data:
            failed = {e.path[0] for e in errors if e.path}
            fragments = _fragments(document)
            by_key: dict[str, list[Any]] = {}
            for node in iter_fields(operation.selection_set, fragments):
                by_key.setdefault(response_key(node), []).append(node)
            for key, nodes in by_key.items():
                value = data.get(key)
                field = nodes[0].name.value
                if value is None or key in failed or not self.wiring.targets(field):
                    continue
                payload = mutation_payload(value, nodes, fragments)
                self.broker.publish(Event.new(EventKind.DATA, field, payload))
        if state.extensions is not None:
            for invalidation in state.extensions.invalidations:
                self.broker.publish(
                    Event.new(
                        EventKind.INVALIDATE,
                        invalidation["subscriptionField"],
                        invalidation["payload"],
                    )
                )

    # -- fan-out ----------------------------------------------------------------------------

    def dispatch(self, event: Event) -> None:
        """Deliver one event to this process's subscribers (called by the broker)."""
        try:
            if event.kind is EventKind.DATA:
                for field in self.wiring.targets(event.field):
                    self._fan_out(field, event.payload)
            else:
                self._invalidate(event.field, event.payload)
        except Exception:
            log.exception("%s could not be delivered", event.describe())

    def _fan_out(self, field: str, payload: Any) -> None:
        groups = self._groups.get(field)
        if not groups:
            return
        for group in list(groups.values()):
            if not group.accepts(payload):
                continue
            message = group.render(payload)
            for subscription in list(group.members):
                subscription.subscriber.deliver(message)

    def _invalidate(self, field: str, payload: Any) -> None:
        for group in list(self._groups.get(field, {}).values()):
            if group.invalidation_filter is not None and group.invalidation_filter.matches(payload):
                for subscription in list(group.members):
                    subscription.cancel()
                    subscription.subscriber.invalidated()


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _graphql_failure(errors: Any) -> SubscriptionError:
    errors = list(errors)
    message = errors[0].message if errors else "Invalid request"
    return SubscriptionError(message, "GraphQLError", 400, format_errors(errors))


def _not_authorized(field: str, type_name: str) -> SubscriptionError:
    return SubscriptionError(
        f"Not Authorized to access {field} on type {type_name}", "Unauthorized", 401
    )
