"""The public surface of ``syncline``, and the example resolver of docs/resolver-sdk.md."""

import importlib.util
import re
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import cast

import pytest
from graphql.pyutils import Path

import sdk.time
import syncline
from resolvers.context import (
    EarlyReturn,
    Info,
    Request,
    RequestState,
    ResolverContext,
    current_context,
)
from schema.errors import ResolverError
from syncline import runtime, util

DOCS = FilePath(__file__).parent.parent / "docs" / "resolver-sdk.md"

UTIL_API = {
    "append_error", "auth_type", "auto_id", "auto_ksuid", "auto_ulid", "base64_decode", "base64_encode",
    "default_if_null", "default_if_null_or_blank", "default_if_null_or_empty", "dynamodb",
    "error", "escape_javascript", "is_boolean", "is_list", "is_map", "is_null",
    "is_null_or_blank", "is_null_or_empty", "is_number", "is_string", "matches", "str", "time",
    "transform", "type_of", "unauthorized", "url_decode", "url_encode",
}  # fmt: skip
TIME_API = {
    "now_iso8601", "now_epoch_seconds", "now_epoch_milli_seconds", "now_formatted",
    "parse_formatted_to_epoch_milli_seconds", "parse_iso8601_to_epoch_milli_seconds",
    "epoch_milli_seconds_to_seconds", "epoch_milli_seconds_to_iso8601",
    "epoch_milli_seconds_to_formatted",
}  # fmt: skip
DYNAMODB_API = {
    "to_dynamodb", "to_string", "to_string_set", "to_number", "to_number_set", "to_binary",
    "to_binary_set", "to_boolean", "to_null", "to_list", "to_map", "to_map_values",
    "to_s3_object", "from_s3_object_json", "from_dynamodb", "from_map_values",
}  # fmt: skip


@pytest.mark.parametrize(
    ("namespace", "names"),
    [
        pytest.param(syncline, {"ddb", "extensions", "runtime", "util"}, id="syncline"),
        pytest.param(util, UTIL_API, id="util"),
        pytest.param(util.time, TIME_API, id="util.time"),
        pytest.param(util.dynamodb, DYNAMODB_API | {"AttributeValue"}, id="util.dynamodb"),
        pytest.param(
            util.str,
            {"to_upper", "to_lower", "to_replace", "normalize", "NormalizationForm"},
            id="util.str",
        ),
        pytest.param(runtime, {"early_return", "SkipTo"}, id="runtime"),
    ],
)
def test_public_names(namespace, names):
    assert set(namespace.__all__) == names
    for name in names:
        assert getattr(namespace, name) is not None


def test_namespaces_read_like_appsync():
    assert util.str.to_upper("abc") == "ABC"
    assert util.dynamodb.to_map_values({"id": "1"}) == {"id": {"S": "1"}}
    assert util.time.epoch_milli_seconds_to_seconds(1500) == 1


def _load_docs_example(tmp_path: FilePath):
    text = DOCS.read_text()
    marker = text.index("<!-- example:")
    code = re.search(r"```python\n(.*?)```", text[marker:], re.DOTALL)
    assert code is not None
    path = tmp_path / "createNote.py"
    path.write_text(code.group(1))
    spec = importlib.util.spec_from_file_location("_docs_example_create_note", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _context(arguments) -> ResolverContext:
    return ResolverContext(
        arguments=arguments,
        source=None,
        info=cast(Info, None),  # the example never reads ctx.info
        request_state=RequestState(request=Request(headers={})),
        path=Path(None, "createNote", "Mutation"),
    )


@pytest.fixture
def example(tmp_path, monkeypatch):
    monkeypatch.setattr(
        sdk.time, "_now", lambda: datetime(2018, 2, 6, 19, 1, 35, 749_000, tzinfo=UTC)
    )
    return _load_docs_example(tmp_path)


def test_docs_example_request_builds_a_put_item(example):
    request = example.request(_context({"text": "  hello  "}))
    assert request["operation"] == "PutItem"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", request["key"]["id"]["S"])
    assert request["attributeValues"] == {
        "text": {"S": "hello"},
        "createdAt": {"S": "2018-02-06T19:01:35.749Z"},
    }


def test_docs_example_rejects_blank_text(example):
    with pytest.raises(ResolverError) as caught:
        example.request(_context({"text": " "}))
    assert caught.value.error_type == "ValidationError"
    assert caught.value.error_info == {"field": "text"}


def test_docs_example_returns_early_on_dry_run(example):
    with pytest.raises(EarlyReturn) as caught:
        example.request(_context({"text": "hi", "dryRun": True}))
    assert caught.value.value == {"id": "dry-run", "text": "hi"}
    assert caught.value.skip_to is None


def test_docs_example_response_appends_an_error_and_keeps_the_result(example):
    ctx = _context({})
    ctx.result = {"id": "n-1", "text": "x" * 300}
    token = current_context.set(ctx)
    try:
        assert example.response(ctx) is ctx.result
    finally:
        current_context.reset(token)
    (appended,) = ctx.request_state.appended_errors
    assert appended.message == "text is longer than 280 characters"
    assert appended.path == ["createNote"]
    assert cast(ResolverError, appended.original_error).error_type == "LongText"


def test_docs_example_response_reraises_the_data_source_error(example):
    ctx = _context({})
    ctx.error = ResolverError("throttled", "DynamoDB:ProvisionedThroughputExceededException")
    with pytest.raises(ResolverError, match="throttled") as caught:
        example.response(ctx)
    assert caught.value.error_type == "DynamoDB:ProvisionedThroughputExceededException"
