import pytest

from sdk import strings


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(lambda: strings.to_upper("Straße"), "STRASSE", id="upper"),
        pytest.param(lambda: strings.to_lower("HeLLo"), "hello", id="lower"),
        pytest.param(
            lambda: strings.to_replace("hello world", "hello", "mellow"),
            "mellow world",
            id="replace-appsync-example",
        ),
        pytest.param(lambda: strings.to_replace("a-b-c", "-", "+"), "a+b+c", id="replace-all"),
        pytest.param(lambda: strings.normalize("e\u0301", "nfc"), "\u00e9", id="nfc"),
        pytest.param(lambda: strings.normalize("\u00e9", "NFD"), "e\u0301", id="nfd-upper"),
        pytest.param(lambda: strings.normalize("\ufb01", "nfkc"), "fi", id="nfkc"),
        pytest.param(lambda: strings.normalize("\u2460", "nfkd"), "1", id="nfkd"),
    ],
)
def test_string_helpers(call, expected):
    assert call() == expected


def test_normalize_rejects_unknown_form():
    with pytest.raises(ValueError, match="unknown normalization form 'nfx'"):
        strings.normalize("x", "nfx")
