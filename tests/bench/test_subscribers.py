"""The mutation case's subscribers (bench/subscribers.py) and the delivery check."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from bench.cases import CASES, POSTS, SUBSCRIBERS
from bench.servers import RunningServer
from bench.subscribers import Deliveries, subscribed
from tests.live import running_server

MUTATION_CASE = next(case for case in CASES if case.subscription is not None)


@pytest.mark.parametrize(
    ("deliveries", "complete"),
    [
        pytest.param(Deliveries(100, 510, 510, 500, 64), True, id="in-flight-ran-too"),
        pytest.param(Deliveries(100, 500, 500, 500, 64), True, id="exact"),
        pytest.param(Deliveries(100, 499, 510, 500, 64), False, id="one-subscriber-lost-events"),
        pytest.param(Deliveries(100, 499, 499, 500, 64), False, id="all-lost-one"),
        pytest.param(Deliveries(100, 565, 565, 500, 64), False, id="duplicates"),
    ],
)
def test_every_subscriber_must_receive_every_event(deliveries: Deliveries, complete: bool) -> None:
    assert deliveries.complete is complete


@pytest.mark.e2e
def test_each_subscriber_counts_each_event(tmp_path: Path) -> None:
    cpu = min(os.sched_getaffinity(0))
    with running_server(POSTS.directory, tmp_path / "data") as base:
        url = f"{base}/graphql"
        server = RunningServer(url, 0, url.replace("http://", "ws://"))
        with subscribed(server, MUTATION_CASE, cpu) as subscribers:
            headers = {"content-type": "application/json", "x-api-key": POSTS.api_key}
            for _ in range(7):
                response = httpx.post(url, content=MUTATION_CASE.body, headers=headers)
                assert response.status_code == 200
            assert subscribers.counts() == [7] * SUBSCRIBERS
