import pytest

from resolvers.context import EarlyReturn, SkipTo
from sdk import runtime


@pytest.mark.parametrize(
    ("kwargs", "value", "skip_to"),
    [
        pytest.param({}, None, None, id="no-value"),
        pytest.param({"value": {"hello": "world"}}, {"hello": "world"}, None, id="value"),
        pytest.param({"value": 1, "skip_to": "END"}, 1, SkipTo.END, id="end-string"),
        pytest.param({"value": 2, "skip_to": "NEXT"}, 2, SkipTo.NEXT, id="next-string"),
        pytest.param({"value": 3, "skip_to": SkipTo.END}, 3, SkipTo.END, id="enum"),
    ],
)
def test_early_return_raises_early_return(kwargs, value, skip_to):
    with pytest.raises(EarlyReturn) as caught:
        runtime.early_return(**kwargs)
    assert caught.value.value == value
    assert caught.value.skip_to is skip_to


def test_early_return_rejects_unknown_skip_to():
    with pytest.raises(ValueError, match="skip_to must be 'END' or 'NEXT', got 'LATER'"):
        runtime.early_return(None, "LATER")  # type: ignore[arg-type]
