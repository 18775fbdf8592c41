"""API Gateway HTTP API (payload 2.0) and REST API (payload 1.0) events through the Lambda
handler, from the fixtures in ``tests/events/``: the same endpoint, auth and error shapes as
``syncline serve``."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from auth.issuer import CognitoPool, LocalIssuer
from deploy.aws_lambda.app import LambdaApi
from tests.deploy.events import load, set_header, sign_sigv4, with_body

PLACE = (
    "mutation P($input: PlaceOrderInput!) { placeOrder(input: $input) { id customerId status } }"
)
ORDER = {
    "customerId": "cust-9",
    "cardToken": "tok_visa",
    "items": [{"sku": "a", "quantity": 1, "price": 3}],
}
REST_HOST = "f9e8d7c6b5.execute-api.us-east-1.amazonaws.com"
HTTP_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def header(response: dict[str, Any], name: str) -> str | None:
    value = response.get("headers", {}).get(name.lower())
    return None if value is None else str(value)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "apigw_http_v2_post_query",
            {"data": {"listOrders": {"items": [], "nextToken": None}}},
            id="http-api-2.0-post",
        ),
        pytest.param(
            "apigw_rest_v1_get_query", {"data": {"getOrder": None}}, id="rest-api-1.0-get"
        ),
    ],
)
def test_query_fixtures(example_api: LambdaApi, fixture: str, expected: dict[str, Any]) -> None:
    response = example_api.handle(load(fixture))
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is False
    assert header(response, "content-type") == "application/json; charset=utf-8"
    assert body_of(response) == expected


def test_rest_mutation_then_query_by_get(example_api: LambdaApi) -> None:
    response = example_api.handle(load("apigw_rest_v1_post_mutation"))
    assert response["statusCode"] == 200, response["body"]
    order = body_of(response)["data"]["placeOrder"]
    assert order["status"] == "PAID"
    assert response["multiValueHeaders"]["content-type"] == ["application/json; charset=utf-8"]
    event = load("apigw_rest_v1_get_query")
    variables = json.dumps({"id": order["id"]})
    event["queryStringParameters"]["variables"] = variables
    event["multiValueQueryStringParameters"]["variables"] = [variables]
    found = body_of(example_api.handle(event))
    assert found == {"data": {"getOrder": {"id": order["id"], "status": "PAID"}}}


def test_base64_body_under_a_named_stage(example_api: LambdaApi) -> None:
    event = with_body(
        load("apigw_http_v2_post_mutation_base64"),
        {"query": PLACE, "variables": {"input": ORDER}},
        base64_encoded=True,
    )
    response = example_api.handle(event)
    assert response["statusCode"] == 200, response["body"]
    assert header(response, "content-type") == "application/graphql-response+json; charset=utf-8"
    assert body_of(response)["data"]["placeOrder"]["customerId"] == "cust-9"
    assert "multiValueHeaders" not in response


@pytest.mark.parametrize(
    ("fixture", "method"),
    [
        pytest.param("apigw_http_v2_post_query", "GET", id="http-api-2.0"),
        pytest.param("apigw_rest_v1_get_query", "GET", id="rest-api-1.0"),
    ],
)
def test_mutation_over_get_is_405(example_api: LambdaApi, fixture: str, method: str) -> None:
    event = load(fixture)
    query = 'mutation { updateOrderStatus(id: "x", status: PAID) { id } }'
    if "rawQueryString" in event:
        event["requestContext"]["http"]["method"] = method
        event["rawQueryString"] = "query=" + query.replace(" ", "%20").replace('"', "%22")
        event["body"] = None
    else:
        event["multiValueQueryStringParameters"] = {"query": [query]}
        event["queryStringParameters"] = {"query": query}
    response = example_api.handle(event)
    assert response["statusCode"] == 405
    assert body_of(response)["errors"][0]["errorType"] == "MethodNotAllowed"


def test_graphiql_page_and_assets(example_api: LambdaApi) -> None:
    response = example_api.handle(load("apigw_http_v2_get_graphiql"))
    assert response["statusCode"] == 200
    assert header(response, "content-type") == "text/html; charset=utf-8"
    page = response["body"]
    assert "da2-syncline-local-example-key" not in page  # a public page carries no key
    assert '"/graphql/assets/' in page or "/graphql/assets/graphiql.min.js" in page
    asset = load("apigw_http_v2_get_graphiql")
    asset["rawPath"] = asset["requestContext"]["http"]["path"] = "/graphql/assets/graphiql.min.js"
    served = example_api.handle(asset)
    assert served["statusCode"] == 200
    assert served["isBase64Encoded"] is False
    assert "GraphiQL" in served["body"]


def test_graphiql_under_a_rest_stage_links_assets_below_the_stage(example_api: LambdaApi) -> None:
    event = load("apigw_rest_v1_get_query")
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    set_header(event, "Accept", "text/html")
    page = example_api.handle(event)["body"]
    assert "/prod/graphql/assets/" in page
    assert '"/prod/graphql"' in page or "/prod/graphql&quot;" in page or "/prod/graphql" in page


def test_cors_preflight_and_response_headers(example_api: LambdaApi) -> None:
    response = example_api.handle(load("apigw_http_v2_options_preflight"))
    assert response["statusCode"] == 200
    assert header(response, "access-control-allow-origin") == "*"
    assert "POST" in (header(response, "access-control-allow-methods") or "")
    assert header(response, "access-control-allow-headers") == "content-type,x-api-key"
    event = load("apigw_http_v2_post_query")
    event["headers"]["origin"] = "https://app.example.com"
    actual = example_api.handle(event)
    assert header(actual, "access-control-allow-origin") == "*"


@pytest.mark.parametrize(
    ("key", "status", "error_type"),
    [
        pytest.param(None, 401, "UnauthorizedException", id="no-key"),
        pytest.param("da2-wrong", 401, "UnauthorizedException", id="wrong-key"),
    ],
)
def test_api_key_refusals(
    example_api: LambdaApi, key: str | None, status: int, error_type: str
) -> None:
    event = load("apigw_rest_v1_post_mutation")
    set_header(event, "x-api-key", key)
    response = example_api.handle(event)
    assert response["statusCode"] == status
    assert body_of(response)["errors"][0]["errorType"] == error_type
    assert header(response, "x-amzn-errortype") == error_type


@pytest.mark.parametrize(
    ("fixture", "host", "path", "status"),
    [
        pytest.param(
            "apigw_rest_v1_post_mutation", REST_HOST, "/prod/graphql", 200, id="rest-stage-path"
        ),
        pytest.param(
            "apigw_rest_v1_post_mutation", REST_HOST, "/graphql", 403, id="rest-path-without-stage"
        ),
        pytest.param(
            "apigw_rest_v1_post_mutation",
            "api.example.com",
            "/prod/graphql",
            403,
            id="rest-other-host",
        ),
        pytest.param(
            "apigw_http_v2_post_query", HTTP_HOST, "/graphql", 200, id="http-default-stage"
        ),
        pytest.param(
            "apigw_http_v2_post_mutation_base64",
            HTTP_HOST,
            "/prod/graphql",
            200,
            id="http-named-stage",
        ),
        pytest.param(
            "apigw_http_v2_post_mutation_base64",
            HTTP_HOST,
            "/graphql",
            403,
            id="http-path-without-stage",
        ),
    ],
)
def test_sigv4_is_checked_against_the_original_host_and_path(
    example_api: LambdaApi, fixture: str, host: str, path: str, status: int
) -> None:
    """API Gateway hands the function the path after the stage; the client signed the URL it
    called, so the signature must be checked against that one."""
    event = load(fixture)
    event = with_body(event, {"query": PLACE, "variables": {"input": ORDER}})
    response = example_api.handle(sign_sigv4(event, host=host, path=path))
    assert response["statusCode"] == status, response["body"]
    if status == 200:
        assert body_of(response)["data"]["placeOrder"]["status"] == "PAID"
    else:
        assert body_of(response)["errors"][0]["errorType"] == "InvalidSignatureException"


def test_cognito_token_from_the_local_issuer(example_api: LambdaApi) -> None:
    issuer = LocalIssuer(example_api.settings.data_dir)
    pool = CognitoPool("us-east-1_SynclineLocal", "us-east-1")
    query = 'mutation { updateOrderStatus(id: "nope", status: CANCELLED) { id } }'
    for groups, expected in ((["admins"], None), ([], "Unauthorized")):
        event = with_body(load("apigw_http_v2_post_query"), {"query": query})
        event["headers"].pop("x-api-key")
        event["headers"]["authorization"] = issuer.issue(pool, "alice", groups=groups)
        response = example_api.handle(event)
        assert response["statusCode"] == 200, response["body"]
        errors = body_of(response).get("errors") or [{}]
        assert errors[0].get("errorType") == expected


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({}, id="empty"),
        pytest.param({"Records": [{"eventSource": "aws:sqs"}]}, id="sqs"),
        pytest.param({"requestContext": {"stage": "x"}}, id="unknown-api-gateway-shape"),
    ],
)
def test_events_from_elsewhere_are_refused(example_api: LambdaApi, event: dict[str, Any]) -> None:
    assert example_api.handle(event)["statusCode"] == 400


def test_bad_json_body_is_a_400_in_appsync_shape(example_api: LambdaApi) -> None:
    event = load("apigw_http_v2_post_query")
    event["body"] = "{not json"
    response = example_api.handle(event)
    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["errorType"] == "BadRequestException"
