"""Syncline's benchmark harness: ``make bench`` → ``python -m bench`` (method in README.md).

Each server under test runs as its own uvicorn process pinned to one CPU; ``wrk``, pinned to
another, drives it. Syncline is reported as a ratio to a *ceiling* server — a bare Starlette
app returning Syncline's own response bytes — measured in the same invocation, so the figure
says how much of the ASGI stack's throughput Syncline's GraphQL work leaves, whatever the machine.

- ``cases``: the GraphQL requests measured and the targets they are held to.
- ``apps``: the ASGI applications the server processes run (Syncline, the ceiling).
- ``servers``: the table of servers and the pinned uvicorn subprocesses that run them.
- ``load``: ``wrk`` — its Lua script, its run, its ``--latency`` output parsed.
- ``report``: the results table, ratios, PASS/MISS, ``bench/results/latest.json``.
"""
