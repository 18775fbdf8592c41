"""Session fixtures: DynamoDB Local, Syncline's endpoint on a real uvicorn, boto3 clients for both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import boto3
import pytest
from botocore.config import Config
from starlette.applications import Starlette

from resolvers.dynamodb.endpoint import DynamoDBEndpoint, endpoint_routes
from resolvers.dynamodb.store import TableStore
from tests.resolvers.dynamodb.differential.local import dynamodb_local
from tests.resolvers.dynamodb.differential.pair import Pair
from tests.serve import serving


def client(endpoint_url: str) -> Any:
    """A boto3 client that sends requests as given: no client-side validation, no retries."""
    config = Config(
        parameter_validation=False,
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=5,
        read_timeout=30,
    )
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        config=config,
        aws_access_key_id="differential",
        aws_secret_access_key="differential",
    )


@pytest.fixture(scope="session")
def local_url() -> Iterator[str]:
    with dynamodb_local() as url:
        yield url


@pytest.fixture(scope="session")
def syncline_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = TableStore({}, tmp_path_factory.mktemp("differential-store"))

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await store.close()

    app = Starlette(routes=endpoint_routes(DynamoDBEndpoint(store)), lifespan=lifespan)
    with serving(app) as base:
        yield f"{base}/dynamodb"


@pytest.fixture(scope="session")
def clients(local_url: str, syncline_url: str) -> tuple[Any, Any]:
    return client(syncline_url), client(local_url)


@pytest.fixture
def pair(clients: tuple[Any, Any]) -> Iterator[Pair]:
    both = Pair(*clients)
    yield both
    both.drop_all()
