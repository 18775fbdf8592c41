"""Encoding utils and ``util.escapeJavaScript``.

AppSync developer guide, "Built-in utilities" (APPSYNC_JS), sections "Encoding utils" and
"Return value behavior utils":
https://docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html

AppSync runs on the JVM, so "application/x-www-form-urlencoded" means ``java.net.URLEncoder``
with UTF-8 (letters, digits and ``.-*_`` kept, space as ``+``, everything else ``%XX``), which
differs from Python's ``quote_plus`` on ``~`` and ``*``; and "JavaScript escaped" means the
ECMAScript escaping of Apache Commons Lang's ``StringEscapeUtils.escapeEcmaScript``.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote_plus

__all__ = ["base64_decode", "base64_encode", "escape_javascript", "url_decode", "url_encode"]

_URL_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_JS_ESCAPES = {
    "'": "\\'",
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\n": "\\n",
    "\t": "\\t",
    "\f": "\\f",
    "\r": "\\r",
}


def base64_encode(data: str | bytes) -> str:
    """``util.base64Encode``: standard base64 (with padding) of the UTF-8 bytes of ``data``."""
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def base64_decode(data: str) -> str:
    """``util.base64Decode``: the UTF-8 text encoded in ``data``; ``ValueError`` if it is not."""
    try:
        return base64.b64decode(data, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"not base64-encoded UTF-8 text: {exc}") from None


def url_encode(text: str) -> str:
    """``util.urlEncode``: ``application/x-www-form-urlencoded``, as ``java.net.URLEncoder``."""
    return "".join(
        "+" if byte == 0x20 else chr(byte) if byte in _URL_SAFE else f"%{byte:02X}"
        for byte in text.encode()
    )


def url_decode(text: str) -> str:
    """``util.urlDecode``: the reverse of ``url_encode``; ``ValueError`` on a malformed ``%``."""
    if _BAD_PERCENT.search(text):
        raise ValueError(f"malformed %-escape in {text!r}")
    try:
        return unquote_plus(text, errors="strict")
    except UnicodeDecodeError as exc:
        raise ValueError(f"%-escapes in {text!r} are not UTF-8: {exc}") from None


def escape_javascript(text: str) -> str:
    """``util.escapeJavaScript``: ``text`` escaped for a JavaScript string literal.

    Quotes, backslash and ``/`` get a backslash; ``\\b \\n \\t \\f \\r`` their short escapes;
    other control characters and everything outside ASCII become ``\\uXXXX`` (UTF-16 code
    units, so characters beyond the BMP become a surrogate pair).
    """
    out: list[str] = []
    for char in text:
        if char in _JS_ESCAPES:
            out.append(_JS_ESCAPES[char])
        elif " " <= char <= "\x7f":
            out.append(char)
        else:
            units = char.encode("utf-16-be")
            out.extend(f"\\u{units[i]:02X}{units[i + 1]:02X}" for i in range(0, len(units), 2))
    return "".join(out)
