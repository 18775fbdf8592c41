"""HTTP services an API folder ships (Syncline's own ``services:`` block).

A service is an ASGI application (``app: services/carrier_rates.app``) that Syncline serves at
``/services/<name>`` next to the API, so an example or a local stack works offline with
``syncline serve`` alone. An HTTP data source reaches it with ``service: <name>`` instead of an
``endpoint``: its requests go through the whole HTTP data source (request object, signing,
timeout, size limit, response object) over an in-process ASGI transport, which does not depend
on the port the server listens on. At scale, ``endpoint:`` points at the deployed service and
nothing else changes.

Modules are loaded by path, once, when the API loads (``resolvers.code.load_module``); a module
that fails to import or names no ASGI callable is a definition error with ``file:line``.
Deviation from a standalone server: a service's own lifespan events are not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.code import load_module
from resolvers.registry import Runtime
from schema.errors import DefinitionError
from schema.model import LocalService

SERVICES_PREFIX = "/services"
_SHARED_KEY = "services"

ASGIApp = Any


def load_service(runtime: Runtime, service: LocalService) -> ASGIApp:
    module_path, _, attribute = service.app.rpartition(".")
    path = runtime.api.root / (module_path.replace(".", "/") + ".py")
    module = load_module(runtime.api.root, path, service.location)
    app = getattr(module, attribute, None)
    if not callable(app):
        raise DefinitionError(service.location, f"{path}: '{attribute}' is not an ASGI application")
    return app


def services_for(runtime: Runtime) -> Mapping[str, ASGIApp]:
    """The API's services by name, loaded once per served API."""
    services: dict[str, ASGIApp] | None = runtime.shared.get(_SHARED_KEY)
    if services is None:
        services = {
            name: load_service(runtime, service) for name, service in runtime.api.services.items()
        }
        runtime.shared[_SHARED_KEY] = services
    return services
