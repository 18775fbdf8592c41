"""Checking that a server answers every case correctly, before and after it is measured.

Syncline's answers are checked against the cases themselves (status 200, no ``errors``, the
data each case expects) and captured; every other server must then return those same bytes
(``exact``) or the same JSON. A server that answers wrongly fast would otherwise look good.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.cases import Case
from bench.servers import BenchError, ServerSpec


@dataclass(frozen=True)
class Captured:
    content_type: str
    body: bytes


def _post(client: httpx.Client, url: str, case: Case) -> httpx.Response:
    headers = {"content-type": "application/json", "x-api-key": case.api.api_key}
    return client.post(url, content=case.body, headers=headers)


def capture(url: str, cases: tuple[Case, ...]) -> dict[str, Captured]:
    """Syncline's response to each case; raises unless every one is a clean, complete answer."""
    captured = {}
    with httpx.Client(timeout=30) as client:
        for case in cases:
            response = _post(client, url, case)
            if response.status_code != 200:
                raise BenchError(
                    f"syncline, {case.name}: HTTP {response.status_code}: {response.text}"
                )
            document = response.json()
            if document.get("errors"):
                raise BenchError(f"syncline, {case.name}: returned errors: {document['errors']}")
            problem = case.check(document.get("data"))
            if problem is not None:
                raise BenchError(f"syncline, {case.name}: {problem}")
            captured[case.name] = Captured(response.headers["content-type"], response.content)
    return captured


def verify(
    spec: ServerSpec, url: str, cases: tuple[Case, ...], expected: dict[str, Captured]
) -> None:
    with httpx.Client(timeout=30) as client:
        for case in cases:
            response = _post(client, url, case)
            want = expected[case.name]
            if response.status_code != 200:
                raise BenchError(
                    f"{spec.name}, {case.name}: HTTP {response.status_code}: {response.text}"
                )
            if spec.exact:
                same = response.content == want.body and (
                    response.headers.get("content-type") == want.content_type
                )
            else:
                same = response.json() == json.loads(want.body)
            if not same:
                raise BenchError(
                    f"{spec.name}, {case.name}: response differs from syncline's:\n"
                    f"  got      {response.content[:200]!r}\n  expected {want.body[:200]!r}"
                )


def write_ceiling_responses(
    path: Path, cases: tuple[Case, ...], captured: dict[str, Captured]
) -> None:
    """The file ``bench.apps.ceiling`` replays: request body → Syncline's response."""
    entries = [
        {
            "request": case.body.decode(),
            "content_type": captured[case.name].content_type,
            "body": captured[case.name].body.decode(),
        }
        for case in cases
    ]
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
