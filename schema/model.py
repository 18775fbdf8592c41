"""The parsed, frozen description of one API: what `syncline.yml` says, after validation.

`schema.definition.load_definition` builds these from the YAML; everything else in Syncline
reads them and never the YAML. Names follow the serverless-appsync-plugin v2 format (which is
AppSync's vocabulary) so that the plugin's docs explain this model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """A place in a definition file, reported as ``file:line`` (line is 1-based)."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class FieldCoordinate:
    """One field of one type: the key of a resolver, written ``Type.field`` everywhere."""

    type_name: str
    field_name: str

    @classmethod
    def parse(cls, text: str) -> FieldCoordinate:
        type_name, sep, field_name = text.partition(".")
        if not sep or not type_name or not field_name or "." in field_name:
            raise ValueError(f"expected 'Type.field', got {text!r}")
        return cls(type_name, field_name)

    def __str__(self) -> str:
        return f"{self.type_name}.{self.field_name}"


class AuthMode(StrEnum):
    """AppSync's five authorization modes (AppSync developer guide, "Authorization and authentication")."""

    API_KEY = "API_KEY"
    AMAZON_COGNITO_USER_POOLS = "AMAZON_COGNITO_USER_POOLS"
    OPENID_CONNECT = "OPENID_CONNECT"
    AWS_IAM = "AWS_IAM"
    AWS_LAMBDA = "AWS_LAMBDA"


class DataSourceKind(StrEnum):
    """AppSync data source types that Syncline executes."""

    AMAZON_DYNAMODB = "AMAZON_DYNAMODB"
    AWS_LAMBDA = "AWS_LAMBDA"
    HTTP = "HTTP"
    NONE = "NONE"


class ResolverKind(StrEnum):
    UNIT = "UNIT"
    PIPELINE = "PIPELINE"


class CachingBehavior(StrEnum):
    """AppSync API cache behaviours (AppSync developer guide, "Configuring server-side caching")."""

    FULL_REQUEST_CACHING = "FULL_REQUEST_CACHING"
    PER_RESOLVER_CACHING = "PER_RESOLVER_CACHING"
    OPERATION_LEVEL_CACHING = "OPERATION_LEVEL_CACHING"


@dataclass(frozen=True)
class AuthProvider:
    mode: AuthMode
    config: Mapping[str, Any]
    location: Location


@dataclass(frozen=True)
class ApiKey:
    name: str
    value: str
    description: str | None
    expires_at: datetime | None
    location: Location


@dataclass(frozen=True)
class DataSource:
    name: str
    kind: DataSourceKind
    config: Mapping[str, Any]
    description: str | None
    location: Location


@dataclass(frozen=True)
class ResolverCaching:
    """Per-resolver caching: ``ttl`` seconds, ``keys`` such as ``$context.arguments.id``."""

    ttl: int | None
    keys: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class PipelineFunction:
    name: str
    data_source: str
    code: Path | None
    max_batch_size: int | None
    location: Location


@dataclass(frozen=True)
class Resolver:
    coordinate: FieldCoordinate
    kind: ResolverKind
    data_source: str | None
    """For UNIT resolvers: the data source name. None for PIPELINE resolvers."""
    code: Path | None
    """For UNIT: request/response module (None = direct Lambda resolver). For PIPELINE: before/after."""
    functions: tuple[str, ...]
    caching: ResolverCaching | None
    max_batch_size: int | None
    location: Location


@dataclass(frozen=True)
class ApiCaching:
    behavior: CachingBehavior
    ttl: int
    type: str | None
    location: Location


@dataclass(frozen=True)
class KeySchema:
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class SecondaryIndex:
    name: str
    key: KeySchema
    projection: str = "ALL"
    """``ALL``, ``KEYS_ONLY`` or ``INCLUDE`` (DynamoDB ``Projection.ProjectionType``)."""
    non_key_attributes: tuple[str, ...] = ()
    """With ``INCLUDE``: the attributes projected besides the keys (``NonKeyAttributes``)."""


@dataclass(frozen=True)
class Table:
    """A table of Syncline's embedded store (Syncline's own ``tables:`` block)."""

    name: str
    key: KeySchema
    global_secondary_indexes: tuple[SecondaryIndex, ...]
    local_secondary_indexes: tuple[SecondaryIndex, ...]
    ttl_attribute: str | None
    location: Location


class FunctionRuntime(StrEnum):
    """Where a function of ``functions:`` runs (Syncline's own ``runtime:`` key)."""

    LOCAL = "local"
    """A Python handler in Syncline's pool of worker processes."""
    AWS = "aws"
    """A deployed function, invoked with boto3 ``lambda.invoke``."""


class TableStoreKind(StrEnum):
    """Where an AMAZON_DYNAMODB data source's table lives (Syncline's own ``config.store``)."""

    EMBEDDED = "embedded"
    """Syncline's embedded table store (a SQLite file in ``--data-dir``)."""
    AWS = "aws"
    """AWS DynamoDB, or any DynamoDB-compatible endpoint, through boto3."""


@dataclass(frozen=True)
class AwsFunctionTarget:
    """``functions.<name>.aws``: the deployed function the ``aws`` runtime invokes.

    Unset credentials, region and endpoint come from the standard AWS chain (environment,
    shared config files, instance roles), as boto3 finds them.
    """

    function_name: str
    """A function name, ARN or partial ARN (Lambda's ``FunctionName``)."""
    qualifier: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    max_connections: int = 10
    """Bound on concurrent invocations (boto3 connection pool and worker threads)."""


@dataclass(frozen=True)
class LocalFunction:
    """A function of Syncline's own ``functions:`` block: a local handler or a deployed Lambda."""

    name: str
    handler: str
    """``path/to/module.function`` relative to the API folder, as Lambda's handler string.
    Empty for an ``aws`` function declared without one."""
    timeout: float
    memory_size: int
    environment: Mapping[str, str]
    location: Location
    runtime: FunctionRuntime = FunctionRuntime.LOCAL
    reserved_concurrency: int | None = None
    """``local``: the most worker processes (and concurrent invocations) of this function."""
    aws: AwsFunctionTarget | None = None
    """``aws``: which deployed function to invoke, and how to reach it."""


@dataclass(frozen=True)
class LocalService:
    """An ASGI application the API folder ships (Syncline's own ``services:`` block).

    Served at ``/services/<name>``; an HTTP data source reaches it with ``service: <name>``.
    """

    name: str
    app: str
    """``path/to/module.attribute`` relative to the API folder."""
    location: Location


@dataclass(frozen=True)
class Limits:
    """AppSync's per-API limits; 0 means AppSync's default (no depth limit, 10000 resolvers)."""

    query_depth_limit: int = 0
    resolver_count_limit: int = 0
    introspection: bool = True
    max_body_bytes: int = 1_048_576
    """Request body limit; Syncline's own knob (`maxRequestBodyBytes`)."""


@dataclass(frozen=True)
class SchemaSource:
    """One schema file and its text, kept so schema errors can name ``file:line``."""

    path: Path
    text: str


@dataclass(frozen=True)
class ApiDefinition:
    root: Path
    config_file: Path
    name: str
    schema: tuple[SchemaSource, ...]
    authentication: AuthProvider
    additional_authentications: tuple[AuthProvider, ...]
    api_keys: tuple[ApiKey, ...]
    data_sources: Mapping[str, DataSource]
    resolvers: Mapping[FieldCoordinate, Resolver]
    pipeline_functions: Mapping[str, PipelineFunction]
    caching: ApiCaching | None
    substitutions: Mapping[str, str]
    tables: Mapping[str, Table]
    functions: Mapping[str, LocalFunction]
    limits: Limits = field(default_factory=Limits)
    environment: Mapping[str, str] = field(default_factory=dict)
    """AppSync environment variables (the plugin's ``environment``), read as ``ctx.env``."""
    services: Mapping[str, LocalService] = field(default_factory=dict)
    """Syncline's own ``services:`` block."""

    @property
    def auth_providers(self) -> tuple[AuthProvider, ...]:
        return (self.authentication, *self.additional_authentications)
