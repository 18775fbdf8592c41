"""AppSync's server-side cache (AppSync developer guide, "Configuring server-side caching and API
payload compression"), on an in-process cache or on Redis.

Modules, in the order a request meets them:

- ``wiring``: builds an API's cache at start-up from ``appSync.caching`` and the server's
  ``CacheSettings`` (``api_cache``);
- ``operation``: ``CachingExecutor`` — operation level caching, and the evictions mutations ask
  for with ``extensions.evict_from_api_cache``;
- ``resolver``: which resolvers full request and per-resolver caching cache, and the wrapper
  that reads through the cache;
- ``keys``: cache keys (caching keys, identities) and stored values;
- ``api_cache``: the read-through, counters and health, and the guard that turns any backend
  failure into an uncached request;
- ``backends``: ``memory`` (cachetools, bounded by entries and bytes) and ``redis``, which
  speaks to Redis through its own pipelined client (``redis_client``, ``redis_address``,
  ``resp``);
- ``metrics``: Prometheus text for ``GET /metrics``; ``routes``: that and ``FlushApiCache``;
  ``cli``: ``syncline cache flush``.

The user documentation is ``docs/caching.md``.
"""
