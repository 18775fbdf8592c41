"""Build small API folders for tests: a schema, a syncline.yml and code files in tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from web.app import create_app

API_KEY = "da2-test-key"
HEADERS = {"x-api-key": API_KEY}


def write_api(
    root: Path,
    schema: str,
    config: str,
    files: dict[str, str] | None = None,
    top: str = "",
) -> Path:
    """``config`` is the YAML that follows ``appSync: name/schema/auth/apiKeys``; ``top`` holds
    Syncline's own top-level blocks (``tables:``, ``functions:``, ``server:``)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text(textwrap.dedent(schema))
    head = textwrap.dedent(
        f"""\
        appSync:
          name: test
          schema: schema.graphql
          authentication:
            type: API_KEY
          apiKeys:
            - name: test
              value: {API_KEY}
        """
    )
    body = textwrap.indent(textwrap.dedent(config), "  ")
    (root / "syncline.yml").write_text(head + body + textwrap.dedent(top))
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def client_for(root: Path) -> TestClient:
    return TestClient(create_app(root))


def gql(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
