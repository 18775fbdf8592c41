from typing import cast

import pytest
from graphql.pyutils import Path

from resolvers.context import Info, Request, RequestState, ResolverContext, current_context
from schema.errors import ResolverError, UnauthorizedError, format_error
from sdk import errors


def _context(path: Path) -> ResolverContext:
    # append_error reads only the path and the request state, so no GraphQL info is needed.
    return ResolverContext(
        arguments={},
        source=None,
        info=cast(Info, None),
        request_state=RequestState(request=Request(headers={})),
        path=path,
    )


@pytest.mark.parametrize(
    ("args", "fields"),
    [
        pytest.param(("boom",), ("boom", None, None, None), id="message-only"),
        pytest.param(
            ("bad", "ValidationError", {"id": 1}, {"hint": "x"}),
            ("bad", "ValidationError", {"id": 1}, {"hint": "x"}),
            id="all-fields",
        ),
    ],
)
def test_error_raises_resolver_error(args, fields):
    with pytest.raises(ResolverError) as caught:
        errors.error(*args)
    error = caught.value
    assert (error.message, error.error_type, error.data, error.error_info) == fields


def test_unauthorized_raises_unauthorized_error():
    with pytest.raises(UnauthorizedError) as caught:
        errors.unauthorized()
    assert (caught.value.message, caught.value.error_type) == ("Unauthorized", "Unauthorized")


def test_append_error_records_on_the_running_context():
    ctx = _context(Path(None, "getOrder", "Query"))
    token = current_context.set(ctx)
    try:
        errors.append_error("first")
        errors.append_error("second", "Partial", {"id": "1"}, {"retry": True})
    finally:
        current_context.reset(token)
    formatted = [format_error(e) for e in ctx.request_state.appended_errors]
    assert formatted == [
        {
            "message": "first",
            "path": ["getOrder"],
            "locations": None,
            "errorType": None,
            "data": None,
            "errorInfo": None,
        },
        {
            "message": "second",
            "path": ["getOrder"],
            "locations": None,
            "errorType": "Partial",
            "data": {"id": "1"},
            "errorInfo": {"retry": True},
        },
    ]


def test_append_error_outside_resolver_code_is_a_clear_runtime_error():
    with pytest.raises(RuntimeError, match="only inside resolver code"):
        errors.append_error("nobody is listening")
