import pytest

from sdk import encoding


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        pytest.param("", "", id="empty"),
        pytest.param("hello", "aGVsbG8=", id="ascii"),
        pytest.param("héllo ✓", "aMOpbGxvIOKckw==", id="utf8"),
    ],
)
def test_base64_round_trip(text, encoded):
    assert encoding.base64_encode(text) == encoded
    assert encoding.base64_encode(text.encode()) == encoded
    assert encoding.base64_decode(encoded) == text


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("not base64!", id="alphabet"),
        pytest.param("aGVsbG8", id="padding"),
        pytest.param("//79", id="not-utf8"),
    ],
)
def test_base64_decode_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="base64"):
        encoding.base64_decode(bad)


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        pytest.param("a b&c=d", "a+b%26c%3Dd", id="form-specials"),
        pytest.param("safe.-*_", "safe.-*_", id="java-safe-set"),
        pytest.param("~'!()", "%7E%27%21%28%29", id="java-escapes-these"),
        pytest.param("é/✓", "%C3%A9%2F%E2%9C%93", id="utf8"),
    ],
)
def test_url_round_trip(text, encoded):
    assert encoding.url_encode(text) == encoded
    assert encoding.url_decode(encoded) == text


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        pytest.param("100%", "malformed", id="truncated"),
        pytest.param("%zz", "malformed", id="not-hex"),
        pytest.param("%C3", "UTF-8", id="not-utf8"),
    ],
)
def test_url_decode_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        encoding.url_decode(bad)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        pytest.param("plain text 123", "plain text 123", id="plain"),
        pytest.param(
            """it's "x" \\ </script>""", """it\\'s \\"x\\" \\\\ <\\/script>""", id="quotes"
        ),
        pytest.param("a\nb\tc\rd\be\ff", "a\\nb\\tc\\rd\\be\\ff", id="short-escapes"),
        pytest.param("\x00\x1f\x7f", "\\u0000\\u001F\x7f", id="control"),
        pytest.param("é€", "\\u00E9\\u20AC", id="non-ascii"),
        pytest.param("😀", "\\uD83D\\uDE00", id="surrogate-pair"),
    ],
)
def test_escape_javascript(text, escaped):
    assert encoding.escape_javascript(text) == escaped
