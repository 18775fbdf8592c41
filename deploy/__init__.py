"""Deploying Syncline: the container image's helpers and the Lambda-backed API (docs/deploy.md).

- ``deploy.container``: the image's install script and health check (``Dockerfile``).
- ``deploy.aws_lambda``: ``lambda_handler`` for API Gateway HTTP, REST and WebSocket APIs;
  ``deploy.lambda_startup``: the garbage collector during its cold start.
- ``deploy.package``: ``syncline package`` (the Lambda zip) and ``deploy.template`` (AWS SAM).
"""
