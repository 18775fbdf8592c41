"""Syncline's benchmark harness: ``make bench`` → ``python -m bench`` (method in README.md).

Each server under test runs as its own uvicorn process pinned to one CPU; ``wrk``, pinned to
another, drives it. Syncline is reported as a ratio to a *ceiling* server — a bare Starlette
app returning Syncline's own response bytes — measured in the same invocation, so the figure
says how much of the ASGI stack's throughput Syncline's GraphQL work leaves, whatever the machine.

- ``cases``: the GraphQL requests measured, the APIs they run on, the targets they are held to.
- ``orders``: the example's cases: the orders seeded into its embedded store, their checks.
- ``apps``: the ceiling's ASGI application.
- ``servers``: the table of servers and the pinned subprocesses that run them.
- ``load``: ``wrk`` — its Lua script, its run, its ``--latency`` output parsed.
- ``subscribers``: the mutation case's 100 WebSocket subscribers and the delivery check.
- ``memory``: RSS of the example's server idle and after N and 2N requests; the leak check.
- ``report``: the results table, ratios, PASS/MISS, ``bench/results/latest.json``.
"""
