"""The cyclic garbage collector during a Lambda cold start (outside ``deploy.aws_lambda``, so
``server.py`` can pause it before that package's imports begin).

Importing the stack and loading the API allocate a few hundred thousand objects that live as
long as the execution environment; the collector would walk them again and again on the way
(about 3% of a cold start's instructions, ``bench/cold_start.py``). So it is paused while the
handler's modules are imported (INIT) and while the API loads (the first event), then every
object made so far is moved to the permanent generation (``gc.freeze``), where later
collections no longer walk it, and collection resumes. The garbage such a phase leaves in
cycles is kept: a one-off few kilobytes, against every warm event's cheaper collections.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
