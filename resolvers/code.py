"""Loading resolver ``code:`` files: Python modules with ``request(ctx)`` and ``response(ctx)``.

Code files are loaded by path, once, at start-up, under a private module name derived from
the API folder, so an API's own ``resolvers/`` folder never clashes with Syncline's packages
and two APIs in one process never share a module.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from schema.errors import DefinitionError
from schema.model import Location

Handler = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class CodeModule:
    path: Path
    request: Handler | None
    response: Handler | None


def _module_name(root: Path, path: Path) -> str:
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    relative = path.resolve().relative_to(root.resolve()) if path.is_absolute() else path
    dotted = ".".join(relative.with_suffix("").parts).replace("-", "_")
    return f"_syncline_api_{digest}.{dotted}"


def load_module(root: Path, path: Path, location: Location) -> ModuleType:
    """Import ``path`` under a private name; errors become ``DefinitionError`` at ``location``."""
    spec = importlib.util.spec_from_file_location(_module_name(root, path), path)
    if spec is None or spec.loader is None:
        raise DefinitionError(location, f"cannot load code file {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise DefinitionError(
            Location(path, error.lineno or 1), f"syntax error: {error.msg}"
        ) from error
    except Exception as error:
        raise DefinitionError(
            location, f"importing {path} raised {type(error).__name__}: {error}"
        ) from error
    return module


def load_code(root: Path, path: Path, location: Location) -> CodeModule:
    module = load_module(root, path, location)
    handlers: dict[str, Handler | None] = {}
    for name in ("request", "response"):
        handler = getattr(module, name, None)
        if handler is not None and not callable(handler):
            raise DefinitionError(location, f"{path}: '{name}' is not a function")
        handlers[name] = handler
    return CodeModule(path, handlers["request"], handlers["response"])
