"""Load an API folder's ``syncline.yml`` into the frozen `schema.model.ApiDefinition`.

The ``appSync:`` block follows serverless-appsync-plugin v2 (its docs "General config",
"DataSources", "Resolvers", "Pipeline functions", "Authentication", "API keys", "Caching") so a
team can bring its block over unchanged; ``tables:``, ``functions:``, ``server:`` and
``${env:NAME}`` are Syncline's own. ``docs/configuration.md`` is the reference and lists where
Syncline deviates from the plugin; those places are marked "Deviation" here.

Every problem is collected with its ``file:line`` and raised once as `InvalidDefinition`.
Files the definition points at are checked without running them: schema files are parsed with
graphql-core, code files with `ast` (`_SourceFiles`). Generic YAML handling is in `schema._yaml`;
this module (past 500 lines for that reason) is the one place that knows what each key means.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import graphql
from graphql.language import ObjectTypeDefinitionNode, ObjectTypeExtensionNode

from schema._yaml import (
    Block,
    Node,
    Problems,
    Shape,
    did_you_mean,
    enum_value,
    expect,
    named_entries,
    read_document,
)
from schema.errors import InvalidDefinition
from schema.model import (
    ApiCaching,
    ApiDefinition,
    ApiKey,
    AuthMode,
    AuthProvider,
    AwsFunctionTarget,
    CachingBehavior,
    DataSource,
    DataSourceKind,
    FieldCoordinate,
    FunctionRuntime,
    KeySchema,
    Limits,
    LocalFunction,
    LocalService,
    Location,
    PipelineFunction,
    Resolver,
    ResolverCaching,
    ResolverKind,
    SchemaSource,
    SecondaryIndex,
    Table,
    TableStoreKind,
)

_T = TypeVar("_T")
CONFIG_FILE = "syncline.yml"
PIPELINE_FUNCTION_LIMIT = 10  # AppSync quota: functions in one pipeline resolver
CACHING_KEY_LIMIT = 25  # AppSync quota: caching keys of one resolver


def _keys(shape: Shape, names: str) -> dict[str, Shape]:
    return dict.fromkeys(names.split(), shape)


IGNORED_PLUGIN_KEYS = {
    # serverless-appsync-plugin keys about deploying to AWS that have nothing to act on in a
    # Syncline server: custom domain, X-Ray tracing, CloudWatch logging, WAF (`wafConfig` is
    # its v1 name), resource tags, endpoint visibility, esbuild bundling of JS resolvers and
    # CloudWatch enhanced metrics. Accepted so a block comes over unchanged, type-checked, unused.
    **_keys(Shape.MAPPING, "domain logging waf tags wafConfig enhancedMetrics"),
    **{"xrayEnabled": Shape.BOOLEAN, "visibility": Shape.STRING, "esbuild": Shape.ANY},
}
TOP_LEVEL_KEYS = ("appSync", "tables", "functions", "services", "server")
APPSYNC_KEYS = (
    *["name", "schema", "authentication", "additionalAuthentications", "apiKeys", "dataSources"],
    *["resolvers", "pipelineFunctions", "caching", "substitutions", "environment", "introspection"],
    *("queryDepthLimit", "resolverCountLimit", *IGNORED_PLUGIN_KEYS),
)
UNSUPPORTED_RESOLVER_KEYS = {
    # Deviation: Syncline runs Python code files only; these plugin keys are errors, not ignored.
    "request": "VTL mapping templates are not supported; name a Python module in 'code:'",
    "response": "VTL mapping templates are not supported; name a Python module in 'code:'",
    "sync": "conflict detection ('sync') is not supported",
    "substitutions": "per-resolver substitutions are not supported; use appSync.substitutions",
}
RESOLVER_KEYS = (
    *["kind", "type", "field", "dataSource", "functions", "code", "caching", "maxBatchSize"],
)
PIPELINE_FUNCTION_KEYS = ("dataSource", "description", "code", "maxBatchSize")

_AWS_WIRING = {"serviceRoleArn": Shape.ANY, "iamRoleStatements": Shape.LIST}  # IAM for CFN only
_LAMBDA_TARGET = {
    **_keys(Shape.STRING, "functionName functionArn functionAlias"),
    "function": Shape.ANY,
}
DATA_SOURCE_CONFIG: Mapping[DataSourceKind, Mapping[str, Shape]] = {
    DataSourceKind.AMAZON_DYNAMODB: {
        **_keys(Shape.STRING, "tableName region"),
        **_keys(Shape.BOOLEAN, "useCallerCredentials versioned"),
        **{"deltaSyncConfig": Shape.MAPPING, **_AWS_WIRING},
        # Syncline's own (docs/dynamodb.md, "Real DynamoDB"): which store holds the table, and
        # for `store: aws` how boto3 reaches it.
        "store": Shape.STRING,
        **_keys(Shape.STRING, "endpoint profile retryMode nextTokenSecret"),
        **_keys(Shape.INTEGER, "maxConnections maxAttempts"),
        **_keys(Shape.NUMBER, "connectTimeout readTimeout"),
    },
    DataSourceKind.AWS_LAMBDA: {**_LAMBDA_TARGET, **_AWS_WIRING},
    DataSourceKind.HTTP: {
        "endpoint": Shape.STRING,
        "authorizationConfig": Shape.MAPPING,
        # Syncline's own: a `services:` entry instead of an endpoint, the request deadline,
        # the largest response body, and the credentials SigV4 signing uses.
        "service": Shape.STRING,
        "timeout": Shape.NUMBER,
        "maxResponseBytes": Shape.INTEGER,
        "credentials": Shape.MAPPING,
        **_AWS_WIRING,
    },
    DataSourceKind.NONE: {},
}
AUTH_CONFIG: Mapping[AuthMode, Mapping[str, Shape]] = {
    AuthMode.API_KEY: {},
    AuthMode.AWS_IAM: {"accessKeys": Shape.LIST},  # Syncline's own: local access key pairs
    AuthMode.AMAZON_COGNITO_USER_POOLS: {
        **_keys(Shape.STRING, "userPoolId awsRegion defaultAction appIdClientRegex"),
        # Syncline's own (docs/auth.md): where the pool's signing keys come from.
        "jwks": Shape.STRING,
        "localIssuer": Shape.BOOLEAN,
    },
    AuthMode.OPENID_CONNECT: {
        **_keys(Shape.STRING, "issuer clientId jwks"),  # jwks: Syncline's own
        **_keys(Shape.NUMBER, "iatTTL authTTL"),
    },
    AuthMode.AWS_LAMBDA: {
        **_LAMBDA_TARGET,
        "identityValidationExpression": Shape.STRING,
        "authorizerResultTtlInSeconds": Shape.INTEGER,
    },
}
_REQUIRED_CONFIG: Mapping[str, tuple[str, ...]] = {
    DataSourceKind.AMAZON_DYNAMODB: ("tableName",),
    AuthMode.AMAZON_COGNITO_USER_POOLS: ("userPoolId",),
    AuthMode.OPENID_CONNECT: ("issuer",),
}
_SINGLE_MODES = (AuthMode.API_KEY, AuthMode.AWS_IAM, AuthMode.AWS_LAMBDA)  # once per API
_COORDINATE = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*")
_DURATION = re.compile(r"(\d+)([hdwMqy]?)")  # the plugin's expiresAfter; a bare number is hours
_HOURS = {"": 1, "h": 1, "d": 24, "w": 24 * 7, "M": 24 * 30, "q": 24 * 91, "y": 24 * 365}
_CACHING_KEY_PREFIXES = ("$context.arguments.", "$context.source.", "$context.identity.")
_CREDENTIAL_KEYS = _keys(Shape.STRING, "accessKeyId secretAccessKey sessionToken")
AWS_FUNCTION_KEYS = {
    **_keys(Shape.STRING, "functionName qualifier region endpointUrl profile"),
    **_CREDENTIAL_KEYS,
    "maxConnections": Shape.INTEGER,
}


class HttpAuthorizationType(StrEnum):
    """``authorizationConfig.authorizationType`` of an HTTP data source (AppSync: AWS_IAM only)."""

    AWS_IAM = "AWS_IAM"


class RetryMode(StrEnum):
    """botocore's retry modes (boto3 guide, "Retries") for a ``store: aws`` DynamoDB source."""

    STANDARD = "standard"
    ADAPTIVE = "adaptive"
    LEGACY = "legacy"


AWS_STORE_KEYS = (
    *["endpoint", "profile", "retryMode", "nextTokenSecret", "maxConnections", "maxAttempts"],
    *["connectTimeout", "readTimeout"],
)
"""DynamoDB data source keys that only mean something with ``store: aws``."""


class DefaultAction(StrEnum):
    ALLOW = "ALLOW"
    DENY = "DENY"


class CacheInstanceType(StrEnum):
    SMALL = "SMALL"
    MEDIUM = "MEDIUM"
    LARGE = "LARGE"
    XLARGE = "XLARGE"
    LARGE_2X = "LARGE_2X"
    LARGE_4X = "LARGE_4X"
    LARGE_8X = "LARGE_8X"
    LARGE_12X = "LARGE_12X"


class Projection(StrEnum):
    ALL = "ALL"
    KEYS_ONLY = "KEYS_ONLY"
    INCLUDE = "INCLUDE"


def load_definition(api_dir: Path, env: Mapping[str, str] | None = None) -> ApiDefinition:
    """Read ``api_dir/syncline.yml`` (or ``api_dir`` itself when it is the file).

    ``env`` resolves ``${env:NAME}`` references (default: ``os.environ``). Raises
    `InvalidDefinition` carrying every problem found, each with its ``file:line``.
    """
    api_dir = Path(api_dir)
    config_file = api_dir if api_dir.is_file() else api_dir / CONFIG_FILE
    problems = Problems()
    document = read_document(config_file, os.environ if env is None else env, problems)
    definition = None if document is None else _Reader(config_file, problems).read(document)
    if problems or definition is None:
        raise InvalidDefinition(problems.errors)
    return definition


def _present(entries: Mapping[str, _T | None]) -> dict[str, _T]:
    return {name: value for name, value in entries.items() if value is not None}


class _Reader:
    """Reads the document block by block; each block may refer to those read before it.

    Entries that failed to parse stay in the name maps as None, so a reference to them is not
    reported a second time as unknown.
    """

    def __init__(self, config_file: Path, problems: Problems) -> None:
        self.config_file = config_file
        self.problems = problems
        self.files = _SourceFiles(config_file.parent, problems)
        self.functions: dict[str, LocalFunction | None] = {}
        self.services: dict[str, LocalService | None] = {}
        self.data_sources: dict[str, DataSource | None] = {}
        self.pipeline_functions: dict[str, PipelineFunction | None] = {}

    def error(self, node: Node, message: str) -> None:
        self.problems.add(node.location, message)

    def entries(self, node: Node | None, what: str) -> Iterator[tuple[str, Node]]:
        return named_entries(node, what, self.problems)

    def read(self, document: Node) -> ApiDefinition | None:
        top = Block.of(document, self.problems, TOP_LEVEL_KEYS)
        app = top and Block.of(top.require("appSync"), self.problems, APPSYNC_KEYS, ("name",))
        if top is None or app is None:
            return None
        for name, node in self.entries(top.get("functions"), "local function"):
            self.functions[name] = self.local_function(name, node)
        for name, node in self.entries(top.get("services"), "service"):
            self.services[name] = self.service(name, node)
        tables = {
            name: self.table(name, node) for name, node in self.entries(top.get("tables"), "table")
        }
        app.node_of("name", Shape.STRING)
        for key, shape in IGNORED_PLUGIN_KEYS.items():
            app.node_of(key, shape)
        api_name = app.string("name") or ""
        schema = self.files.schema(app)
        authentication = self.auth(app.require("authentication"), default=True)
        additional = self.additional_auths(app.get("additionalAuthentications"), authentication)
        modes = {p.mode for p in (authentication, *additional) if p}
        if authentication and authentication.config.get("defaultAction") == "DENY" and additional:
            # AppSync: a Cognito default mode needs defaultAction ALLOW with additional modes.
            message = "defaultAction DENY is not allowed with additionalAuthentications; use ALLOW"
            self.problems.add(authentication.location, message)
        api_keys = self.api_keys(app, api_name, AuthMode.API_KEY in modes)
        for name, node in self.entries(app.get("dataSources"), "data source"):
            self.data_sources[name] = self.data_source(name, node)
        for name, node in self.entries(app.get("pipelineFunctions"), "pipeline function"):
            self.pipeline_functions[name] = self.pipeline_function(name, node)
        resolvers = self.resolvers(app.get("resolvers"))
        limits = self.limits(
            app, Block.of(top.get("server"), self.problems, ("maxRequestBodyBytes",))
        )
        caching = self.api_caching(app.get("caching"))
        substitutions, environment = app.string_map("substitutions"), self.environment(app)
        if self.problems or authentication is None:
            return None
        return ApiDefinition(
            root=self.config_file.parent,
            config_file=self.config_file,
            name=api_name,
            schema=schema,
            authentication=authentication,
            additional_authentications=tuple(p for p in additional if p),
            api_keys=api_keys,
            data_sources=_present(self.data_sources),
            resolvers=resolvers,
            pipeline_functions=_present(self.pipeline_functions),
            caching=caching,
            substitutions=substitutions,
            tables=_present(tables),
            functions=_present(self.functions),
            limits=limits,
            environment=environment,
            services=_present(self.services),
        )

    def limits(self, app: Block, server: Block | None) -> Limits:
        max_body = server.integer("maxRequestBodyBytes", 1, 2**31) if server else None
        return Limits(
            query_depth_limit=app.integer("queryDepthLimit", 1, 75) or 0,
            resolver_count_limit=app.integer("resolverCountLimit", 1, 10000) or 0,
            introspection=app.boolean("introspection", True),
            max_body_bytes=max_body or Limits().max_body_bytes,
        )

    # --- Syncline's own blocks: functions, tables ---------------------------------------------

    def local_function(self, name: str, node: Node) -> LocalFunction | None:
        known = ("handler", "timeout", "memorySize", "environment", "description")
        known_here = (*known, "runtime", "reservedConcurrency", "aws")  # the last three: Syncline's
        block = Block.of(node, self.problems, known_here)
        if block is None:
            return None
        block.node_of("description", Shape.STRING)
        timeout, memory = block.number("timeout", 1, 900), block.integer("memorySize", 128, 10240)
        environment = block.string_map("environment")
        runtime = block.choice("runtime", FunctionRuntime) or FunctionRuntime.LOCAL
        concurrency = block.integer("reservedConcurrency", 1, 64)
        aws = self.aws_target(name, block.get("aws"))
        if runtime is FunctionRuntime.LOCAL:
            block.require("handler")
        handler = block.node_of("handler", Shape.STRING)
        if handler is not None and not self.files.check_handler(handler):
            return None
        if handler is None and runtime is FunctionRuntime.LOCAL:
            return None
        timeout = 6.0 if timeout is None else float(timeout)
        handler_text = str(handler.value()) if handler is not None else ""
        return LocalFunction(
            name,
            handler_text,
            timeout,
            memory or 1024,
            environment,
            node.location,
            runtime=runtime,
            reserved_concurrency=concurrency,
            aws=aws if runtime is FunctionRuntime.AWS else None,
        )

    def aws_target(self, name: str, node: Node | None) -> AwsFunctionTarget:
        """``aws:`` of a function: the deployed function (default: the same name) and its client."""
        block = Block.of(node, self.problems, AWS_FUNCTION_KEYS) if node else None
        if block is None:
            return AwsFunctionTarget(function_name=name)
        self.check_credentials(block)
        endpoint = block.string("endpointUrl")
        if endpoint and not endpoint.startswith(("http://", "https://")):
            message = f"expected an http:// or https:// URL for 'endpointUrl', got '{endpoint}'"
            self.error(block.children["endpointUrl"], message)
        return AwsFunctionTarget(
            function_name=block.string("functionName") or name,
            qualifier=block.string("qualifier"),
            region=block.string("region"),
            endpoint_url=endpoint,
            profile=block.string("profile"),
            access_key_id=block.string("accessKeyId"),
            secret_access_key=block.string("secretAccessKey"),
            session_token=block.string("sessionToken"),
            max_connections=block.integer("maxConnections", 1, 1000) or 10,
        )

    def check_credentials(self, block: Block) -> None:
        """An access key id and its secret come together (a session token is optional)."""
        has_id, has_secret = "accessKeyId" in block.children, "secretAccessKey" in block.children
        if has_id != has_secret:
            missing = "secretAccessKey" if has_id else "accessKeyId"
            self.error(block.node, f"missing required key '{missing}' in {block.node.name}")

    def service(self, name: str, node: Node) -> LocalService | None:
        block = Block.of(node, self.problems, {"app": Shape.STRING, "description": Shape.STRING})
        app = block.require("app") if block else None
        if app is None or not expect(app, Shape.STRING, self.problems):
            return None
        if not self.files.check_handler(app, what="app"):
            return None
        return LocalService(name, str(app.value()), node.location)

    def table(self, name: str, node: Node) -> Table | None:
        known = "partitionKey sortKey globalSecondaryIndexes localSecondaryIndexes ttlAttribute"
        block = Block.of(node, self.problems, known.split(), ("partitionKey",))
        if block is None:
            return None
        partition_key = block.string("partitionKey")
        key = KeySchema(partition_key or "", block.string("sortKey"))
        gsis = self.indexes(block.get("globalSecondaryIndexes"), None, 20)
        lsis = self.indexes(block.get("localSecondaryIndexes"), key, 5)
        ttl_attribute = block.string("ttlAttribute")
        return Table(name, key, gsis, lsis, ttl_attribute, node.location) if partition_key else None

    def indexes(
        self, node: Node | None, table: KeySchema | None, limit: int
    ) -> tuple[SecondaryIndex, ...]:
        """GSIs (``table`` None) or LSIs, which share the table's partition key (DynamoDB)."""
        elements = node.elements() if node and expect(node, Shape.LIST, self.problems) else []
        if node and len(elements) > limit:
            self.error(node, f"a table has at most {limit} {node.key} (DynamoDB limit)")
        indexes: list[SecondaryIndex] = []
        for element in elements:
            required = ("name", "sortKey") if table else ("name", "partitionKey")
            block = Block.of(
                element,
                self.problems,
                {
                    **_keys(Shape.STRING, "name partitionKey sortKey projection"),
                    "nonKeyAttributes": Shape.LIST,
                },
                required,
            )
            if block is None:
                continue
            partition_key = block.string("partitionKey")
            if table and table.partition_key and partition_key not in (None, table.partition_key):
                self.error(
                    element, f"a local index uses the table's partition key '{table.partition_key}'"
                )
            projection = block.choice("projection", Projection) or Projection.ALL
            # DynamoDB: NonKeyAttributes go with (and only with) ProjectionType INCLUDE.
            included = block.strings("nonKeyAttributes")
            if (projection is Projection.INCLUDE) != bool(included):
                self.error(
                    element,
                    "projection INCLUDE needs nonKeyAttributes, and nonKeyAttributes need "
                    "projection INCLUDE",
                )
            index_name, sort_key = block.string("name"), block.string("sortKey")
            key = KeySchema(table.partition_key if table else partition_key or "", sort_key)
            if index_name and key.partition_key and (sort_key or not table):
                indexes.append(SecondaryIndex(index_name, key, projection.value, included))
        return tuple(indexes)

    # --- appSync: authentication and API keys --------------------------------------------------

    def additional_auths(
        self, node: Node | None, default: AuthProvider | None
    ) -> list[AuthProvider | None]:
        elements = node.elements() if node and expect(node, Shape.LIST, self.problems) else []
        providers = [self.auth(element, default=False) for element in elements]
        seen = {default.mode} if default else set()
        for provider in filter(None, providers):
            if provider.mode in _SINGLE_MODES and provider.mode in seen:
                message = f"authentication mode {provider.mode} is configured twice"
                self.problems.add(provider.location, message)
            seen.add(provider.mode)
        return providers

    def auth(self, node: Node | None, *, default: bool) -> AuthProvider | None:
        block = Block.of(node, self.problems, ("type", "config"), ("type",))
        mode = block.choice("type", AuthMode) if block else None
        if block is None or mode is None:
            return None
        needs_config = mode not in (AuthMode.API_KEY, AuthMode.AWS_IAM)
        config_node = block.require("config") if needs_config else block.get("config")
        required = _REQUIRED_CONFIG.get(mode, ())
        config = Block.of(config_node, self.problems, AUTH_CONFIG[mode], required)
        if config is None:
            return None if needs_config else AuthProvider(mode, {}, block.node.location)
        values = dict(config.node.value())
        if mode is AuthMode.AMAZON_COGNITO_USER_POOLS:
            self.cognito_default_action(config, default)
            values.setdefault("defaultAction", DefaultAction.ALLOW.value)
            config.regex("appIdClientRegex")
        elif mode is AuthMode.OPENID_CONNECT:
            config.regex("clientId")  # AppSync matches it as a regular expression
        elif mode is AuthMode.AWS_LAMBDA:
            self.check_lambda_target(config)
            config.regex("identityValidationExpression")
            ttl = config.integer("authorizerResultTtlInSeconds", 0, 3600)
            values["authorizerResultTtlInSeconds"] = 300 if ttl is None else ttl
        elif mode is AuthMode.AWS_IAM:
            self.check_access_keys(config.node_of("accessKeys", Shape.LIST))
        return AuthProvider(mode, values, block.node.location)

    def cognito_default_action(self, config: Block, default: bool) -> None:
        action = config.get("defaultAction")
        if action is not None and not default:
            self.error(action, "'defaultAction' is only allowed on the default authentication")
        elif action is not None:
            enum_value(action, DefaultAction, self.problems)

    def check_lambda_target(self, config: Block) -> None:
        """A Lambda authorizer or data source names a local function, or an ARN."""
        if "function" in config.children:
            message = "inline function definitions are not supported; declare it under functions:"
            self.error(config.children["function"], message)
            return
        name_node, arn = config.node_of("functionName", Shape.STRING), config.get("functionArn")
        if "functionName" not in config.children and arn is None:
            self.error(config.node, f"{config.node.name} needs functionName or functionArn")
        elif name_node is not None and arn is None and name_node.value() not in self.functions:
            hint = did_you_mean(str(name_node.value()), self.functions)
            self.error(name_node, f"no local function '{name_node.value()}' in functions:{hint}")

    def check_access_keys(self, node: Node | None) -> None:
        """Syncline's ``accessKeys: [{accessKeyId, secretAccessKey, region, accountId, userArn,
        username, sessionToken}]``: the key pairs whose SigV4 signatures Syncline verifies."""
        names = "accessKeyId secretAccessKey region accountId userArn username sessionToken"
        seen: set[str] = set()
        for element in node.elements() if node else []:
            block = Block.of(
                element,
                self.problems,
                _keys(Shape.STRING, names),
                ("accessKeyId", "secretAccessKey"),
            )
            key_id = block.string("accessKeyId") if block else None
            if key_id is not None and key_id in seen:
                self.error(element, f"access key '{key_id}' is declared twice")
            seen.add(key_id or "")

    def api_keys(self, app: Block, api_name: str, enabled: bool) -> tuple[ApiKey, ...]:
        """Keys exist only when API_KEY is one of the modes, as with the plugin."""
        node = app.node_of("apiKeys", Shape.LIST)
        keys: dict[str, ApiKey] = {}
        for element in node.elements() if node else []:
            key = self.api_key(element, api_name)
            first = keys.get(key.name) if key else None
            if first is not None:
                message = f"duplicate API key name '{first.name}' (first defined at line {first.location.line})"
                self.error(element, message)
            elif key is not None:
                keys[key.name] = key
        if enabled and "apiKeys" not in app.children:
            # Deviation: the plugin (v2) creates no key then; a local server would be unusable,
            # so Syncline declares 'Default' as plugin v1 did.
            value = _derived_key(api_name, "Default")
            keys["Default"] = ApiKey("Default", value, None, None, app.node.location)
        return tuple(keys.values()) if enabled else ()

    def api_key(self, node: Node, api_name: str) -> ApiKey | None:
        if node.is_shape(Shape.STRING):
            text = str(node.value())
            return ApiKey(text, _derived_key(api_name, text), None, None, node.location)
        known = {
            **_keys(Shape.STRING, "name description value"),
            **_keys(Shape.ANY, "expiresAfter expiresAt"),
            "wafRules": Shape.LIST,
        }
        block = Block.of(node, self.problems, known, ("name",))
        name = block.string("name") if block else None
        if block is None or name is None:
            return None
        value = block.string("value") or _derived_key(api_name, name)
        return ApiKey(name, value, block.string("description"), self.expiry(block), node.location)

    def expiry(self, block: Block) -> datetime | None:
        """``expiresAfter`` (which wins) counts from now, ``expiresAt`` is rounded down to the hour,
        as AppSync does. Deviation: with neither, a local key never expires (plugin: 365d)."""
        after, at = block.get("expiresAfter"), block.get("expiresAt")
        if after is not None:
            match = _DURATION.fullmatch(str(after.value()))
            if match is None:
                got = after.describe()
                self.error(
                    after, f"expected a duration like 30d or 1y for 'expiresAfter', got {got}"
                )
                return None
            now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            return now + timedelta(hours=int(match.group(1)) * _HOURS[match.group(2)])
        if at is None:
            return None
        value = at.value()
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            self.error(at, f"expected an ISO date-time for 'expiresAt', got {at.describe()}")
            return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.replace(minute=0, second=0, microsecond=0)

    # --- appSync: data sources, pipeline functions, resolvers ---------------------------------

    def data_source(self, name: str, node: Node) -> DataSource | None:
        block = Block.of(node, self.problems, ("type", "description", "config"), ("type",))
        kind = block.choice("type", DataSourceKind) if block else None
        if block is None or kind is None:
            return None
        required = _REQUIRED_CONFIG.get(kind, ())
        needs_config = bool(required) or kind is DataSourceKind.AWS_LAMBDA
        config_node = block.require("config") if needs_config else block.get("config")
        config = Block.of(config_node, self.problems, DATA_SOURCE_CONFIG[kind], required)
        if kind is DataSourceKind.AWS_LAMBDA and config is not None:
            self.check_lambda_target(config)
        endpoint = config.node_of("endpoint", Shape.STRING) if config else None
        if endpoint and not str(endpoint.value()).startswith(("http://", "https://")):
            self.error(
                endpoint,
                f"expected an http:// or https:// URL for 'endpoint', got {endpoint.describe()}",
            )
        if kind is DataSourceKind.HTTP and config is not None:
            self.check_http_config(config, block.node)
        if kind is DataSourceKind.AMAZON_DYNAMODB and config is not None:
            self.check_dynamodb_config(config)
        values = dict(config.node.value()) if config else {}
        return DataSource(name, kind, values, block.string("description"), node.location)

    def check_dynamodb_config(self, config: Block) -> None:
        """``store`` (embedded or aws); boto3's knobs only with ``store: aws``."""
        store = config.choice("store", TableStoreKind) or TableStoreKind.EMBEDDED
        if store is TableStoreKind.EMBEDDED:
            for key in AWS_STORE_KEYS:
                if key in config.children:
                    self.error(config.children[key], f"'{key}' needs 'store: aws'")
            return
        config.integer("maxConnections", 1, 1000)
        config.integer("maxAttempts", 1, 20)
        config.number("connectTimeout", 0.001, 300)
        config.number("readTimeout", 0.001, 900)
        config.choice("retryMode", RetryMode)
        secret = config.node_of("nextTokenSecret", Shape.STRING)
        if secret is not None and len(str(secret.value())) < 16:
            self.error(secret, "'nextTokenSecret' needs at least 16 characters")

    def check_http_config(self, config: Block, where: Node) -> None:
        """``endpoint`` or (Syncline's own) ``service``, and AppSync's ``authorizationConfig``."""
        endpoint, service = config.get("endpoint"), config.node_of("service", Shape.STRING)
        if endpoint is None and "service" not in config.children:
            self.error(config.node, f"missing required key 'endpoint' in {config.node.name}")
        elif endpoint is not None and service is not None:
            self.error(service, "give 'endpoint' or 'service', not both")
        if service is not None and service.value() not in self.services:
            hint = did_you_mean(str(service.value()), self.services)
            self.error(service, f"no service '{service.value()}' in services:{hint}")
        config.number("timeout", 0.001, 900)
        config.integer("maxResponseBytes", 1, 2**31)
        Block.of(
            config.get("credentials"),
            self.problems,
            _CREDENTIAL_KEYS,
            ("accessKeyId", "secretAccessKey"),
        )
        authorization = Block.of(
            config.get("authorizationConfig"),
            self.problems,
            {"authorizationType": Shape.STRING, "awsIamConfig": Shape.MAPPING},
            ("authorizationType",),
        )
        if authorization is None:
            return
        authorization.choice("authorizationType", HttpAuthorizationType)
        # Checked for shape and required keys here; the data source reads the values.
        Block.of(
            authorization.require("awsIamConfig"),
            self.problems,
            _keys(Shape.STRING, "signingRegion signingServiceName"),
            ("signingRegion", "signingServiceName"),
        )

    def data_source_ref(self, node: Node) -> DataSourceKind | None:
        """Check that ``node`` names a declared data source; return its kind if it parsed."""
        if node.is_shape(Shape.MAPPING):
            message = "inline data source definitions are not supported; declare it under appSync.dataSources"
            self.error(node, message)
            return None
        if not expect(node, Shape.STRING, self.problems):
            return None
        name = str(node.value())
        if name not in self.data_sources:
            self.error(node, f"unknown data source '{name}'{did_you_mean(name, self.data_sources)}")
            return None
        source = self.data_sources[name]
        return source.kind if source else None

    def code_for(
        self, node: Node | None, source: DataSourceKind | None, what: str, where: Node
    ) -> Path | None:
        """AppSync: only a Lambda data source runs without code (a direct Lambda resolver)."""
        if node is None and source not in (None, DataSourceKind.AWS_LAMBDA):
            message = "needs code: with request and response (only AWS_LAMBDA can go without)"
            self.error(where, f"{what} {message}")
        return self.files.code(node)

    def reject_unsupported(self, block: Block) -> None:
        for key, message in UNSUPPORTED_RESOLVER_KEYS.items():
            if key in block.children:
                self.error(block.children[key], message)

    def pipeline_function(self, name: str, node: Node) -> PipelineFunction | None:
        what = f"pipeline function '{name}'"
        if node.is_shape(Shape.STRING):  # the plugin's shorthand: the value is the data source
            self.code_for(None, self.data_source_ref(node), what, node)
            return PipelineFunction(name, str(node.value()), None, None, node.location)
        known = (*PIPELINE_FUNCTION_KEYS, *UNSUPPORTED_RESOLVER_KEYS)
        block = Block.of(node, self.problems, known, ("dataSource",))
        if block is None:
            return None
        self.reject_unsupported(block)
        block.node_of("description", Shape.STRING)
        source_node = block.get("dataSource")
        source = self.data_source_ref(source_node) if source_node else None
        code = self.code_for(block.get("code"), source, what, node)
        max_batch_size = block.integer("maxBatchSize", 1, 2000)
        source_name = (
            block.string("dataSource")
            if source_node and source_node.is_shape(Shape.STRING)
            else None
        )
        if source_name is None:
            return None
        return PipelineFunction(name, source_name, code, max_batch_size, node.location)

    def resolvers(self, node: Node | None) -> dict[FieldCoordinate, Resolver]:
        resolvers: dict[FieldCoordinate, Resolver] = {}
        for key, value in self.entries(node, "resolver"):
            resolver = self.resolver(key, value)
            first = resolvers.get(resolver.coordinate) if resolver else None
            if first is not None:
                message = f"duplicate resolver for {first.coordinate} (first defined at line {first.location.line})"
                self.error(value, message)
            elif resolver is not None:
                resolvers[resolver.coordinate] = resolver
                self.files.check_field(resolver.coordinate, value)
        return resolvers

    def resolver(self, key: str, node: Node) -> Resolver | None:
        if node.is_shape(Shape.STRING):  # the plugin's shorthand: a UNIT resolver's data source
            coordinate = self.coordinate(key, None, None, node)
            self.code_for(None, self.data_source_ref(node), f"UNIT resolver {key}", node)
            if coordinate is None:
                return None
            unit, name = ResolverKind.UNIT, str(node.value())
            return Resolver(coordinate, unit, name, None, (), None, None, node.location)
        block = Block.of(node, self.problems, (*RESOLVER_KEYS, *UNSUPPORTED_RESOLVER_KEYS))
        if block is None:
            return None
        self.reject_unsupported(block)
        coordinate = self.coordinate(key, block.string("type"), block.string("field"), node)
        # Deviation, of sorts: plugin v2 defaults `kind` to PIPELINE, but its own quick-start
        # form (a dataSource and no functions) only works as UNIT, so that form stays UNIT.
        unit_form = "dataSource" in block.children and "functions" not in block.children
        default_kind = ResolverKind.UNIT if unit_form else ResolverKind.PIPELINE
        kind = block.choice("kind", ResolverKind) or default_kind
        caching = self.resolver_caching(block.get("caching"))
        max_batch_size = block.integer("maxBatchSize", 1, 2000)
        functions: tuple[str, ...] = ()
        source: str | None = None
        if kind is ResolverKind.UNIT:
            source, code = self.unit_parts(block, key)
        else:
            code, functions = self.files.code(block.get("code")), self.pipeline_parts(block)
        if coordinate is None:
            return None
        return Resolver(
            coordinate, kind, source, code, functions, caching, max_batch_size, node.location
        )

    def coordinate(
        self, key: str, type_name: str | None, field: str | None, node: Node
    ) -> FieldCoordinate | None:
        """The plugin's two forms: a ``Type.field`` key, or any key with ``type`` and ``field``."""
        if _COORDINATE.fullmatch(key):
            from_key = FieldCoordinate.parse(key)
            return FieldCoordinate(type_name or from_key.type_name, field or from_key.field_name)
        if type_name and field:
            return FieldCoordinate(type_name, field)
        self.error(
            node, f"resolver '{key}' needs 'type' and 'field', or a key written 'Type.field'"
        )
        return None

    def unit_parts(self, block: Block, key: str) -> tuple[str | None, Path | None]:
        if "functions" in block.children:
            self.error(
                block.children["functions"], "'functions' applies to PIPELINE resolvers only"
            )
        source_node = block.get("dataSource")
        if source_node is None:
            self.error(block.node, f"UNIT resolver {key} needs a dataSource")
            return None, self.files.code(block.get("code"))
        source = self.data_source_ref(source_node)
        code = self.code_for(block.get("code"), source, f"UNIT resolver {key}", block.node)
        return (str(source_node.value()) if source_node.is_shape(Shape.STRING) else None), code

    def pipeline_parts(self, block: Block) -> tuple[str, ...]:
        if "dataSource" in block.children:
            message = "'dataSource' applies to UNIT resolvers only; pipeline functions name theirs"
            self.error(block.children["dataSource"], message)
        node = block.node_of("functions", Shape.LIST)
        elements = node.elements() if node else []
        if node and len(elements) > PIPELINE_FUNCTION_LIMIT:
            message = f"a pipeline runs at most {PIPELINE_FUNCTION_LIMIT} functions (AppSync limit), got {len(elements)}"
            self.error(node, message)
        for element in elements:
            name = str(element.value()) if element.is_shape(Shape.STRING) else None
            if element.is_shape(Shape.MAPPING):
                message = "inline pipeline functions are not supported; declare it under appSync.pipelineFunctions"
                self.error(element, message)
            elif name is not None and name not in self.pipeline_functions:
                hint = did_you_mean(name, self.pipeline_functions)
                self.error(element, f"unknown pipeline function '{name}'{hint}")
            elif name is None:
                expect(element, Shape.STRING, self.problems)
        return tuple(str(e.value()) for e in elements if e.is_shape(Shape.STRING))

    def resolver_caching(self, node: Node | None) -> ResolverCaching | None:
        """``caching: true`` (the API's TTL, no keys) or ``{ttl, keys}``."""
        if node is not None and node.is_shape(Shape.BOOLEAN):
            return ResolverCaching(None, (), node.location) if node.value() else None
        block = Block.of(node, self.problems, ("ttl", "keys"))
        if block is None:
            return None
        ttl, keys = block.integer("ttl", 1, 3600), block.strings("keys")
        if len(keys) > CACHING_KEY_LIMIT:
            message = f"at most {CACHING_KEY_LIMIT} caching keys are allowed (AppSync limit), got {len(keys)}"
            self.error(block.children["keys"], message)
        for key in keys:
            if not key.startswith(_CACHING_KEY_PREFIXES):
                allowed = ", ".join(_CACHING_KEY_PREFIXES)
                self.error(
                    block.children["keys"], f"caching key '{key}' must start with one of {allowed}"
                )
        return ResolverCaching(ttl, keys, block.node.location)

    # --- appSync: caching, environment --------------------------------------------------------

    def api_caching(self, node: Node | None) -> ApiCaching | None:
        known = {
            **_keys(Shape.ANY, "behavior type"),
            **_keys(Shape.BOOLEAN, "enabled atRestEncryption transitEncryption"),
            "ttl": Shape.INTEGER,
        }
        block = Block.of(node, self.problems, known, ("behavior",))
        if block is None:
            return None
        behavior = block.choice("behavior", CachingBehavior)
        instance_type = block.choice("type", CacheInstanceType) or CacheInstanceType.SMALL
        ttl = block.integer("ttl", 1, 3600)
        if not block.boolean("enabled", True) or behavior is None:
            return None
        return ApiCaching(
            behavior, 3600 if ttl is None else ttl, instance_type.value, block.node.location
        )

    def environment(self, app: Block) -> dict[str, str]:
        """AppSync environment variables (``ctx.env``): names of 2-64 letters, digits and _."""
        variables = app.string_map("environment")
        for name in variables:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{1,63}", name):
                self.error(
                    app.children["environment"], f"invalid environment variable name '{name}'"
                )
        return variables


class _SourceFiles:
    """The files a definition points at: schema files and Python modules, read, never run."""

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = root
        self.problems = problems
        self.fields: dict[str, set[str]] | None = {}
        """Fields of each object type (with ``extend type``); None once the schema is broken."""
        self._names: dict[Path, frozenset[str] | None] = {}

    def schema(self, app: Block) -> tuple[SchemaSource, ...]:
        """``schema``: a path, a glob pattern, or a list of them (default ``schema.graphql``)."""
        node = app.get("schema")
        patterns: list[Node | None] = [node]
        if node and node.is_shape(Shape.LIST):
            patterns = list(node.elements())
        paths: dict[Path, None] = {}
        for pattern_node in patterns:
            if pattern_node and not expect(pattern_node, Shape.STRING, self.problems):
                continue
            pattern = str(pattern_node.value()) if pattern_node else "schema.graphql"
            where = (pattern_node or app.node).location
            if any(char in pattern for char in "*?["):
                matches = sorted(path for path in self.root.glob(pattern) if path.is_file())
                paths.update(dict.fromkeys(matches))
                if not matches:
                    self.problems.add(where, f"schema pattern '{pattern}' matched no files")
            elif (self.root / pattern).is_file():
                paths[self.root / pattern] = None
            else:
                self.problems.add(where, f"schema file '{pattern}' not found")
        sources = tuple(filter(None, map(self.schema_source, paths)))
        if len(sources) < len(paths) or not sources:
            self.fields = None
        return sources

    def schema_source(self, path: Path) -> SchemaSource | None:
        try:
            source = SchemaSource(path, path.read_text("utf-8"))
            document = graphql.parse(source.text)
        except (OSError, UnicodeError) as error:
            self.problems.add(Location(path, 1), f"cannot read the schema file: {error}")
            return None
        except graphql.GraphQLError as error:
            self.problems.add(
                Location(path, error.locations[0].line if error.locations else 1), error.message
            )
            return None
        for definition in document.definitions:
            if self.fields is not None and isinstance(
                definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode
            ):
                fields = self.fields.setdefault(definition.name.value, set())
                fields.update(field.name.value for field in definition.fields or ())
        return source

    def check_field(self, coordinate: FieldCoordinate, node: Node) -> None:
        if self.fields is None:  # the schema is broken or missing, which was reported
            return
        type_name, field_name = coordinate.type_name, coordinate.field_name
        fields = self.fields.get(type_name)
        if fields is None:
            hint = did_you_mean(type_name, self.fields)
            self.problems.add(node.location, f"no type '{type_name}' in the schema{hint}")
        elif field_name not in fields:
            hint = did_you_mean(field_name, fields)
            message = f"no field '{field_name}' on type '{type_name}' in the schema{hint}"
            self.problems.add(node.location, message)

    def code(
        self, node: Node | None, needs: tuple[str, ...] = ("request", "response")
    ) -> Path | None:
        """A resolver or function ``code:`` module, which must define ``needs`` at top level."""
        if node is None or not expect(node, Shape.STRING, self.problems):
            return None
        relative = str(node.value())
        if relative.endswith((".js", ".mjs", ".ts")):
            message = f"code file '{relative}': JavaScript resolvers are not supported; write a Python module"
            self.problems.add(node.location, message)
            return None
        names = self.defined_names(self.root / relative, node, f"code file '{relative}'")
        missing = " or ".join(
            f"'{name}'" for name in needs if names is not None and name not in names
        )
        if missing:
            self.problems.add(
                node.location, f"code file '{relative}' has no top-level function {missing}"
            )
        return self.root / relative

    def check_handler(self, node: Node, what: str = "handler") -> bool:
        """A Lambda handler string, ``path/to/module.function`` (dots also separate folders);
        with ``what="app"``, a service's ``path/to/module.attribute``."""
        module, _, function = str(node.value()).rpartition(".")
        if not module or not function:
            message = f"{what} must be 'path/to/module.{'function' if what == 'handler' else 'attribute'}', got {node.describe()}"
            self.problems.add(node.location, message)
            return False
        relative = module.replace(".", "/") + ".py"
        names = self.defined_names(self.root / relative, node, f"{what} module '{relative}'")
        if names is not None and function not in names:
            thing = "function" if what == "handler" else "name"
            message = f"{what} module '{relative}' has no top-level {thing} '{function}'"
            self.problems.add(node.location, message)
        return True

    def defined_names(self, path: Path, node: Node, what: str) -> frozenset[str] | None:
        """Names a module binds at top level, read with `ast`; None if it cannot be read."""
        if path in self._names:
            return self._names[path]
        self._names[path] = None
        if not path.is_file():
            self.problems.add(node.location, f"{what} not found")
            return None
        try:
            module = ast.parse(path.read_bytes(), filename=str(path))
        except SyntaxError as error:
            self.problems.add(
                Location(path, error.lineno or 1), f"Python syntax error: {error.msg}"
            )
            return None
        except ValueError as error:  # e.g. a null byte
            self.problems.add(Location(path, 1), f"cannot parse Python: {error}")
            return None
        self._names[path] = frozenset(_bound_names(module))
        return self._names[path]


def _bound_names(module: ast.Module) -> Iterator[str]:
    for statement in module.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield statement.name
        elif isinstance(statement, ast.Assign):
            yield from (target.id for target in statement.targets if isinstance(target, ast.Name))
        elif isinstance(statement, ast.ImportFrom):
            yield from (alias.asname or alias.name for alias in statement.names)


def _derived_key(api_name: str, key_name: str) -> str:
    """A stable value for an API key declared without ``value:``, in AppSync's ``da2-`` form."""
    return "da2-" + hashlib.sha256(f"{api_name}/{key_name}".encode()).hexdigest()[:26]
