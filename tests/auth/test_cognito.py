"""User pool configuration: the pool's issuer and where its keys come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth.modes import build_request_authorizer
from schema.definition import load_definition
from schema.errors import InvalidDefinition


def api(tmp_path: Path, config: str, additional: str = "") -> Path:
    (tmp_path / "schema.graphql").write_text("type Query { x: String }\n")
    (tmp_path / "syncline.yml").write_text(
        "appSync:\n  name: pool\n  schema: schema.graphql\n  authentication:\n"
        f"    type: AMAZON_COGNITO_USER_POOLS\n    config: {config}\n{additional}"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("config", "issuer"),
    [
        pytest.param(
            "{userPoolId: eu-west-1_abc}",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
            id="region-from-pool-id",
        ),
        pytest.param(
            "{userPoolId: pool, awsRegion: ap-south-1}",
            "https://cognito-idp.ap-south-1.amazonaws.com/pool",
            id="awsRegion",
        ),
    ],
)
def test_the_pools_issuer(tmp_path: Path, config: str, issuer: str):
    authorizer = build_request_authorizer(load_definition(api(tmp_path, config)))
    [pool] = authorizer.authorizers
    assert pool.issuer == issuer  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("config", "additional", "message"),
    [
        pytest.param(
            "{userPoolId: nopool}", "", "is not of the form <region>_<id>", id="no-region"
        ),
        pytest.param(
            "{userPoolId: us-east-1_a, localIssuer: true, jwks: k.json}",
            "",
            "'jwks' and 'localIssuer' exclude each other",
            id="jwks-and-local",
        ),
        pytest.param(
            "{userPoolId: us-east-1_a, defaultAction: DENY}",
            "  additionalAuthentications:\n    - type: API_KEY\n",
            "defaultAction DENY is not allowed with additionalAuthentications",
            id="deny-with-additional-modes",
        ),
    ],
)
def test_configuration_errors(tmp_path: Path, config: str, additional: str, message: str):
    with pytest.raises(InvalidDefinition, match=message):
        build_request_authorizer(load_definition(api(tmp_path, config, additional)))
