"""The API's functions by name, each behind the runtime its config chooses.

Built once per served API (``functions_for``) and shared by the AWS_LAMBDA data sources and the
Invoke endpoint; closed with the server. Building a function starts nothing: local workers start
on first invocation, and an ``aws`` function only builds its boto3 client.

Which function a data source invokes (docs/configuration.md, "Data sources"): a ``functionName``
that names an entry of ``functions:``, else its ``functionArn`` (with ``functionAlias`` as the
qualifier) through the ``aws`` runtime with the standard AWS chain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from resolvers.lambda_.invocation import RuntimeFunction, runtime_factory
from resolvers.registry import Runtime
from schema.errors import DefinitionError
from schema.model import (
    ApiDefinition,
    AwsFunctionTarget,
    DataSource,
    FunctionRuntime,
    LocalFunction,
)

_SHARED_KEY = "lambda_functions"
_REFERENCE = re.compile(
    r"(?:arn:[^:]+:lambda:[^:]+:)?(?:\d{12}:)?(?:function:)?(?P<name>[A-Za-z0-9_.-]+)"
    r"(?::(?P<qualifier>[A-Za-z0-9_$-]+))?"
)
ARN_ONLY_TIMEOUT = 30.0
"""Read timeout for a function known only by ARN: AppSync's own request time limit."""


class Functions:
    def __init__(self, api: ApiDefinition) -> None:
        self.api = api
        self._built: dict[str, RuntimeFunction] = {}
        self._shared: dict[str, Any] = {}

    def get(self, name: str) -> RuntimeFunction:
        """The function ``name`` of ``functions:``; raises ``DefinitionError`` if it cannot be built."""
        function = self._built.get(name)
        if function is None:
            config = self.api.functions[name]
            function = runtime_factory(config.runtime)(config, self.api.root, self._shared)
            self._built[name] = function
        return function

    def local(self, reference: str, qualifier: str | None = None) -> RuntimeFunction | None:
        """A ``local`` function by name, ARN or partial ARN (Invoke API ``FunctionName``), or
        None: the Invoke endpoint serves local functions only, at ``$LATEST``."""
        match = _REFERENCE.fullmatch(reference)
        if match is None:
            return None
        qualifier = match.group("qualifier") or qualifier
        config = self.api.functions.get(match.group("name"))
        if config is None or config.runtime is not FunctionRuntime.LOCAL:
            return None
        if qualifier not in (None, "$LATEST"):
            return None
        return self.get(config.name)

    def for_data_source(self, data_source: DataSource) -> RuntimeFunction:
        config: Mapping[str, Any] = data_source.config
        name, arn = config.get("functionName"), config.get("functionArn")
        if isinstance(name, str) and name in self.api.functions:
            return self.get(name)
        if isinstance(arn, str):
            key = f"{arn}:{config.get('functionAlias') or ''}"
            function = self._built.get(key)
            if function is None:
                target = AwsFunctionTarget(arn, qualifier=config.get("functionAlias"))
                deployed = LocalFunction(
                    arn, "", ARN_ONLY_TIMEOUT, 0, {}, data_source.location,
                    runtime=FunctionRuntime.AWS, aws=target,
                )  # fmt: skip
                factory = runtime_factory(FunctionRuntime.AWS)
                function = factory(deployed, self.api.root, self._shared)
                self._built[key] = function
            return function
        raise DefinitionError(
            data_source.location, f"data source '{data_source.name}': no function {name!r}"
        )

    def close(self) -> None:
        for function in self._built.values():
            function.close()
        self._built.clear()


def functions_for(runtime: Runtime) -> Functions:
    """The served API's functions, created on first use and closed with the server."""
    functions: Functions | None = runtime.shared.get(_SHARED_KEY)
    if functions is None:
        functions = Functions(runtime.api)
        runtime.shared[_SHARED_KEY] = functions
        runtime.exit_stack.callback(functions.close)
    return functions
