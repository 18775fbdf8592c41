"""The bench's cases answer what they check for, on a real ``syncline serve`` (tests/live.py).

``python -m bench`` refuses to measure a server whose answers are wrong; these tests keep the
cases, the seeded example data and Syncline in step without running any load: every case is
captured from a server of its API (the orders example seeded through ``/dynamodb`` as the bench
does), and the ceiling replays those bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bench import apps, orders
from bench.cases import CASES, LATENCY_TARGETS, ORDERS, POSTS, Api
from bench.verify import capture, write_ceiling_responses
from tests.live import running_server


@pytest.mark.e2e
@pytest.mark.parametrize(
    "api", [pytest.param(POSTS, id="posts"), pytest.param(ORDERS, id="orders")]
)
def test_every_case_is_answered_as_checked(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = tuple(case for case in CASES if case.api == api)
    with running_server(api.directory, tmp_path / "data") as base:
        if api.seeded:
            orders.seed(base)
        captured = capture(f"{base}/graphql", cases)  # raises on any wrong answer
    assert set(captured) == {case.name for case in cases}

    responses = tmp_path / "ceiling.json"
    write_ceiling_responses(responses, cases, captured)
    monkeypatch.setenv(apps.CEILING_RESPONSES_ENV, str(responses))
    with TestClient(apps.ceiling()) as ceiling:
        for case in cases:
            answer = ceiling.post("/graphql", content=case.body)
            assert answer.content == captured[case.name].body
            assert answer.headers["content-type"] == captured[case.name].content_type


def test_the_seeded_answers_are_the_data_not_just_syncline_s() -> None:
    listed = orders.expected_list_orders()
    assert len(listed) == orders.LIST_LIMIT
    assert [o["createdAt"] for o in listed] == sorted(
        (o["createdAt"] for o in listed), reverse=True
    )
    assert orders.check_get_order({"getOrder": orders.expected_get_order()}) is None
    assert orders.check_get_order({"getOrder": None}) is not None
    assert orders.check_list_orders({"listOrders": {"items": listed[::-1]}}) is not None


def test_every_case_has_a_latency_target() -> None:
    assert {t.case for t in LATENCY_TARGETS} == {case.name for case in CASES}


def test_the_mutation_case_s_body_is_what_wrk_and_the_ceiling_key_on() -> None:
    (case,) = (case for case in CASES if case.subscription is not None)
    assert json.loads(case.body) == {"query": case.query}
