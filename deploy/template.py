"""``template.yaml``: an AWS SAM template for one API as a Lambda-backed API (docs/deploy.md).

It deploys the function (``server.lambda_handler``, the zip ``syncline package`` builds), an
HTTP API routing every path to it, a WebSocket API whose ``$connect``, ``$disconnect`` and
``$default`` routes invoke it, one DynamoDB table per ``tables:`` entry, and the connection and
subscription tables of ``deploy.tables``. The API's settings are parameters: the stage, memory,
timeout, architecture, CORS origins, a table name prefix, and one parameter per ``${env:NAME}``
the API's ``syncline.yml`` reads (its default, when it has one, becomes the parameter's).

Intrinsic functions are written in their long form (``{"Ref": …}``), so the template is plain
YAML that any YAML reader — and ``cfn-lint`` — takes as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from deploy.tables import TableSpec, connections_table, subscriptions_table
from schema.model import ApiDefinition

HANDLER = "server.lambda_handler"
ZIP_NAME = "syncline-lambda.zip"
_ENV_REFERENCE = re.compile(r"\$\{env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*([^}]*))?\}")


def _logical_id(name: str, suffix: str = "") -> str:
    cleaned = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name))
    return f"{cleaned or 'X'}{suffix}"


def env_references(config_text: str) -> dict[str, str | None]:
    """``${env:NAME}`` / ``${env:NAME, default}`` references of a ``syncline.yml``."""
    found: dict[str, str | None] = {}
    for match in _ENV_REFERENCE.finditer(config_text):
        default = match.group(2)
        if default is not None:
            default = default.strip().strip("'\"")
        found.setdefault(match.group(1), default)
    return found


def _table_resource(spec: TableSpec, prefix_parameter: str) -> dict[str, Any]:
    properties = spec.create_table_input()
    properties["TableName"] = {"Fn::Sub": f"${{{prefix_parameter}}}{spec.name}"}
    if spec.ttl_attribute:
        properties["TimeToLiveSpecification"] = {
            "AttributeName": spec.ttl_attribute,
            "Enabled": True,
        }
    properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def build_template(definition: ApiDefinition, config_text: str, code_uri: str = ZIP_NAME) -> Any:
    parameters: dict[str, Any] = {
        "StageName": {"Type": "String", "Default": "prod", "Description": "API stage name"},
        "MemorySize": {"Type": "Number", "Default": 1024, "MinValue": 128, "MaxValue": 10240},
        "Timeout": {"Type": "Number", "Default": 29, "MinValue": 1, "MaxValue": 900},
        "Architecture": {
            "Type": "String",
            "Default": "x86_64",
            "AllowedValues": ["x86_64", "arm64"],
            "Description": "must match the platform syncline package built for (--arch)",
        },
        "CorsOrigins": {
            "Type": "String",
            "Default": "*",
            "Description": "comma-separated origins allowed by CORS (SYNCLINE_CORS_ORIGINS)",
        },
        "TableNamePrefix": {
            "Type": "String",
            "Default": "",
            "Description": "prepended to every DynamoDB table name (one stack per prefix)",
        },
    }
    environment: dict[str, Any] = {
        "SYNCLINE_CORS_ORIGINS": {"Ref": "CorsOrigins"},
        "SYNCLINE_DYNAMODB_STORE": "aws",
        "SYNCLINE_TABLE_PREFIX": {"Ref": "TableNamePrefix"},
        "SYNCLINE_CONNECTIONS_TABLE": {"Ref": "ConnectionsTable"},
        "SYNCLINE_SUBSCRIPTIONS_TABLE": {"Ref": "SubscriptionsTable"},
        "SYNCLINE_WEBSOCKET_ENDPOINT": {
            "Fn::Sub": "https://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/${StageName}"
        },
    }
    for name, default in env_references(config_text).items():
        parameter = _logical_id(name.lower(), "Setting")
        parameters[parameter] = {
            "Type": "String",
            "Description": f"${{env:{name}}} in syncline.yml",
            **({"Default": default} if default is not None else {}),
        }
        environment[name] = {"Ref": parameter}

    resources: dict[str, Any] = {}
    table_ids: list[str] = []
    for table in definition.tables.values():
        logical = _logical_id(table.name, "Table")
        resources[logical] = _table_resource(TableSpec.of(table), "TableNamePrefix")
        table_ids.append(logical)
    resources["ConnectionsTable"] = _table_resource(
        connections_table("SynclineConnections"), "TableNamePrefix"
    )
    resources["SubscriptionsTable"] = _table_resource(
        subscriptions_table("SynclineSubscriptions"), "TableNamePrefix"
    )
    # Realtime state is not worth keeping when the stack goes.
    for logical in ("ConnectionsTable", "SubscriptionsTable"):
        resources[logical]["DeletionPolicy"] = resources[logical]["UpdateReplacePolicy"] = "Delete"
        del resources[logical]["Properties"]["PointInTimeRecoverySpecification"]

    policies: list[Any] = [
        {"DynamoDBCrudPolicy": {"TableName": {"Ref": logical}}}
        for logical in (*table_ids, "ConnectionsTable", "SubscriptionsTable")
    ]
    policies.append(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["execute-api:ManageConnections"],
                    "Resource": {
                        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                        "${AWS::AccountId}:${WebSocketApi}/${StageName}/*"
                    },
                }
            ]
        }
    )
    resources["Function"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Description": f"Syncline: the {definition.name} GraphQL API",
            "CodeUri": code_uri,
            "Handler": HANDLER,
            "Runtime": "python3.11",
            "Architectures": [{"Ref": "Architecture"}],
            "MemorySize": {"Ref": "MemorySize"},
            "Timeout": {"Ref": "Timeout"},
            "Environment": {"Variables": environment},
            "Policies": policies,
            "Events": {
                "Http": {
                    "Type": "HttpApi",
                    "Properties": {
                        "ApiId": {"Ref": "HttpApi"},
                        "Path": "/{proxy+}",
                        "Method": "ANY",
                    },
                }
            },
        },
    }
    resources["HttpApi"] = {
        "Type": "AWS::Serverless::HttpApi",
        "Properties": {"StageName": {"Ref": "StageName"}},
    }
    resources["WebSocketApi"] = {
        "Type": "AWS::ApiGatewayV2::Api",
        "Properties": {
            "Name": {"Fn::Sub": "${AWS::StackName}-realtime"},
            "ProtocolType": "WEBSOCKET",
            # Every message goes to $default: the protocols have their own "type" field.
            "RouteSelectionExpression": "$request.body.action",
        },
    }
    resources["WebSocketIntegration"] = {
        "Type": "AWS::ApiGatewayV2::Integration",
        "Properties": {
            "ApiId": {"Ref": "WebSocketApi"},
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": {
                "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/"
                "2015-03-31/functions/${Function.Arn}/invocations"
            },
        },
    }
    for route in ("$connect", "$disconnect", "$default"):
        resources[_logical_id(route.strip("$"), "Route")] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "WebSocketApi"},
                "RouteKey": route,
                "Target": {"Fn::Sub": "integrations/${WebSocketIntegration}"},
            },
        }
    resources["WebSocketStage"] = {
        "Type": "AWS::ApiGatewayV2::Stage",
        "Properties": {
            "ApiId": {"Ref": "WebSocketApi"},
            "StageName": {"Ref": "StageName"},
            "AutoDeploy": True,
        },
    }
    resources["WebSocketPermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "Function"},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                "${AWS::AccountId}:${WebSocketApi}/*"
            },
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": f"Syncline: {definition.name} as a Lambda-backed GraphQL API",
        "Parameters": parameters,
        "Resources": resources,
        "Outputs": {
            "GraphQLUrl": {
                "Description": "POST queries and mutations here; GraphiQL in a browser",
                "Value": {
                    "Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com/"
                    "${StageName}/graphql"
                },
            },
            "RealtimeUrl": {
                "Description": "WebSocket subscriptions (AppSync realtime or graphql-transport-ws)",
                "Value": {
                    "Fn::Sub": "wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/"
                    "${StageName}"
                },
            },
        },
    }


def write_template(
    definition: ApiDefinition, api_dir: Path, out: Path, code_uri: str = ZIP_NAME
) -> Path:
    config_text = (api_dir / "syncline.yml").read_text()
    template = build_template(definition, config_text, code_uri)
    path = out / "template.yaml"
    header = (
        f"# Generated by `syncline package` for {definition.name}; deploy with "
        "`sam deploy --guided` (docs/deploy.md).\n"
    )
    path.write_text(header + yaml.safe_dump(template, sort_keys=False, width=100))
    return path
