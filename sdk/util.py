"""``util``: the helpers APPSYNC_JS resolver code reaches as ``util.*``, in snake_case.

AppSync developer guide, "Built-in utilities" (APPSYNC_JS):
https://docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html

``util`` is this module; its namespaces are modules too, so ``util.time.now_iso8601()``,
``util.dynamodb.to_map_values(...)`` and ``util.str.to_upper(...)`` read as in JavaScript and
type-check. Binding the name ``str`` here shadows the builtin in this module only, which is why
nothing else is defined in it.
"""

from sdk import dynamodb_convert as dynamodb
from sdk import strings as str
from sdk import time, transform
from sdk.auth import auth_type
from sdk.encoding import base64_decode, base64_encode, escape_javascript, url_decode, url_encode
from sdk.errors import append_error, error, unauthorized
from sdk.ids import auto_id, auto_ksuid, auto_ulid
from sdk.values import (
    default_if_null,
    default_if_null_or_blank,
    default_if_null_or_empty,
    is_boolean,
    is_list,
    is_map,
    is_null,
    is_null_or_blank,
    is_null_or_empty,
    is_number,
    is_string,
    matches,
    type_of,
)

__all__ = [
    "append_error",
    "auth_type",
    "auto_id",
    "auto_ksuid",
    "auto_ulid",
    "base64_decode",
    "base64_encode",
    "default_if_null",
    "default_if_null_or_blank",
    "default_if_null_or_empty",
    "dynamodb",
    "error",
    "escape_javascript",
    "is_boolean",
    "is_list",
    "is_map",
    "is_null",
    "is_null_or_blank",
    "is_null_or_empty",
    "is_number",
    "is_string",
    "matches",
    "str",
    "time",
    "transform",
    "type_of",
    "unauthorized",
    "url_decode",
    "url_encode",
]
