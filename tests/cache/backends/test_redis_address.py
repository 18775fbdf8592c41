"""``--redis-url`` as the cache's Redis client reads it: the forms redis-py accepts too."""

from __future__ import annotations

import ssl

import pytest

from cache.backends.redis_address import RedisAddress, parse_redis_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("redis://127.0.0.1:6379/0", RedisAddress("127.0.0.1", 6379), id="plain"),
        pytest.param("redis://cache.internal", RedisAddress("cache.internal", 6379), id="no-port"),
        pytest.param("redis://h:7000/3", RedisAddress("h", 7000, db=3), id="db-in-path"),
        pytest.param("redis://h?db=5", RedisAddress("h", db=5), id="db-in-query"),
        pytest.param(
            "redis://:s%40cret@h/1",
            RedisAddress("h", db=1, password="s@cret"),
            id="password",
        ),
        pytest.param(
            "redis://app:pw@h", RedisAddress("h", username="app", password="pw"), id="acl-user"
        ),
        pytest.param(
            "unix:///run/redis.sock?db=2&password=pw",
            RedisAddress(None, path="/run/redis.sock", db=2, password="pw"),
            id="unix-socket",
        ),
    ],
)
def test_urls(url: str, expected: RedisAddress) -> None:
    assert parse_redis_url(url) == expected


def test_rediss_verifies_the_server_unless_told_not_to() -> None:
    verified = parse_redis_url("rediss://h:6380").tls
    assert verified is not None
    assert verified.verify_mode is ssl.CERT_REQUIRED
    assert verified.check_hostname
    unverified = parse_redis_url("rediss://h:6380?ssl_cert_reqs=none").tls
    assert unverified is not None
    assert unverified.verify_mode is ssl.CERT_NONE
    assert not unverified.check_hostname


def test_an_address_is_shown_without_credentials() -> None:
    assert str(parse_redis_url("redis://:pw@h:1")) == "h:1"
    assert str(parse_redis_url("unix://:pw@/run/redis.sock")) == "unix:/run/redis.sock"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("http://h", "unsupported Redis URL scheme 'http'", id="scheme"),
        pytest.param("redis://:pw@h/zero", "redis://:***@h/zero: the database", id="db"),
        pytest.param("unix://", "needs a socket path", id="unix-without-path"),
        pytest.param("rediss://h?ssl_cert_reqs=maybe", "ssl_cert_reqs must be", id="cert-reqs"),
    ],
)
def test_urls_that_name_no_redis(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        parse_redis_url(url)


def test_redis_py_options_are_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert parse_redis_url("redis://h?socket_keepalive=true") == RedisAddress("h")
    assert "ignores the Redis URL option 'socket_keepalive'" in caplog.text
