from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.aws_lambda.app import LambdaApi, LambdaSettings
from tests.live import ROOT
from web.api import load_api

EXAMPLE = ROOT / "examples" / "orders"


@pytest.fixture(scope="module")
def example_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaApi]:
    """The orders example as a warm Lambda function (HTTP only)."""
    data_dir: Path = tmp_path_factory.mktemp("lambda-data")
    api = LambdaApi(load_api(EXAMPLE, data_dir), LambdaSettings(EXAMPLE, data_dir))
    yield api
    api.close()
