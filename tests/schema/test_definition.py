"""`schema.definition.load_definition`: syncline.yml -> ApiDefinition, and every error's file:line.

Each API folder is written into ``tmp_path`` by the test. In YAML fixtures, ``#!`` marks the
line an error must be reported at.
"""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from schema.definition import load_definition
from schema.errors import InvalidDefinition
from schema.model import (
    ApiCaching,
    ApiDefinition,
    ApiKey,
    AuthMode,
    AuthProvider,
    CachingBehavior,
    DataSource,
    DataSourceKind,
    FieldCoordinate,
    KeySchema,
    Limits,
    LocalFunction,
    Location,
    PipelineFunction,
    Resolver,
    ResolverCaching,
    ResolverKind,
    SecondaryIndex,
    Table,
)

SCHEMA = """\
type Query {
  getOrder(id: ID!): Order
  listOrders(customerId: ID!): [Order!]!
}
type Mutation {
  placeOrder(customerId: ID!): Order!
}
type Order {
  id: ID!
  customerId: ID!
}
"""
CODE = """\
def request(ctx):
    return {}


def response(ctx):
    return ctx.result
"""
HANDLER = """\
def handler(event, context):
    return event
"""
FILES = {
    "schema.graphql": SCHEMA,
    "resolvers/getOrder.py": CODE,
    "resolvers/save.py": CODE,
    "lambdas/payments.py": HANDLER,
}

FULL = """\
appSync:
  name: orders
  schema: schema.graphql
  authentication:
    type: API_KEY
  additionalAuthentications:
    - type: AMAZON_COGNITO_USER_POOLS
      config:
        userPoolId: us-east-1_local
        appIdClientRegex: "^web$"
    - type: AWS_IAM
      config:
        accessKeys:
          - accessKeyId: AKIASYNCLINEEXAMPLE
            secretAccessKey: syncline-example-secret-access-key
            region: us-east-1
  apiKeys:
    - name: local
      description: The example's key
      value: da2-syncline-local-example-key
      expiresAt: "2031-01-01T10:45:00Z"
    - ci
  dataSources:
    orders:
      type: AMAZON_DYNAMODB
      description: Orders table
      config:
        tableName: ${env:ORDERS_TABLE, Orders}
    payments:
      type: AWS_LAMBDA
      config:
        functionName: processPayment
    carriers:
      type: HTTP
      config:
        endpoint: http://127.0.0.1:8000/carriers
    local:
      type: NONE
  pipelineFunctions:
    processPayment:
      dataSource: payments
      maxBatchSize: 10
    saveOrder:
      dataSource: orders
      code: resolvers/save.py
  resolvers:
    Query.getOrder:
      kind: UNIT
      dataSource: orders
      code: resolvers/getOrder.py
      caching:
        ttl: 60
        keys: [$context.arguments.id]
    listOrdersResolver:
      type: Query
      field: listOrders
      kind: UNIT
      dataSource: payments
    Mutation.placeOrder:
      functions: [processPayment, saveOrder]
      code: resolvers/save.py
  caching:
    behavior: PER_RESOLVER_CACHING
    ttl: ${env:CACHE_TTL, 300}
  substitutions:
    stage: dev
  environment:
    STAGE: dev
  introspection: false
  queryDepthLimit: 10
  resolverCountLimit: 100
  xrayEnabled: true
  tags:
    team: orders
tables:
  Orders:
    partitionKey: id
    sortKey: createdAt
    globalSecondaryIndexes:
      - name: byCustomer
        partitionKey: customerId
        sortKey: createdAt
        projection: KEYS_ONLY
    localSecondaryIndexes:
      - name: byStatus
        sortKey: status
    ttlAttribute: expiresAt
functions:
  processPayment:
    handler: lambdas/payments.handler
    timeout: 10
    environment:
      MODE: test
      RETRIES: 3
server:
  maxRequestBodyBytes: 2048
"""


def write_api(root: Path, config: str, files: dict[str, str] | None = None) -> Path:
    for relative, text in {**FILES, **(files or {})}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "syncline.yml").write_text(textwrap.dedent(config))
    return root


def load(root: Path, config: str, files: dict[str, str] | None = None, **env: str) -> ApiDefinition:
    return load_definition(write_api(root, config, files), env=env)


def errors(root: Path, config: str, files: dict[str, str] | None = None, **env: str) -> list[str]:
    with pytest.raises(InvalidDefinition) as raised:
        load(root, config, files, **env)
    return [str(error) for error in raised.value.errors]


def marked_line(config: str) -> int:
    lines = textwrap.dedent(config).splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.rstrip().endswith("#!"))


def test_full_definition(tmp_path: Path) -> None:
    api = load(tmp_path, FULL)
    here = tmp_path / "syncline.yml"

    def at(line: int) -> Location:
        return Location(here, line)

    assert (api.root, api.config_file, api.name) == (tmp_path, here, "orders")
    assert [(source.path, source.text) for source in api.schema] == [
        (tmp_path / "schema.graphql", SCHEMA)
    ]
    assert api.authentication == AuthProvider(AuthMode.API_KEY, {}, at(4))
    assert api.additional_authentications == (
        AuthProvider(
            AuthMode.AMAZON_COGNITO_USER_POOLS,
            {
                "userPoolId": "us-east-1_local",
                "appIdClientRegex": "^web$",
                "defaultAction": "ALLOW",
            },
            at(7),
        ),
        AuthProvider(
            AuthMode.AWS_IAM,
            {
                "accessKeys": [
                    {
                        "accessKeyId": "AKIASYNCLINEEXAMPLE",
                        "secretAccessKey": "syncline-example-secret-access-key",
                        "region": "us-east-1",
                    }
                ]
            },
            at(11),
        ),
    )
    expires = datetime(2031, 1, 1, 10, tzinfo=UTC)
    local = ApiKey("local", "da2-syncline-local-example-key", "The example's key", expires, at(18))
    assert api.api_keys[0] == local
    assert api.api_keys[1].name == "ci"
    assert api.api_keys[1].value.startswith("da2-")
    assert len(api.api_keys[1].value) == 30
    assert api.data_sources == {
        "orders": DataSource(
            "orders",
            DataSourceKind.AMAZON_DYNAMODB,
            {"tableName": "Orders"},
            "Orders table",
            at(24),
        ),
        "payments": DataSource(
            "payments", DataSourceKind.AWS_LAMBDA, {"functionName": "processPayment"}, None, at(29)
        ),
        "carriers": DataSource(
            "carriers",
            DataSourceKind.HTTP,
            {"endpoint": "http://127.0.0.1:8000/carriers"},
            None,
            at(33),
        ),
        "local": DataSource("local", DataSourceKind.NONE, {}, None, at(37)),
    }
    assert api.pipeline_functions == {
        "processPayment": PipelineFunction("processPayment", "payments", None, 10, at(40)),
        "saveOrder": PipelineFunction(
            "saveOrder", "orders", tmp_path / "resolvers/save.py", None, at(43)
        ),
    }
    get_order, list_orders, place_order = (
        FieldCoordinate("Query", "getOrder"),
        FieldCoordinate("Query", "listOrders"),
        FieldCoordinate("Mutation", "placeOrder"),
    )
    assert api.resolvers == {
        get_order: Resolver(
            get_order,
            ResolverKind.UNIT,
            "orders",
            tmp_path / "resolvers/getOrder.py",
            (),
            ResolverCaching(60, ("$context.arguments.id",), at(51)),
            None,
            at(47),
        ),
        list_orders: Resolver(
            list_orders, ResolverKind.UNIT, "payments", None, (), None, None, at(54)
        ),
        place_order: Resolver(
            place_order,
            ResolverKind.PIPELINE,
            None,
            tmp_path / "resolvers/save.py",
            ("processPayment", "saveOrder"),
            None,
            None,
            at(59),
        ),
    }
    assert api.caching == ApiCaching(CachingBehavior.PER_RESOLVER_CACHING, 300, "SMALL", at(62))
    assert api.substitutions == {"stage": "dev"}
    assert api.environment == {"STAGE": "dev"}
    assert api.limits == Limits(
        query_depth_limit=10, resolver_count_limit=100, introspection=False, max_body_bytes=2048
    )
    assert api.tables == {
        "Orders": Table(
            "Orders",
            KeySchema("id", "createdAt"),
            (SecondaryIndex("byCustomer", KeySchema("customerId", "createdAt"), "KEYS_ONLY"),),
            (SecondaryIndex("byStatus", KeySchema("id", "status"), "ALL"),),
            "expiresAt",
            at(76),
        )
    }
    assert api.functions == {
        "processPayment": LocalFunction(
            "processPayment",
            "lambdas/payments.handler",
            10.0,
            1024,
            {"MODE": "test", "RETRIES": "3"},
            at(89),
        )
    }


def test_env_substitution_uses_the_environment_and_keeps_scalar_types(tmp_path: Path) -> None:
    api = load(tmp_path, FULL, ORDERS_TABLE="prod-orders", CACHE_TTL="120")
    assert api.data_sources["orders"].config == {"tableName": "prod-orders"}
    assert api.caching is not None
    assert api.caching.ttl == 120


def test_api_dir_may_be_the_config_file_and_api_key_values_are_stable(tmp_path: Path) -> None:
    config = """\
        appSync:
          name: orders
          authentication: {type: API_KEY}
        """
    first = load_definition(write_api(tmp_path, config) / "syncline.yml", env={})
    second = load_definition(tmp_path, env={})
    assert first == second
    (default_key,) = first.api_keys
    assert default_key.name == "Default"
    assert default_key.value == second.api_keys[0].value


def test_plugin_alternative_forms(tmp_path: Path) -> None:
    """String shorthands, list-of-mappings blocks, kind inference, anchors and merge keys."""
    config = """\
        appSync:
          name: orders
          schema: "*.graphql"
          authentication:
            type: AWS_LAMBDA
            config: {functionName: processPayment}
          apiKeys: [unused]
          dataSources:
            - payments: {type: AWS_LAMBDA, config: {functionName: processPayment}}
            - orders: &dynamo {type: AMAZON_DYNAMODB, config: {tableName: Orders}}
              archive: {<<: *dynamo, description: Archive}
          pipelineFunctions:
            pay: payments
          resolvers:
            Query.listOrders: payments
            Query.getOrder:
              dataSource: payments
            Mutation.placeOrder:
              functions: [pay]
            Order.status: payments
        functions:
          processPayment: {handler: lambdas.payments.handler}
        """
    extension = "extend type Order {\n  status: String\n}\n"
    api = load(tmp_path, config, {"extra.graphql": extension})
    assert [source.path.name for source in api.schema] == ["extra.graphql", "schema.graphql"]
    assert api.api_keys == ()  # no API_KEY mode, so no keys (as the plugin)
    assert api.authentication.config["authorizerResultTtlInSeconds"] == 300
    assert api.data_sources["archive"].config == {"tableName": "Orders"}
    assert api.data_sources["archive"].description == "Archive"
    assert api.pipeline_functions["pay"].data_source == "payments"
    kinds = {str(c): (r.kind, r.data_source) for c, r in api.resolvers.items()}
    assert kinds == {
        "Query.listOrders": (ResolverKind.UNIT, "payments"),
        "Query.getOrder": (ResolverKind.UNIT, "payments"),
        "Mutation.placeOrder": (ResolverKind.PIPELINE, None),
        "Order.status": (ResolverKind.UNIT, "payments"),
    }


@pytest.mark.parametrize(
    ("mode", "config", "expected"),
    [
        pytest.param("API_KEY", None, {}, id="api-key"),
        pytest.param("AWS_IAM", None, {}, id="iam"),
        pytest.param(
            "AMAZON_COGNITO_USER_POOLS",
            "{userPoolId: pool, awsRegion: eu-west-1, defaultAction: DENY}",
            {"userPoolId": "pool", "awsRegion": "eu-west-1", "defaultAction": "DENY"},
            id="cognito",
        ),
        pytest.param(
            "OPENID_CONNECT",
            "{issuer: 'https://id.example.com', clientId: web, iatTTL: 1000, authTTL: 2000}",
            {
                "issuer": "https://id.example.com",
                "clientId": "web",
                "iatTTL": 1000,
                "authTTL": 2000,
            },
            id="oidc",
        ),
        pytest.param(
            "AWS_LAMBDA",
            "{functionArn: 'arn:aws:lambda:us-east-1:1:function:auth', "
            "identityValidationExpression: '^Bearer ', authorizerResultTtlInSeconds: 0}",
            {
                "functionArn": "arn:aws:lambda:us-east-1:1:function:auth",
                "identityValidationExpression": "^Bearer ",
                "authorizerResultTtlInSeconds": 0,
            },
            id="lambda",
        ),
    ],
)
def test_every_auth_mode_parses(
    tmp_path: Path, mode: str, config: str | None, expected: dict[str, object]
) -> None:
    block = f"{{type: {mode}}}" if config is None else f"{{type: {mode}, config: {config}}}"
    api = load(tmp_path, f"appSync:\n  name: orders\n  authentication: {block}\n")
    assert api.authentication.mode == AuthMode(mode)
    assert dict(api.authentication.config) == expected


def test_expires_after_counts_from_now(tmp_path: Path) -> None:
    config = """\
        appSync:
          name: orders
          authentication: {type: API_KEY}
          apiKeys:
            - {name: short, expiresAfter: 2d}
        """
    (key,) = load(tmp_path, config).api_keys
    assert key.expires_at is not None
    assert timedelta(hours=47) < key.expires_at - datetime.now(UTC) <= timedelta(hours=48)


BASE = """\
appSync:
  name: orders
  authentication:
    type: API_KEY
  dataSources:
    orders:
      type: AMAZON_DYNAMODB
      config:
        tableName: Orders
    payments:
      type: AWS_LAMBDA
      config:
        functionName: processPayment
  pipelineFunctions:
    pay:
      dataSource: payments
    save:
      dataSource: orders
      code: resolvers/save.py
  resolvers:
    Query.getOrder:
      kind: UNIT
      dataSource: orders
      code: resolvers/getOrder.py
{more}
functions:
  processPayment:
    handler: lambdas/payments.handler
"""


def resolver(body: str) -> str:
    """BASE with one more resolver (or other appSync keys), indented under ``resolvers:``."""
    return BASE.replace("{more}", textwrap.indent(textwrap.dedent(body), "    ").rstrip())


def app_keys(body: str) -> str:
    return BASE.replace("{more}", textwrap.indent(textwrap.dedent(body), "  ").rstrip())


ELEVEN = ", ".join(["pay"] * 11)
TWENTY_SIX_KEYS = ", ".join(f"$context.arguments.a{i}" for i in range(26))


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        pytest.param(
            "appSync:\n  name: orders\n    authentication: x #!\n",
            "YAML syntax error: mapping values are not allowed here",
            id="yaml-syntax-error",
        ),
        pytest.param(
            app_keys("dataSource: {} #!"),
            "unknown key 'dataSource' in appSync; did you mean 'dataSources'?",
            id="unknown-key",
        ),
        pytest.param(
            app_keys("caching:\n  behavior: FULL_REQUEST_CACHING\n  ttl: abc #!"),
            "expected an integer for 'ttl', got 'abc'",
            id="wrong-type",
        ),
        pytest.param(
            "appSync:\n  name: orders\n  authentication: {type: API_KEY}\n  name: again #!\n",
            "duplicate key 'name' (first defined at line 2)",
            id="duplicate-yaml-key",
        ),
        pytest.param(
            resolver(
                "Query.listOrders:\n  kind: UNIT\n  dataSource: order #!\n  code: resolvers/getOrder.py"
            ),
            "unknown data source 'order'; did you mean 'orders'?",
            id="resolver-unknown-data-source",
        ),
        pytest.param(
            app_keys("pipelineFunctions:\n  audit:\n    dataSource: paymnts #!"),
            "unknown data source 'paymnts'; did you mean 'payments'?",
            id="pipeline-function-unknown-data-source",
        ),
        pytest.param(
            resolver("Query.getOrdr: #!\n  functions: [pay]"),
            "no field 'getOrdr' on type 'Query' in the schema; did you mean 'getOrder'?",
            id="resolver-unknown-field",
        ),
        pytest.param(
            resolver("Querry.listOrders: #!\n  functions: [pay]"),
            "no type 'Querry' in the schema; did you mean 'Query'?",
            id="resolver-unknown-type",
        ),
        pytest.param(
            resolver(
                "Query.listOrders:\n  kind: UNIT\n  dataSource: orders\n  code: resolvers/nope.py #!"
            ),
            "code file 'resolvers/nope.py' not found",
            id="missing-code-file",
        ),
        pytest.param(
            resolver(
                "Query.listOrders:\n  kind: UNIT\n  dataSource: orders\n  code: resolvers/half.py #!"
            ),
            "code file 'resolvers/half.py' has no top-level function 'response'",
            id="code-without-response",
        ),
        pytest.param(
            resolver("Mutation.placeOrder:\n  functions: [pay]\n  code: resolvers/half.py #!"),
            "code file 'resolvers/half.py' has no top-level function 'response'",
            id="pipeline-code-without-response",
        ),
        pytest.param(
            resolver("Mutation.placeOrder:\n  functions: [pay, sav] #!"),
            "unknown pipeline function 'sav'; did you mean 'save'?",
            id="unknown-pipeline-function",
        ),
        pytest.param(
            resolver(f"Mutation.placeOrder:\n  functions: [{ELEVEN}] #!"),
            "a pipeline runs at most 10 functions (AppSync limit), got 11",
            id="too-many-pipeline-functions",
        ),
        pytest.param(
            resolver("again: #!\n  type: Query\n  field: getOrder\n  functions: [pay]"),
            "duplicate resolver for Query.getOrder (first defined at line 21)",
            id="duplicate-resolver",
        ),
        pytest.param(
            app_keys("apiKeys:\n  - local\n  - name: local #!"),
            "duplicate API key name 'local' (first defined at line 26)",
            id="duplicate-api-key",
        ),
        pytest.param(
            resolver("Query.listOrders: #!\n  kind: UNIT\n  code: resolvers/getOrder.py"),
            "UNIT resolver Query.listOrders needs a dataSource",
            id="unit-resolver-without-data-source",
        ),
        pytest.param(
            resolver("Query.listOrders: #!\n  kind: UNIT\n  dataSource: orders"),
            "UNIT resolver Query.listOrders needs code: with request and response",
            id="unit-resolver-without-code",
        ),
        pytest.param(
            app_keys("pipelineFunctions:\n  audit: #!\n    dataSource: orders"),
            "pipeline function 'audit' needs code: with request and response",
            id="pipeline-function-without-code",
        ),
        pytest.param(
            resolver("Query.listOrders:\n  kind: UNITS #!\n  dataSource: payments"),
            "invalid value 'UNITS' for 'kind'; expected one of UNIT, PIPELINE",
            id="invalid-resolver-kind",
        ),
        pytest.param(
            app_keys("dataSources:\n  more:\n    type: DYNAMODB #!"),
            "invalid value 'DYNAMODB' for 'type'; expected one of AMAZON_DYNAMODB, AWS_LAMBDA, HTTP, NONE",
            id="invalid-data-source-type",
        ),
        pytest.param(
            "appSync:\n  name: orders\n  authentication:\n    type: IAM #!\n",
            "invalid value 'IAM' for 'type'; expected one of API_KEY, AMAZON_COGNITO_USER_POOLS, "
            "OPENID_CONNECT, AWS_IAM, AWS_LAMBDA",
            id="invalid-auth-type",
        ),
        pytest.param(
            app_keys("caching:\n  behavior: PER_RESOLVER #!"),
            "invalid value 'PER_RESOLVER' for 'behavior'; expected one of FULL_REQUEST_CACHING, "
            "PER_RESOLVER_CACHING, OPERATION_LEVEL_CACHING",
            id="invalid-caching-behavior",
        ),
        pytest.param(
            resolver(
                f"Query.listOrders:\n  functions: [pay]\n  caching:\n    keys: [{TWENTY_SIX_KEYS}] #!"
            ),
            "at most 25 caching keys are allowed (AppSync limit), got 26",
            id="too-many-caching-keys",
        ),
        pytest.param(
            resolver("Query.listOrders:\n  functions: [pay]\n  caching:\n    ttl: 7200 #!"),
            "'ttl' must be between 1 and 3600, got 7200",
            id="caching-ttl-out-of-range",
        ),
        pytest.param(
            app_keys(
                "dataSources:\n  more:\n    type: AWS_LAMBDA\n    config:\n      functionName: paymnt #!"
            ),
            "no local function 'paymnt' in functions:",
            id="lambda-without-local-function",
        ),
        pytest.param(
            app_keys("tags:\n  team: !Ref Team #!"),
            "unsupported YAML tag '!Ref'",
            id="cloudformation-tag",
        ),
        pytest.param(
            "appSync:\n  name: ${env:API_NAME} #!\n  authentication: {type: API_KEY}\n",
            "environment variable 'API_NAME' is not set",
            id="unset-env-variable",
        ),
        pytest.param(
            app_keys("queryDepthLimit: 100 #!"),
            "'queryDepthLimit' must be between 1 and 75, got 100",
            id="query-depth-limit-out-of-range",
        ),
        pytest.param(
            resolver("Query.listOrders:\n  dataSource: orders\n  request: getOrder.vtl #!"),
            "VTL mapping templates are not supported",
            id="vtl-template",
        ),
        pytest.param(
            "appSync:\n  name: orders\n  authentication:\n    type: AMAZON_COGNITO_USER_POOLS\n    config: {} #!\n",
            "missing required key 'userPoolId' in appSync.authentication.config",
            id="cognito-without-user-pool",
        ),
        pytest.param(
            "appSync: #!\n  authentication: {type: API_KEY}\n",
            "missing required key 'name' in appSync",
            id="missing-name",
        ),
        pytest.param(
            "appSync:\n  name: orders\n  schema: missing.graphql #!\n  authentication: {type: API_KEY}\n",
            "schema file 'missing.graphql' not found",
            id="missing-schema-file",
        ),
        pytest.param(
            BASE.replace("{more}", "").replace("payments.handler", "payments.handle #!"),
            "handler module 'lambdas/payments.py' has no top-level function 'handle'",
            id="handler-without-function",
        ),
        pytest.param(
            BASE.replace("{more}", "")
            + "tables:\n  Orders:\n    partitionKey: id\n    globalSecondaryIndexes:\n"
            + "      - name: byX #!\n        partitionKey: x\n        projection: INCLUDE\n",
            "projection INCLUDE needs nonKeyAttributes",
            id="include-without-attributes",
        ),
        pytest.param(
            BASE.replace("{more}", "")
            + "tables:\n  Orders:\n    partitionKey: id\n    localSecondaryIndexes:\n"
            + "      - name: byX #!\n        sortKey: x\n        nonKeyAttributes: [a]\n",
            "nonKeyAttributes need projection INCLUDE",
            id="attributes-without-include",
        ),
    ],
)
def test_errors_name_the_yaml_line(tmp_path: Path, config: str, fragment: str) -> None:
    files = {"resolvers/half.py": "def request(ctx):\n    return {}\n"}
    found = errors(tmp_path, config, files)
    location = f"{tmp_path / 'syncline.yml'}:{marked_line(config)}: "
    assert any(error.startswith(location) and fragment in error for error in found), found


@pytest.mark.parametrize(
    ("files", "where", "fragment"),
    [
        pytest.param(
            {"schema.graphql": "type Query {\n  getOrder(id: ID!): Order\n  broken(\n}\n"},
            ("schema.graphql", 4),
            "Syntax Error",
            id="graphql-syntax-error",
        ),
        pytest.param(
            {
                "resolvers/getOrder.py": "def request(ctx):\n    return {\n\ndef response(ctx): pass\n"
            },
            ("resolvers/getOrder.py", 2),
            "Python syntax error",
            id="python-syntax-error",
        ),
    ],
)
def test_errors_in_referenced_files_name_that_file(
    tmp_path: Path, files: dict[str, str], where: tuple[str, int], fragment: str
) -> None:
    found = errors(tmp_path, BASE.replace("{more}", ""), files)
    location = f"{tmp_path / where[0]}:{where[1]}: "
    assert any(error.startswith(location) and fragment in error for error in found), found


def test_all_errors_are_reported_together(tmp_path: Path) -> None:
    config = resolver(
        """\
        Query.listOrders:
          kind: UNIT
          dataSource: order
          code: resolvers/nope.py
        Mutation.placeOrder:
          functions: [sav]
          caching: {ttl: abc}
        """
    ).replace("tableName: Orders", "tableNam: Orders")
    found = errors(tmp_path, config)
    here = tmp_path / "syncline.yml"
    assert found == [
        f"{here}:8: missing required key 'tableName' in appSync.dataSources.orders.config",
        f"{here}:9: unknown key 'tableNam' in appSync.dataSources.orders.config; did you mean 'tableName'?",
        f"{here}:27: unknown data source 'order'; did you mean 'orders'?",
        f"{here}:28: code file 'resolvers/nope.py' not found",
        f"{here}:30: unknown pipeline function 'sav'; did you mean 'save'?",
        f"{here}:31: expected an integer for 'ttl', got 'abc'",
    ]


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidDefinition) as raised:
        load_definition(tmp_path, env={})
    (error,) = raised.value.errors
    assert error.location == Location(tmp_path / "syncline.yml", 1)
    assert "cannot read" in error.message


DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"
TITLED_FENCE = re.compile(r'^```\w+ title="([^"]+)"\n(.*?)^```$', re.MULTILINE | re.DOTALL)


def test_the_documented_example_loads(tmp_path: Path) -> None:
    for relative, text in TITLED_FENCE.findall(DOCS.read_text()):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    api = load_definition(tmp_path, env={})
    assert api.name == "notes"
    assert sorted(map(str, api.resolvers)) == ["Mutation.addNote", "Query.echo", "Query.getNote"]
    assert [key.value for key in api.api_keys] == ["da2-notes-local-example-key"]
