"""Lambda's Invoke API over HTTP, serving the API's ``local`` functions.

``POST /2015-03-31/functions/{FunctionName}/invocations`` as the Lambda API reference ("Invoke")
defines it, so boto3 (``lambda.invoke`` with ``endpoint_url`` = the server), the AWS CLI, other
Lambdas and Syncline's own ``aws`` runtime invoke local handlers over real HTTP:

- ``FunctionName`` is a name, an ARN or a partial ARN, optionally ``:$LATEST``;
- ``X-Amz-Invocation-Type``: ``RequestResponse`` (200 with the result), ``Event`` (202 at once,
  failures logged) or ``DryRun`` (204);
- a function error answers 200 with ``X-Amz-Function-Error: Unhandled`` and the error object;
- refusals are Lambda's: 404 ``ResourceNotFoundException``, 413 ``RequestTooLargeException``
  (6 MB, 1 MB for ``Event``), 400 ``InvalidRequestContentException`` for a body that is not
  JSON, each with ``x-amzn-ErrorType`` as botocore parses it.

Deviation: requests are not authenticated (any SigV4 signature is accepted); bind the server to
127.0.0.1, as by default, or put it behind something that is.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from resolvers.lambda_.errors import InvokeError
from resolvers.lambda_.functions import Functions
from resolvers.lambda_.invocation import InvocationType, function_arn

INVOKE_PATH = "/2015-03-31/functions/{name}/invocations"


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse(
        {"Type": "User", "message": message}, status, headers={"x-amzn-ErrorType": code}
    )


def invoke_routes(functions: Functions) -> list[Route]:
    async def invoke(request: Request) -> Response:
        name = request.path_params["name"]
        qualifier = request.query_params.get("Qualifier")
        function = functions.local(name, qualifier)
        if function is None:
            arn = name if name.startswith("arn:") else function_arn(name)
            return _error(404, "ResourceNotFoundException", f"Function not found: {arn}")
        raw_type = request.headers.get("x-amz-invocation-type", InvocationType.REQUEST_RESPONSE)
        if raw_type not in tuple(InvocationType):
            message = f"1 validation error detected: Value '{raw_type}' at 'invocationType' failed to satisfy constraint"
            return _error(400, "InvalidParameterValueException", message)
        invocation_type = InvocationType(raw_type)
        body = await request.body()
        if len(body) > invocation_type.payload_limit:
            message = f"Request must be smaller than {invocation_type.payload_limit} bytes for the InvokeFunction operation"
            return _error(413, "RequestTooLargeException", message)
        body = body if body.strip() else b"{}"
        try:
            json.loads(body)
        except ValueError as error:
            message = f"Could not parse request body into json: {error}"
            return _error(400, "InvalidRequestContentException", message)
        try:
            invocation = await function.invoke(body, invocation_type)
        except InvokeError as error:
            return _error(error.status_code, error.code, error.message)
        headers = {"X-Amz-Executed-Version": invocation.executed_version}
        if invocation.function_error:
            headers["X-Amz-Function-Error"] = invocation.function_error
        return Response(
            invocation.payload,
            invocation.status_code,
            headers=headers,
            media_type="application/json" if invocation.status_code == 200 else None,
        )

    return [Route(INVOKE_PATH, invoke, methods=["POST"])]
