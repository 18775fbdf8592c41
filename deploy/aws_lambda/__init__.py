"""``lambda_handler``: Syncline as an AWS Lambda function behind API Gateway (docs/deploy.md).

One function serves an HTTP API (payload 2.0), a REST API (payload 1.0) and a WebSocket API
(``$connect``, ``$disconnect``, ``$default``). The API folder is packaged beside the code
(``syncline package``) and loaded once per execution environment.
"""

from __future__ import annotations

import functools
from typing import Any

from deploy.aws_lambda.app import LambdaApi, LambdaSettings
from deploy.lambda_startup import collector_paused

__all__ = ["LambdaApi", "LambdaSettings", "lambda_handler"]


@functools.cache
def _warm_api() -> LambdaApi:
    # Kept for the life of the execution environment: that is what a warm start reuses.
    with collector_paused():
        return LambdaApi.from_environment()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The function's handler (``server.lambda_handler``)."""
    return _warm_api().handle(event)
