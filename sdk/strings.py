"""``util.str``: string helpers.

AppSync developer guide, "String helpers in util.str" (APPSYNC_JS):
https://docs.aws.amazon.com/appsync/latest/devguide/str-helpers-in-util-str-js.html
"""

from __future__ import annotations

import unicodedata
from typing import Literal, cast

__all__ = ["NormalizationForm", "normalize", "to_lower", "to_replace", "to_upper"]

NormalizationForm = Literal["nfc", "nfd", "nfkc", "nfkd"]
_FORMS = ("nfc", "nfd", "nfkc", "nfkd")


def to_upper(text: str) -> str:
    """``util.str.toUpper``."""
    return text.upper()


def to_lower(text: str) -> str:
    """``util.str.toLower``."""
    return text.lower()


def to_replace(text: str, old: str, new: str) -> str:
    """``util.str.toReplace``: every occurrence of ``old`` in ``text`` replaced by ``new``."""
    return text.replace(old, new)


def normalize(text: str, form: NormalizationForm | str) -> str:
    """``util.str.normalize``: Unicode normalization; ``form`` is nfc, nfd, nfkc or nfkd."""
    if form.lower() not in _FORMS:
        raise ValueError(f"unknown normalization form {form!r}; use one of {', '.join(_FORMS)}")
    return unicodedata.normalize(cast(Literal["NFC", "NFD", "NFKC", "NFKD"], form.upper()), text)
