"""Query and Scan: key conditions, orderings, pages and ``LastEvaluatedKey``, indexes, Select."""

from __future__ import annotations

from typing import Any

import pytest

from tests.resolvers.dynamodb.differential.pair import Pair

# Sort keys whose orders differ between naive and DynamoDB comparison: numbers numerically
# (negative, decimal, exponent), strings by UTF-8 bytes (uppercase before lowercase, "é" and
# "𝄞" after ASCII, "" impossible for a key), binaries bytewise (0xff last).
NUMBERS = ["-100", "-2.5", "-1", "0", "0.001", "1", "2", "10", "10.5", "99", "1E+20", "-1E-20"]
STRINGS = ["a", "B", "aa", "a b", "Z", "é", "e", "𝄞", "~", "0", "a\u0000b", "ab"]
BINARIES = [b"\x00", b"\x01", b"\xff", b"\x00\x00", b"\x7f", b"\x80", b"a", b"\xfe\xff"]

SORT_VALUES: dict[str, list[Any]] = {"N": NUMBERS, "S": STRINGS, "B": BINARIES}


def _value(kind: str, raw: Any) -> dict[str, Any]:
    return {kind: raw}


def _loaded(pair: Pair, kind: str) -> str:
    table = pair.table({"pk": "S", "sk": kind})
    for side in (pair.ours, pair.theirs):
        for i, raw in enumerate(SORT_VALUES[kind]):
            side.put_item(
                TableName=table,
                Item={"pk": {"S": "p"}, "sk": _value(kind, raw), "i": {"N": str(i)}},
            )
            side.put_item(TableName=table, Item={"pk": {"S": "other"}, "sk": _value(kind, raw)})
    return table


KEY_CONDITIONS = [
    pytest.param("pk = :p", {}, id="partition-only"),
    pytest.param("pk = :p AND sk = :v", {"v": 3}, id="eq"),
    pytest.param("pk = :p AND sk < :v", {"v": 3}, id="lt"),
    pytest.param("pk = :p AND sk <= :v", {"v": 3}, id="le"),
    pytest.param("pk = :p AND sk > :v", {"v": 3}, id="gt"),
    pytest.param("pk = :p AND sk >= :v", {"v": 3}, id="ge"),
    pytest.param("pk = :p AND sk BETWEEN :v AND :w", {"v": 1, "w": 5}, id="between"),
    pytest.param("sk > :v AND pk = :p", {"v": 3}, id="sort-first"),
    pytest.param("(pk = :p) AND (sk < :v)", {"v": 3}, id="parentheses"),
    pytest.param(":v < sk AND pk = :p", {"v": 3}, id="flipped"),
    pytest.param("#k = :p AND #s >= :v", {"v": 0}, id="names"),
]


@pytest.mark.parametrize("kind", [pytest.param(k, id=k) for k in SORT_VALUES])
@pytest.mark.parametrize(("expression", "operands"), KEY_CONDITIONS)
@pytest.mark.parametrize(
    "forward", [pytest.param(True, id="forward"), pytest.param(False, id="backward")]
)
def test_key_condition_order(
    pair: Pair, kind: str, expression: str, operands: dict[str, int], forward: bool
) -> None:
    table = _loaded(pair, kind)
    values = {":p": {"S": "p"}}
    for name, index in operands.items():
        values[f":{name}"] = _value(kind, sorted(SORT_VALUES[kind], key=str)[index])
    names = {"ExpressionAttributeNames": {"#k": "pk", "#s": "sk"}} if "#" in expression else {}
    for limit in (None, 1, 4):
        extra = {"Limit": limit} if limit else {}
        pages = list(
            pair.pages(
                "query",
                TableName=table,
                KeyConditionExpression=expression,
                ExpressionAttributeValues=values,
                ScanIndexForward=forward,
                **names,
                **extra,
            )
        )
        assert pages


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("a", id="a"),
        pytest.param("", id="empty"),
        pytest.param("é", id="multibyte"),
        pytest.param("zz", id="none"),
    ],
)
def test_begins_with_strings(pair: Pair, prefix: str) -> None:
    table = _loaded(pair, "S")
    pair.same(  # begins_with(sk, "") is a ValidationException: no empty key values
        "query",
        TableName=table,
        KeyConditionExpression="pk = :p AND begins_with(sk, :x)",
        ExpressionAttributeValues={":p": {"S": "p"}, ":x": {"S": prefix}},
    )


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param(b"\x00", id="zero"),
        pytest.param(b"\xff", id="ff"),
        pytest.param(b"\xfe", id="fe"),
    ],
)
def test_begins_with_binary(pair: Pair, prefix: bytes) -> None:
    table = _loaded(pair, "B")
    pair.ok(
        "query",
        TableName=table,
        KeyConditionExpression="pk = :p AND begins_with(sk, :x)",
        ExpressionAttributeValues={":p": {"S": "p"}, ":x": {"B": prefix}},
    )


INVALID_KEY_CONDITIONS = [
    pytest.param("sk = :n", {":n": {"N": "1"}}, id="no-partition"),
    pytest.param("pk = :p OR sk = :n", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="or"),
    pytest.param("pk = :p AND sk <> :n", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="not-equal"),
    pytest.param("pk < :p", {":p": {"S": "p"}}, id="partition-range"),
    pytest.param("pk = :p AND x = :n", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="non-key"),
    pytest.param(
        "pk = :p AND sk > :n AND sk < :n", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="two-sort"
    ),
    pytest.param("pk = :p", {":p": {"N": "1"}}, id="partition-type"),
    pytest.param("pk = :p AND sk = :n", {":p": {"S": "p"}, ":n": {"S": "1"}}, id="sort-type"),
    pytest.param(
        "pk = :p AND begins_with(sk, :n)", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="begins-with-n"
    ),
    pytest.param("pk = :p AND NOT sk = :n", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="not"),
    pytest.param(
        "pk = :p AND contains(sk, :n)", {":p": {"S": "p"}, ":n": {"N": "1"}}, id="contains"
    ),
    pytest.param(
        "pk = :p AND sk BETWEEN :b AND :a",
        {":p": {"S": "p"}, ":a": {"N": "1"}, ":b": {"N": "2"}},
        id="between-reversed",
    ),
    pytest.param("pk = :p AND pk = :p", {":p": {"S": "p"}}, id="partition-twice"),
    pytest.param("pk = :p", {":p": {"S": "p"}, ":u": {"S": "u"}}, id="unused-value"),
]


@pytest.mark.parametrize(("expression", "values"), INVALID_KEY_CONDITIONS)
def test_invalid_key_conditions(pair: Pair, expression: str, values: dict[str, Any]) -> None:
    table = _loaded(pair, "N")
    pair.error(
        "ValidationException",
        "query",
        TableName=table,
        KeyConditionExpression=expression,
        ExpressionAttributeValues=values,
    )


def test_query_requires_a_key_condition(pair: Pair) -> None:
    table = _loaded(pair, "N")
    pair.error("ValidationException", "query", TableName=table)


@pytest.mark.parametrize("limit", [pytest.param(n, id=f"limit-{n}") for n in (1, 2, 3, 5, 100)])
def test_filter_applies_after_limit(pair: Pair, limit: int) -> None:
    """``Limit`` counts evaluated items; a page may hold fewer after the filter, or none."""
    table = _loaded(pair, "N")
    pages = list(
        pair.pages(
            "query",
            TableName=table,
            KeyConditionExpression="pk = :p",
            FilterExpression="i > :i",
            ExpressionAttributeValues={":p": {"S": "p"}, ":i": {"N": "6"}},
            Limit=limit,
        )
    )
    assert sum(p["Count"] for p in pages) == 5


def test_one_megabyte_page(pair: Pair) -> None:
    """A page stops once 1 MB was read; the next starts after its LastEvaluatedKey."""
    table = pair.table({"pk": "S", "sk": "N"})
    for side in (pair.ours, pair.theirs):
        for i in range(14):
            side.put_item(
                TableName=table,
                Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "blob": {"S": "x" * 100_000}},
            )
    pages = list(
        pair.pages(
            "query",
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            ProjectionExpression="sk",
        )
    )
    assert len(pages) == 2


@pytest.mark.parametrize(
    ("select", "projection"),
    [
        pytest.param("COUNT", None, id="count"),
        pytest.param("ALL_ATTRIBUTES", None, id="all"),
        pytest.param("SPECIFIC_ATTRIBUTES", "sk, i", id="specific"),
        pytest.param(None, "i", id="projection-only"),
    ],
)
def test_select(pair: Pair, select: str | None, projection: str | None) -> None:
    table = _loaded(pair, "N")
    arguments: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}},
        "Limit": 5,
    }
    if select:
        arguments["Select"] = select
    if projection:
        arguments["ProjectionExpression"] = projection
    pair.ok("query", **arguments)
    scan = {
        k: v
        for k, v in arguments.items()
        if k not in ("KeyConditionExpression", "ExpressionAttributeValues")
    }
    pair.ok("scan", **{**scan, "Limit": 100})


@pytest.mark.parametrize(
    ("select", "projection"),
    [
        pytest.param("SPECIFIC_ATTRIBUTES", None, id="specific-without-projection"),
        pytest.param("ALL_ATTRIBUTES", "sk", id="all-with-projection"),
        pytest.param("COUNT", "sk", id="count-with-projection"),
        pytest.param("ALL_PROJECTED_ATTRIBUTES", None, id="projected-without-index"),
        pytest.param("EVERYTHING", None, id="unknown"),
    ],
)
def test_invalid_select(pair: Pair, select: str, projection: str | None) -> None:
    table = _loaded(pair, "N")
    extra = {"ProjectionExpression": projection} if projection else {}
    pair.error(
        "ValidationException",
        "query",
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select=select,
        **extra,
    )


@pytest.mark.parametrize(
    "start",
    [
        pytest.param({"pk": {"S": "p"}}, id="partial"),
        pytest.param({"pk": {"S": "p"}, "sk": {"S": "1"}}, id="wrong-type"),
        pytest.param({"pk": {"S": "other"}, "sk": {"N": "1"}}, id="other-partition"),
        pytest.param({"pk": {"S": "p"}, "sk": {"N": "1"}, "x": {"N": "1"}}, id="extra"),
    ],
)
def test_invalid_exclusive_start_key(pair: Pair, start: dict[str, Any]) -> None:
    table = _loaded(pair, "N")
    pair.error(
        "ValidationException",
        "query",
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey=start,
    )


def test_start_key_need_not_exist(pair: Pair) -> None:
    table = _loaded(pair, "N")
    pair.ok(
        "query",
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "5.5"}},
    )


@pytest.mark.parametrize(
    ("limit", "bad"),
    [pytest.param(0, "Limit", id="limit-0"), pytest.param(-1, "Limit", id="limit-negative")],
)
def test_invalid_limit(pair: Pair, limit: int, bad: str) -> None:
    table = _loaded(pair, "N")
    pair.error("ValidationException", "scan", TableName=table, **{bad: limit})


# --- secondary indexes -------------------------------------------------------------------------


HASH_ONLY = ("byGKeys", "byGInclude")
"""Indexes without a sort key: items with equal index keys come in no particular order (DynamoDB
Local's order is neither the table's key order nor insertion order), so they are compared as
sets of items."""


def _indexed(pair: Pair) -> str:
    table = pair.table(
        {"pk": "S", "sk": "N"},
        types={"g": "S", "gs": "N", "l": "S"},
        gsis=[
            {
                "IndexName": "byG",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "gs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "byGKeys",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "byGInclude",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]},
            },
        ],
        lsis=[
            {
                "IndexName": "byL",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for side in (pair.ours, pair.theirs):
        for i in range(12):
            item: dict[str, Any] = {"pk": {"S": f"p{i % 3}"}, "sk": {"N": str(i)}}
            if i % 4 != 3:  # sparse: some items are in no index
                item["g"] = {"S": f"g{i % 2}"}
                item["gs"] = {"N": str(i % 5)}  # duplicate index sort keys: table key breaks ties
                item["l"] = {"S": chr(ord("z") - i)}
            item["extra"] = {"S": f"e{i}"}
            item["other"] = {"BOOL": True}
            side.put_item(TableName=table, Item=item)
    return table


@pytest.mark.parametrize(
    ("index", "expression", "values"),
    [
        pytest.param("byG", "g = :g", {":g": {"S": "g0"}}, id="gsi"),
        pytest.param(
            "byG", "g = :g AND gs > :n", {":g": {"S": "g1"}, ":n": {"N": "1"}}, id="gsi-range"
        ),
        pytest.param("byGKeys", "g = :g", {":g": {"S": "g0"}}, id="gsi-keys-only"),
        pytest.param("byGInclude", "g = :g", {":g": {"S": "g1"}}, id="gsi-include"),
        pytest.param("byL", "pk = :p", {":p": {"S": "p1"}}, id="lsi"),
        pytest.param(
            "byL", "pk = :p AND l < :l", {":p": {"S": "p0"}, ":l": {"S": "u"}}, id="lsi-range"
        ),
    ],
)
@pytest.mark.parametrize("limit", [pytest.param(None, id="all"), pytest.param(2, id="pages-of-2")])
@pytest.mark.parametrize("forward", [pytest.param(True, id="asc"), pytest.param(False, id="desc")])
def test_index_query(
    pair: Pair,
    index: str,
    expression: str,
    values: dict[str, Any],
    limit: int | None,
    forward: bool,
) -> None:
    table = _indexed(pair)
    arguments = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": expression,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": forward,
        **({"Limit": limit} if limit else {}),
    }
    if index in HASH_ONLY:
        pair.collect("query", **arguments)
    else:
        list(pair.pages("query", **arguments))


@pytest.mark.parametrize(
    ("index", "select", "extra"),
    [
        pytest.param("byL", "ALL_ATTRIBUTES", {}, id="lsi-all-attributes-fetches-item"),
        pytest.param("byGKeys", "ALL_ATTRIBUTES", {}, id="gsi-keys-only-all-attributes"),
        pytest.param("byG", "ALL_ATTRIBUTES", {}, id="gsi-all"),
        pytest.param("byGKeys", "ALL_PROJECTED_ATTRIBUTES", {}, id="projected"),
        pytest.param(
            "byGKeys",
            "SPECIFIC_ATTRIBUTES",
            {"ProjectionExpression": "other"},
            id="gsi-non-projected-attribute",
        ),
        pytest.param(
            "byL",
            "SPECIFIC_ATTRIBUTES",
            {"ProjectionExpression": "other"},
            id="lsi-non-projected-attribute",
        ),
        pytest.param("byG", None, {"ConsistentRead": True}, id="gsi-consistent-read"),
        pytest.param("byL", None, {"ConsistentRead": True}, id="lsi-consistent-read"),
        pytest.param("nope", None, {}, id="unknown-index"),
    ],
)
def test_index_select(pair: Pair, index: str, select: str | None, extra: dict[str, Any]) -> None:
    table = _indexed(pair)
    key = "pk = :p" if index == "byL" else "g = :g"
    values = {":p": {"S": "p1"}} if index == "byL" else {":g": {"S": "g0"}}
    arguments = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": key,
        "ExpressionAttributeValues": values,
        **({"Select": select} if select else {}),
        **extra,
    }
    ours, theirs = pair.outcomes("query", **arguments)
    if index in HASH_ONLY and ours.error is None and theirs.error is None:
        pair.collect("query", **arguments)
    else:
        assert ours == theirs, f"syncline: {ours}\nlocal:    {theirs}"


@pytest.mark.parametrize(
    "index",
    [pytest.param(None, id="table"), pytest.param("byG", id="gsi"), pytest.param("byL", id="lsi")],
)
@pytest.mark.parametrize("limit", [pytest.param(None, id="all"), pytest.param(3, id="pages-of-3")])
def test_scan(pair: Pair, index: str | None, limit: int | None) -> None:
    table = _indexed(pair)
    extra = {"IndexName": index} if index else {}
    pair.scan_all(TableName=table, **extra, **({"Limit": limit} if limit else {}))


@pytest.mark.parametrize("total", [pytest.param(n, id=f"segments-{n}") for n in (1, 2, 5)])
def test_parallel_scan_covers_the_table_once(pair: Pair, total: int) -> None:
    """Segments split the table differently on each side (by a hash of the partition key), so
    the union is compared: every item once, none twice."""
    table = _indexed(pair)
    union: list[list[Any]] = [[], []]
    for segment in range(total):
        for n, side in enumerate((pair.ours, pair.theirs)):
            start: Any = None
            while True:
                extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
                page = side.scan(
                    TableName=table, Segment=segment, TotalSegments=total, Limit=2, **extra
                )
                union[n].extend(page["Items"])
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
    keys = [sorted((i["pk"]["S"], i["sk"]["N"]) for i in items) for items in union]
    assert keys[0] == keys[1]
    assert len(keys[0]) == len(set(keys[0])) == 12


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"Segment": 0}, id="segment-alone"),
        pytest.param({"TotalSegments": 2}, id="total-alone"),
        pytest.param({"Segment": 2, "TotalSegments": 2}, id="segment-too-big"),
        pytest.param({"Segment": -1, "TotalSegments": 2}, id="segment-negative"),
        pytest.param({"Segment": 0, "TotalSegments": 0}, id="total-zero"),
        pytest.param({"Segment": 0, "TotalSegments": 1_000_001}, id="total-too-big"),
    ],
)
def test_invalid_segments(pair: Pair, arguments: dict[str, int]) -> None:
    table = _indexed(pair)
    pair.error("ValidationException", "scan", TableName=table, **arguments)
