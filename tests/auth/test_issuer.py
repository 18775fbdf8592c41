"""The local Cognito token issuer: ``syncline token``, its key, and the JWKS the server serves."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from starlette.testclient import TestClient

import server
from auth.issuer import KEY_FILE, CognitoPool, LocalIssuer
from web.app import create_app

EXAMPLE = Path(__file__).parents[2] / "examples" / "orders"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SynclineLocal"


def token(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert server.main(["token", *args]) == 0
    return capsys.readouterr().out.strip()


def verify(data_dir: Path, value: str, audience: str | None = None) -> dict[str, object]:
    """Verify as any client would: with the key the running server publishes."""
    with TestClient(create_app(EXAMPLE, data_dir)) as client:
        jwks = client.get("/.well-known/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(value)["kid"]]
    claims: dict[str, object] = jwt.decode(
        value,
        key.key,
        ["RS256"],
        audience=audience,
        issuer=ISSUER,
        options={"verify_aud": audience is not None},
    )
    return claims


def test_id_token_for_an_admin(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    value = token(
        capsys, str(EXAMPLE), "--sub", "alice", "--groups", "admins,ops", "--groups", "staff",
        "--expires", "30m", "--email", "alice@example.com", "--data-dir", str(tmp_path),
    )  # fmt: skip
    claims = verify(tmp_path, value, audience="syncline-local-client")
    assert claims["sub"] == "alice"
    assert claims["cognito:username"] == "alice"
    assert claims["cognito:groups"] == ["admins", "ops", "staff"]
    assert claims["token_use"] == "id"
    assert claims["email"] == "alice@example.com"
    assert claims["exp"] - claims["iat"] == 1800  # type: ignore[operator]


def test_access_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    value = token(
        capsys, str(EXAMPLE), "--sub", "bob", "--username", "bob1", "--token-use", "access",
        "--client-id", "cli", "--data-dir", str(tmp_path),
    )  # fmt: skip
    claims = verify(tmp_path, value)
    assert (claims["token_use"], claims["client_id"], claims["username"]) == (
        "access",
        "cli",
        "bob1",
    )
    assert "cognito:groups" not in claims


def test_the_key_is_private_and_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    first = token(capsys, str(EXAMPLE), "--sub", "a", "--data-dir", str(tmp_path))
    second = token(capsys, str(EXAMPLE), "--sub", "b", "--data-dir", str(tmp_path))
    assert jwt.get_unverified_header(first)["kid"] == jwt.get_unverified_header(second)["kid"]
    mode = stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_without_a_data_dir_the_key_lives_in_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """An empty data dir (tables in memory) still needs a lasting key."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    token(capsys, str(EXAMPLE), "--sub", "a", "--data-dir", "")
    assert (tmp_path / "syncline" / KEY_FILE).is_file()


def test_two_issuers_racing_for_one_data_dir_agree(tmp_path: Path):
    pool = CognitoPool("us-east-1_SynclineLocal", "us-east-1")
    one, two = LocalIssuer(tmp_path), LocalIssuer(tmp_path)
    assert one.public_jwk() == two.public_jwk()
    assert jwt.get_unverified_header(one.issue(pool, "x"))["kid"] == two.public_jwk()["kid"]


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        pytest.param(
            "authentication: {type: API_KEY}",
            [],
            "no AMAZON_COGNITO_USER_POOLS mode with localIssuer: true",
            id="no-local-pool",
        ),
        pytest.param(
            "authentication:\n    type: AMAZON_COGNITO_USER_POOLS\n    config: "
            "{userPoolId: us-east-1_A, localIssuer: true, appIdClientRegex: 'mobile-.*'}",
            [],
            "does not match appIdClientRegex; pass --client-id",
            id="client-id-not-matching",
        ),
    ],
)
def test_token_refuses_what_the_api_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, args: list[str], message: str
):
    (tmp_path / "schema.graphql").write_text("type Query { x: String }\n")
    (tmp_path / "syncline.yml").write_text(
        f"appSync:\n  name: t\n  schema: schema.graphql\n  {config}\n"
    )
    code = server.main(["token", str(tmp_path), "--sub", "a", "--data-dir", str(tmp_path), *args])
    assert code == 1
    assert message in capsys.readouterr().err


def test_a_matching_client_id_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "schema.graphql").write_text("type Query { x: String }\n")
    (tmp_path / "syncline.yml").write_text(
        "appSync:\n  name: t\n  schema: schema.graphql\n  authentication:\n"
        "    type: AMAZON_COGNITO_USER_POOLS\n"
        "    config: {userPoolId: us-east-1_A, localIssuer: true, appIdClientRegex: 'mobile-.*'}\n"
    )
    value = token(
        capsys,
        str(tmp_path),
        "--sub",
        "a",
        "--client-id",
        "mobile-ios",
        "--data-dir",
        str(tmp_path),
    )
    assert jwt.decode(value, options={"verify_signature": False})["aud"] == "mobile-ios"


def test_a_bad_duration_is_a_usage_error(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_:
        server.main(["token", str(EXAMPLE), "--sub", "a", "--expires", "soon"])
    assert exit_.value.code == 2
    assert "expected a duration like 30m, 1h or 2d" in capsys.readouterr().err


def test_no_jwks_route_without_a_local_issuer(tmp_path: Path):
    (tmp_path / "schema.graphql").write_text("type Query { x: String }\n")
    (tmp_path / "syncline.yml").write_text(
        "appSync:\n  name: t\n  schema: schema.graphql\n  authentication: {type: API_KEY}\n"
    )
    with TestClient(create_app(tmp_path)) as client:
        assert client.get("/.well-known/jwks.json").status_code == 404
