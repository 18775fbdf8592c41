"""The cache tests' Redis fixtures (shared with the subscription tests in ``tests.redis_support``)."""

from tests.redis_support import machine_redis, private_redis

__all__ = ["machine_redis", "private_redis"]
