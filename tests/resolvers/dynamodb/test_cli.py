"""``syncline tables list|import|export``, run in-process through ``server.main``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import server
from tests.apis import write_api

TOP = """
tables:
  Orders:
    partitionKey: id
    globalSecondaryIndexes:
      - {name: byCustomer, partitionKey: customerId, sortKey: createdAt}
    ttlAttribute: expiresAt
  Events:
    partitionKey: topic
    sortKey: seq
"""


@pytest.fixture
def api(tmp_path: Path) -> Path:
    return write_api(tmp_path / "api", "type Query { ping: String }", "", top=TOP)


def tables(api: Path, data: Path, *args: str) -> int:
    return server.main(["tables", *args, "--api-dir", str(api), "--data-dir", str(data)])


def lines(path: Path, *documents: Any) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents))
    return path


PLAIN = [
    {
        "id": "o1",
        "customerId": "c1",
        "createdAt": "2024-01",
        "total": 12.50,
        "items": [{"sku": "a"}],
    },
    {"id": "o2", "customerId": "c1", "createdAt": "2024-02", "total": 100000000000000000001},
]
TYPED = [
    {"Item": {"id": {"S": "o3"}, "tags": {"SS": ["a", "b"]}, "blob": {"B": "AAE="}}},
    {"id": {"S": "o4"}, "scores": {"NS": ["1.5", "2"]}},
]


@pytest.mark.parametrize(
    ("documents", "encoding"),
    [
        pytest.param(PLAIN, "plain", id="plain"),
        pytest.param(TYPED, "dynamodb", id="dynamodb-json"),
    ],
)
def test_import_detects_the_encoding(
    api: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    documents: list[Any],
    encoding: str,
) -> None:
    source = lines(tmp_path / "in.jsonl", *documents)
    assert tables(api, tmp_path / "data", "import", "Orders", str(source)) == 0
    assert f"imported 2 items into Orders ({encoding} JSON)" in capsys.readouterr().err


def test_export_round_trips_dynamodb_json(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    tables(api, data, "import", "Orders", str(lines(tmp_path / "a.jsonl", *PLAIN)))
    tables(api, data, "import", "Orders", str(lines(tmp_path / "b.jsonl", *TYPED)))
    capsys.readouterr()
    assert tables(api, data, "export", "Orders") == 0
    exported = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in exported] == [
        {
            "Item": {
                "id": {"S": "o1"},
                "customerId": {"S": "c1"},
                "createdAt": {"S": "2024-01"},
                "total": {"N": "12.5"},
                "items": {"L": [{"M": {"sku": {"S": "a"}}}]},
            }
        },
        {
            "Item": {
                "id": {"S": "o2"},
                "customerId": {"S": "c1"},
                "createdAt": {"S": "2024-02"},
                "total": {"N": "100000000000000000001"},
            }
        },
        {"Item": {"id": {"S": "o3"}, "tags": {"SS": ["a", "b"]}, "blob": {"B": "AAE="}}},
        {"Item": {"id": {"S": "o4"}, "scores": {"NS": ["1.5", "2"]}}},
    ]
    copy = tmp_path / "copy.jsonl"
    copy.write_text("\n".join(exported) + "\n")
    assert tables(api, tmp_path / "other", "import", "Orders", str(copy)) == 0
    capsys.readouterr()
    tables(api, tmp_path / "other", "export", "Orders", "--output", str(tmp_path / "again.jsonl"))
    assert (tmp_path / "again.jsonl").read_text().splitlines() == exported


def test_export_plain_json(api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    tables(api, data, "import", "Orders", str(lines(tmp_path / "b.jsonl", *TYPED)))
    capsys.readouterr()
    assert tables(api, data, "export", "Orders", "--format", "plain") == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [
        {"id": "o3", "tags": ["a", "b"], "blob": "AAE="},
        {"id": "o4", "scores": [1.5, 2]},
    ]


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        pytest.param(
            [{"id": "a"}, {"id": "b"}, {"nope": "c"}],
            "line 3: One or more parameter values were invalid: Missing the key id in the item",
            id="missing-key",
        ),
        pytest.param(
            [{"id": "a"}, {"id": 1}],
            "line 2: The provided key element does not match",
            id="key-type",
        ),
        pytest.param(
            [{"id": "a"}, ["not", "an", "item"]],
            "line 2: each line must be a JSON object",
            id="not-an-object",
        ),
        pytest.param(
            [{"id": "a", "big": "x" * 410_000}], "line 1: Item size has exceeded", id="too-large"
        ),
        pytest.param(
            [{"Item": {"id": {"S": "a"}}}, {"id": "b"}],
            "line 2: not DynamoDB JSON",
            id="mixed-encodings",
        ),
        pytest.param(
            [{"Item": {"id": {"SS": []}}}],
            "line 1: One or more parameter values were invalid",
            id="empty-set",
        ),
    ],
)
def test_a_bad_line_imports_nothing(
    api: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    documents: list[Any],
    message: str,
) -> None:
    data = tmp_path / "data"
    assert tables(api, data, "import", "Orders", str(lines(tmp_path / "in.jsonl", *documents))) == 1
    error = capsys.readouterr().err
    assert message in error
    assert "nothing was imported" in error
    tables(api, data, "list")
    assert "Orders  id" in capsys.readouterr().out
    tables(api, data, "export", "Orders")
    assert capsys.readouterr().out == ""


def test_malformed_json_names_its_line(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a"}\n\n{"id": \n')
    assert tables(api, tmp_path / "data", "import", "Orders", str(source)) == 1
    assert "line 3: not JSON" in capsys.readouterr().err


def test_format_flag_forces_plain(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = lines(tmp_path / "in.jsonl", {"id": "a", "shape": {"S": "square"}})
    data = tmp_path / "data"
    assert tables(api, data, "import", "Events", str(source), "--format", "plain") == 1
    assert "Missing the key topic" in capsys.readouterr().err
    source = lines(tmp_path / "in.jsonl", {"topic": {"S": "t"}, "seq": {"N": "1"}})
    assert tables(api, data, "import", "Events", str(source), "--format", "plain") == 1
    assert "does not match the schema" in capsys.readouterr().err


def test_progress_bar_on_stderr(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = lines(tmp_path / "in.jsonl", *({"id": f"o{i}"} for i in range(2500)))
    assert tables(api, tmp_path / "data", "import", "Orders", str(source), "--progress") == 0
    err = capsys.readouterr().err
    assert "1000 items" in err
    assert "2000 items" in err
    assert "[##############################] 100%  2000 items\n" in err
    assert "imported 2500 items" in err
    assert tables(api, tmp_path / "quiet", "import", "Orders", str(source), "--no-progress") == 0
    assert "[" not in capsys.readouterr().err


def test_list_shows_every_table(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    tables(api, data, "import", "Orders", str(lines(tmp_path / "in.jsonl", *PLAIN)))
    capsys.readouterr()
    assert tables(api, data, "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "TABLE   KEY         ITEMS  BYTES  INDEXES           TTL",
        "Events  topic, seq  0      0      -                 -",
        "Orders  id          2      106    byCustomer (GSI)  expiresAt",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["import", "Nope", "x.jsonl"], "Table: Nope not found", id="unknown-table"),
        pytest.param(
            ["import", "Orders", "missing.jsonl"], "missing.jsonl: no such file", id="no-file"
        ),
        pytest.param(["export", "Nope"], "Table: Nope not found", id="export-unknown-table"),
    ],
)
def test_command_errors(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert tables(api, tmp_path / "data", *args) == 1
    assert message in capsys.readouterr().err


def test_an_empty_data_dir_is_refused_for_import(
    api: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = lines(tmp_path / "in.jsonl", {"id": "a"})
    assert (
        server.main(
            ["tables", "import", "Orders", str(source), "--api-dir", str(api), "--data-dir", ""]
        )
        == 1
    )
    assert "in-memory tables vanish" in capsys.readouterr().err


def test_the_default_data_dir_is_the_one_serve_uses(
    api: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNCLINE_DATA_DIR", raising=False)
    source = lines(tmp_path / "in.jsonl", {"id": "a"})
    assert server.main(["tables", "import", "Orders", str(source), "--api-dir", str(api)]) == 0
    assert (tmp_path / ".syncline" / "data" / "tables.sqlite3").is_file()
    serve_args = server._parser().parse_args(["serve"])
    assert serve_args.data_dir == server.DEFAULT_DATA_DIR == ".syncline/data"
    monkeypatch.setenv("SYNCLINE_DATA_DIR", str(tmp_path / "elsewhere"))
    assert server._parser().parse_args(["serve"]).data_dir == str(tmp_path / "elsewhere")
    assert server._parser().parse_args(["token", "--sub", "a"]).data_dir == str(
        tmp_path / "elsewhere"
    )
    capsys.readouterr()
