"""The table store's public API, as the wire endpoint and the data source call it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest

from resolvers.dynamodb.database import STORE_FILE
from resolvers.dynamodb.errors import (
    CancellationCode,
    ConditionalCheckFailed,
    ResourceNotFound,
    StoreUnavailable,
    TransactionCanceled,
    ValidationError,
)
from resolvers.dynamodb.model import (
    BatchWrite,
    Projection,
    ReturnValues,
    TransactGet,
    TransactOperation,
    TransactWrite,
)
from resolvers.dynamodb.store import TableStore
from schema.definition import load_definition
from schema.errors import DefinitionError
from schema.model import KeySchema, SecondaryIndex, Table
from tests.apis import write_api
from tests.resolvers.dynamodb.support import (
    LOCATION,
    ORDERS,
    TABLES,
    condition,
    key_condition,
    n,
    s,
    update,
)

T = TypeVar("T")


class Clock:
    """An injected clock (epoch seconds) that tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


SESSIONS = Table(
    name="Sessions",
    key=KeySchema("id"),
    global_secondary_indexes=(
        SecondaryIndex(
            "byHolder", KeySchema("holder", "started"), "INCLUDE", non_key_attributes=("device",)
        ),
    ),
    local_secondary_indexes=(),
    ttl_attribute="expiresAt",
    location=LOCATION,
)
ALL_TABLES = {**TABLES, "Sessions": SESSIONS}


def with_store(
    test: Callable[[TableStore], Awaitable[T]],
    data_dir: Path | None = None,
    clock: Clock | None = None,
    tables: dict[str, Table] | None = None,
) -> T:
    async def main() -> T:
        store = TableStore(tables or ALL_TABLES, data_dir, clock=clock or Clock())
        try:
            return await test(store)
        finally:
            await store.close()

    return asyncio.run(main())


# --- ReturnValues ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        pytest.param(ReturnValues.NONE, None, id="none"),
        pytest.param(
            ReturnValues.ALL_OLD,
            {"id": s("o1"), "a": n(1), "m": {"M": {"x": n(1), "y": n(2)}}, "gone": s("g")},
            id="all-old",
        ),
        pytest.param(
            ReturnValues.UPDATED_OLD,
            {"a": n(1), "m": {"M": {"x": n(1)}}, "gone": s("g")},
            id="updated-old",
        ),
        pytest.param(
            ReturnValues.ALL_NEW,
            {"id": s("o1"), "a": n(2), "m": {"M": {"x": n(5), "y": n(2)}}, "b": s("new")},
            id="all-new",
        ),
        pytest.param(
            ReturnValues.UPDATED_NEW,
            {"a": n(2), "m": {"M": {"x": n(5)}}, "b": s("new")},
            id="updated-new",
        ),
    ],
)
def test_update_return_values(choice: ReturnValues, expected: Any) -> None:
    async def body(store: TableStore) -> Any:
        old = {"id": s("o1"), "a": n(1), "m": {"M": {"x": n(1), "y": n(2)}}, "gone": s("g")}
        await store.put_item("Orders", old)
        change = update(
            "SET a = a + :one, m.x = :five, b = :b REMOVE gone", one=n(1), five=n(5), b=s("new")
        )
        result = await store.update_item("Orders", {"id": s("o1")}, change)
        return result.returned(choice)

    assert with_store(body) == expected


def test_put_and_delete_return_the_old_item() -> None:
    async def body(store: TableStore) -> None:
        first = await store.put_item("Orders", {"id": s("o1"), "v": n(1)})
        assert first.returned(ReturnValues.ALL_OLD) is None
        second = await store.put_item("Orders", {"id": s("o1"), "v": n(2)})
        assert second.returned(ReturnValues.ALL_OLD) == {"id": s("o1"), "v": n(1)}
        deleted = await store.delete_item("Orders", {"id": s("o1")})
        assert deleted.returned(ReturnValues.ALL_OLD) == {"id": s("o1"), "v": n(2)}
        assert (await store.delete_item("Orders", {"id": s("o1")})).old is None

    with_store(body)


@pytest.mark.parametrize(
    ("value", "update_", "ok"),
    [
        pytest.param("ALL_NEW", True, True, id="update-all-new"),
        pytest.param("UPDATED_OLD", True, True, id="update-updated-old"),
        pytest.param("ALL_NEW", False, False, id="put-all-new"),
        pytest.param("UPDATED_NEW", False, False, id="put-updated-new"),
        pytest.param("ALL_OLD", False, True, id="put-all-old"),
        pytest.param("all_old", False, False, id="lower-case"),
        pytest.param(None, True, False, id="not-a-string"),
    ],
)
def test_return_values_parse(value: Any, update_: bool, ok: bool) -> None:
    if ok:
        assert ReturnValues.parse(value, update=update_).value == value
    else:
        with pytest.raises(ValidationError, match="Return values set to invalid value"):
            ReturnValues.parse(value, update=update_)


def test_failed_condition_carries_the_typed_item() -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("o1"), "v": n(1)})
        with pytest.raises(ConditionalCheckFailed) as raised:
            await store.put_item("Orders", {"id": s("o1")}, condition("attribute_not_exists(id)"))
        assert raised.value.item == {"id": s("o1"), "v": n(1)}
        assert raised.value.data == {"id": "o1", "v": 1}

    with_store(body)


# --- pages with raw start keys ---------------------------------------------------------------


def test_query_pages_with_last_evaluated_keys() -> None:
    async def body(store: TableStore) -> None:
        for seq in range(5):
            await store.put_item("Events", {"topic": s("t"), "seq": n(seq), "kind": s("k")})
        view = store.view("Events", None)
        cond = key_condition(view, "topic = :t", t=s("t"))
        first = await store.query(view, cond, limit=2)
        assert first.last_key == {"topic": s("t"), "seq": n(1)}
        assert (first.count, first.scanned_count) == (2, 2)
        rest = await store.query(view, cond, start_key=first.last_key)
        assert [i["seq"] for i in rest.items] == [n(2), n(3), n(4)]
        assert rest.last_key is None
        index = store.view("Events", "byKind")
        page = await store.query(index, key_condition(index, "topic = :t", t=s("t")), limit=1)
        assert page.last_key == {"topic": s("t"), "kind": s("k"), "seq": n(0)}
        with pytest.raises(ValidationError, match="The provided starting key is invalid"):
            await store.query(view, cond, start_key={"topic": s("t")})

    with_store(body)


# --- batches ---------------------------------------------------------------------------------


def test_batch_get_in_key_order_across_tables() -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("a")})
        await store.put_item("Events", {"topic": s("t"), "seq": n(1)})
        found = await store.batch_get(
            {
                "Orders": [{"id": s("zz")}, {"id": s("a")}],
                "Events": [{"topic": s("t"), "seq": n(1)}],
            }
        )
        assert found == {
            "Orders": [None, {"id": s("a")}],
            "Events": [{"topic": s("t"), "seq": n(1)}],
        }

    with_store(body)


def test_batch_get_of_an_unknown_table() -> None:
    async def body(store: TableStore) -> None:
        with pytest.raises(ResourceNotFound, match="Table: Nope not found"):
            await store.batch_get({"Nope": [{"id": s("a")}]})

    with_store(body)


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        pytest.param(
            {"Orders": [{"id": s(str(i))} for i in range(101)]},
            "Too many items requested for the BatchGetItem call",
            id="over-100",
        ),
        pytest.param(
            {"Orders": [{"id": s("a")}, {"id": s("a")}]},
            "Provided list of item keys contains duplicates",
            id="duplicates",
        ),
        pytest.param({"Orders": [{"nope": s("a")}]}, "does not match the schema", id="bad-key"),
        pytest.param({"Orders": []}, "greater than or equal to 1", id="no-keys"),
    ],
)
def test_batch_get_rejections(requests: dict[str, Any], message: str) -> None:
    async def body(store: TableStore) -> None:
        with pytest.raises(ValidationError, match=message):
            await store.batch_get(requests)

    with_store(body)


def test_batch_write_puts_and_deletes_in_one_go() -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("old")})
        await store.batch_write(
            [
                BatchWrite.put(
                    "Orders", {"id": s("new"), "customerId": s("c"), "createdAt": s("1")}
                ),
                BatchWrite.delete("Orders", {"id": s("old")}),
                BatchWrite.put("Events", {"topic": s("t"), "seq": n(1)}),
            ]
        )
        found = await store.batch_get(
            {
                "Orders": [{"id": s("new")}, {"id": s("old")}],
                "Events": [{"topic": s("t"), "seq": n(1)}],
            }
        )
        assert found["Orders"][1] is None
        assert found["Orders"][0] is not None
        view = store.view("Orders", "byCustomer")
        page = await store.query(view, key_condition(view, "customerId = :c", c=s("c")))
        assert [i["id"] for i in page.items] == [s("new")]

    with_store(body)


@pytest.mark.parametrize(
    ("writes", "message"),
    [
        pytest.param(
            [BatchWrite.put("Orders", {"id": s(str(i))}) for i in range(26)],
            "less than or equal to 25",
            id="over-25",
        ),
        pytest.param([], "greater than or equal to 1", id="empty"),
        pytest.param(
            [BatchWrite.put("Orders", {"id": s("a")}), BatchWrite.delete("Orders", {"id": s("a")})],
            "Provided list of item keys contains duplicates",
            id="same-item-twice",
        ),
        pytest.param(
            [BatchWrite.put("Orders", {"id": s("a")}), BatchWrite.put("Orders", {"v": s("x")})],
            "Missing the key id in the item",
            id="item-without-key",
        ),
        pytest.param(
            [
                BatchWrite.put("Orders", {"id": s("a")}),
                BatchWrite.put("Orders", {"id": s("b"), "big": s("x" * 410_000)}),
            ],
            "Item size has exceeded the maximum allowed size",
            id="item-too-large",
        ),
    ],
)
def test_rejected_batch_writes_change_nothing(writes: list[BatchWrite], message: str) -> None:
    async def body(store: TableStore) -> None:
        with pytest.raises(ValidationError, match=message):
            await store.batch_write(writes)
        assert await store.get_item("Orders", {"id": s("a")}) is None

    with_store(body)


# --- transactions ----------------------------------------------------------------------------


def put(table: str, item: dict[str, Any], **extra: Any) -> TransactWrite:
    key_names = ["id"] if table == "Orders" else ["topic", "seq"]
    key = {k: item[k] for k in key_names}
    return TransactWrite(TransactOperation.PUT_ITEM, table, key, item=item, **extra)


def test_transaction_writes_across_tables_atomically() -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("o1"), "stock": n(1)})
        await store.put_item("Orders", {"id": s("gone")})
        await store.transact_write(
            [
                put("Events", {"topic": s("orders"), "seq": n(1), "kind": s("placed")}),
                TransactWrite(
                    TransactOperation.UPDATE_ITEM,
                    "Orders",
                    {"id": s("o1")},
                    update=update("SET stock = stock - :one", one=n(1)),
                    condition=condition("stock >= :one", one=n(1)),
                ),
                TransactWrite(TransactOperation.DELETE_ITEM, "Orders", {"id": s("gone")}),
            ]
        )
        assert await store.get_item("Orders", {"id": s("o1")}) == {"id": s("o1"), "stock": n(0)}
        assert await store.get_item("Orders", {"id": s("gone")}) is None
        got = await store.transact_get(
            [
                TransactGet("Events", {"topic": s("orders"), "seq": n(1)}),
                TransactGet("Orders", {"id": s("nope")}),
            ]
        )
        assert got == [{"topic": s("orders"), "seq": n(1), "kind": s("placed")}, None]

    with_store(body)


def test_a_false_condition_cancels_everything_with_one_reason_per_action() -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("o1"), "stock": n(0)})
        await store.put_item("Orders", {"id": s("o2"), "stock": n(0)})
        actions = [
            put("Events", {"topic": s("orders"), "seq": n(1)}),
            TransactWrite(
                TransactOperation.CONDITION_CHECK,
                "Orders",
                {"id": s("o1")},
                condition=condition("stock > :zero", zero=n(0)),
                return_item_on_failure=True,
            ),
            TransactWrite(
                TransactOperation.UPDATE_ITEM,
                "Orders",
                {"id": s("o2")},
                update=update("SET stock = :ten", ten=n(10)),
                condition=condition("stock > :zero", zero=n(0)),
            ),
        ]
        with pytest.raises(TransactionCanceled) as raised:
            await store.transact_write(actions)
        error = raised.value
        assert error.error_type == "DynamoDB:TransactionCanceledException"
        assert error.message == (
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[None, ConditionalCheckFailed, ConditionalCheckFailed]"
        )
        assert [r.code for r in error.reasons] == [
            CancellationCode.NONE,
            CancellationCode.CONDITIONAL_CHECK_FAILED,
            CancellationCode.CONDITIONAL_CHECK_FAILED,
        ]
        assert error.reasons[1].item == {"id": s("o1"), "stock": n(0)}
        assert error.reasons[2].item is None
        assert error.result == {
            "keys": None,
            "cancellationReasons": [
                {"type": "None", "message": None},
                {
                    # DynamoDB Local ends a ConditionCheck's message with a period (differential).
                    "type": "ConditionalCheckFailed",
                    "message": "The conditional request failed.",
                    "item": {"id": "o1", "stock": 0},
                },
                {"type": "ConditionalCheckFailed", "message": "The conditional request failed"},
            ],
        }
        assert await store.get_item("Events", {"topic": s("orders"), "seq": n(1)}) is None
        assert await store.get_item("Orders", {"id": s("o2")}) == {"id": s("o2"), "stock": n(0)}

    with_store(body)


def test_an_item_dependent_validation_error_fails_the_whole_call() -> None:
    """DynamoDB Local fails the call with a ValidationException (no cancellation reasons) when
    an update's operands have the wrong types (tests/resolvers/dynamodb/differential)."""

    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("o1"), "tally": s("not a number")})
        with pytest.raises(ValidationError, match="incorrect data type") as raised:
            await store.transact_write(
                [
                    put("Orders", {"id": s("o2")}),
                    TransactWrite(
                        TransactOperation.UPDATE_ITEM,
                        "Orders",
                        {"id": s("o1")},
                        update=update("SET tally = tally + :one", one=n(1)),
                    ),
                ]
            )
        assert not isinstance(raised.value, TransactionCanceled)
        assert await store.get_item("Orders", {"id": s("o2")}) is None

    with_store(body)


def test_a_key_of_the_wrong_type_cancels_with_a_validation_reason() -> None:
    """A key type mismatch is the action's cancellation reason (DynamoDB Local), reported
    beside the other actions' failed conditions."""

    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("locked-to-S")})
        with pytest.raises(TransactionCanceled) as raised:
            await store.transact_write(
                [
                    put("Orders", {"id": s("o2")}),
                    TransactWrite(TransactOperation.DELETE_ITEM, "Orders", {"id": n(1)}),
                ]
            )
        assert [(r.code, r.message) for r in raised.value.reasons] == [
            (CancellationCode.NONE, None),
            (
                CancellationCode.VALIDATION_ERROR,
                "One or more parameter values were invalid: Type mismatch for key",
            ),
        ]
        assert await store.get_item("Orders", {"id": s("o2")}) is None

    with_store(body)


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        pytest.param(
            [put("Orders", {"id": s("a")}), put("Orders", {"id": s("a"), "v": n(1)})],
            "Transaction request cannot include multiple operations on one item",
            id="same-item",
        ),
        pytest.param([], "greater than or equal to 1", id="empty"),
        pytest.param(
            [put("Orders", {"id": s(str(i))}) for i in range(101)],
            "less than or equal to 100",
            id="over-100",
        ),
        pytest.param(
            [
                TransactWrite(
                    TransactOperation.UPDATE_ITEM,
                    "Orders",
                    {"id": s("a")},
                    update=update("SET id = :v", v=s("b")),
                )
            ],
            "This attribute is part of the key",
            id="update-key",
        ),
    ],
)
def test_transactions_dynamodb_rejects_outright(actions: list[TransactWrite], message: str) -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("locked-to-S")})
        with pytest.raises(ValidationError, match=message):
            await store.transact_write(actions)

    with_store(body)


def test_transact_get_rejects_the_same_item_twice() -> None:
    async def body(store: TableStore) -> None:
        with pytest.raises(ValidationError, match="multiple operations on one item"):
            await store.transact_get([TransactGet("Orders", {"id": s("a")})] * 2)

    with_store(body)


# --- TTL -------------------------------------------------------------------------------------


def session(session_id: str, expires: Any, **extra: Any) -> dict[str, Any]:
    item = {"id": s(session_id), "holder": s("u1"), "started": s(session_id), **extra}
    if expires is not None:
        item["expiresAt"] = expires
    return item


def test_expired_items_are_gone_for_every_read_and_write() -> None:
    clock = Clock(1000.0)

    async def body(store: TableStore) -> None:
        await store.put_item("Sessions", session("a", n(1500)))
        await store.put_item("Sessions", session("b", n(5000)))
        await store.put_item("Sessions", session("text", s("1")))  # not a Number: never expires
        await store.put_item("Sessions", session("none", None))
        view = store.view("Sessions", None)
        by_holder = store.view("Sessions", "byHolder")
        user = key_condition(by_holder, "holder = :u", u=s("u1"))
        assert len((await store.scan(view)).items) == 4

        clock.now = 2000.0  # "a" expired at 1500
        assert await store.get_item("Sessions", {"id": s("a")}) is None
        assert sorted(i["id"]["S"] for i in (await store.scan(view)).items) == ["b", "none", "text"]
        page = await store.query(by_holder, user)
        assert [i["id"] for i in page.items] == [s("b"), s("none"), s("text")]
        assert page.scanned_count == 3
        assert (await store.batch_get({"Sessions": [{"id": s("a")}]})) == {"Sessions": [None]}
        # A write sees no item: the condition passes, the update starts from the key.
        written = await store.update_item(
            "Sessions",
            {"id": s("a")},
            update("SET v = :v", v=n(1)),
            condition("attribute_not_exists(id)"),
        )
        assert written.old is None
        assert written.new == {"id": s("a"), "v": n(1)}

    with_store(body, clock=clock)


def test_ttl_more_than_five_years_in_the_past_is_ignored() -> None:
    clock = Clock(10 * 365 * 24 * 3600.0)

    async def body(store: TableStore) -> None:
        await store.put_item("Sessions", session("ancient", n(1)))
        await store.put_item("Sessions", session("recent", n(clock.now - 10)))
        assert await store.get_item("Sessions", {"id": s("ancient")}) is not None
        assert await store.get_item("Sessions", {"id": s("recent")}) is None
        assert await store.purge_expired() == 1

    with_store(body, clock=clock)


def test_purge_deletes_expired_items_and_their_index_entries(tmp_path: Path) -> None:
    clock = Clock(1000.0)

    async def body(store: TableStore) -> int:
        sessions = (session(f"s{i:04}", n(1001 if i % 2 else 5000)) for i in range(1200))
        await store.import_items("Sessions", sessions)  # more than one purge batch expires
        clock.now = 2000.0
        deleted = await store.purge_expired()
        count = await store._run(
            lambda c: c.execute("SELECT count(*) FROM items WHERE tbl = 'Sessions'").fetchone()[0]
            + c.execute("SELECT count(*) FROM index_entries WHERE tbl = 'Sessions'").fetchone()[0]
        )
        assert count == 600 * 2
        assert await store.purge_expired() == 0
        return deleted

    assert with_store(body, tmp_path, clock) == 600


def test_the_sweeper_runs_in_the_background() -> None:
    clock = Clock(1000.0)

    async def body(store: TableStore) -> None:
        store.ttl_sweep_interval = 0
        await store.put_item("Sessions", session("a", n(1500)))
        clock.now = 2000.0
        store.start_ttl_sweeper()
        assert store.sweeping
        while await store._run(lambda c: c.execute("SELECT count(*) FROM items").fetchone()[0]):
            await asyncio.sleep(0)

    with_store(body, clock=clock)


def test_set_ttl_starts_and_stops_expiry() -> None:
    clock = Clock(1000.0)

    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("o1"), "ttl": n(10)})
        assert await store.get_item("Orders", {"id": s("o1")}) is not None
        await store.set_ttl("Orders", "ttl")
        assert store.table("Orders").ttl_attribute == "ttl"
        assert await store.get_item("Orders", {"id": s("o1")}) is None
        await store.set_ttl("Orders", None)
        assert await store.get_item("Orders", {"id": s("o1")}) is not None

    with_store(body, clock=clock)


# --- INCLUDE projections ---------------------------------------------------------------------


def test_include_projection_holds_keys_and_the_named_attributes() -> None:
    async def body(store: TableStore) -> None:
        await store.put_item("Sessions", session("a", None, device=s("phone"), secret=s("x")))
        view = store.view("Sessions", "byHolder")
        assert view.projection is Projection.INCLUDE
        page = await store.query(view, key_condition(view, "holder = :u", u=s("u1")))
        assert page.items == [
            {"holder": s("u1"), "started": s("a"), "id": s("a"), "device": s("phone")}
        ]

    with_store(body)


@pytest.mark.parametrize(
    ("index", "message"),
    [
        pytest.param(
            SecondaryIndex("i", KeySchema("a"), "INCLUDE"),
            "INCLUDE needs nonKeyAttributes",
            id="include-without",
        ),
        pytest.param(
            SecondaryIndex("i", KeySchema("a"), "ALL", ("b",)),
            "only INCLUDE takes them",
            id="all-with",
        ),
        pytest.param(
            SecondaryIndex("i", KeySchema("a"), "SOME"), "has projection SOME", id="unknown"
        ),
    ],
)
def test_bad_projections_are_definition_errors(index: SecondaryIndex, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        TableStore({"T": replace(ORDERS, name="T", global_secondary_indexes=(index,))}, None)


# --- created tables --------------------------------------------------------------------------


def test_created_tables_persist_until_deleted(tmp_path: Path) -> None:
    notes = Table("Notes", KeySchema("pk", "sk"), (), (), None, LOCATION)

    async def create(store: TableStore) -> None:
        await store.create_table(notes, {"pk": "S", "sk": "N"})
        await store.put_item("Notes", {"pk": s("a"), "sk": n(1)})
        with pytest.raises(ValidationError, match="does not match the schema"):
            await store.put_item("Notes", {"pk": s("a"), "sk": s("1")})
        with pytest.raises(ValidationError, match="Table already exists: Notes"):
            await store.create_table(notes, {})
        assert (await store.table_stats("Notes")).item_count == 1

    with_store(create, tmp_path)

    async def reopen(store: TableStore) -> None:
        await store.open()
        assert store.table("Notes").key == KeySchema("pk", "sk")
        assert await store.get_item("Notes", {"pk": s("a"), "sk": n(1)}) is not None
        await store.delete_table("Notes")
        assert "Notes" not in store.tables

    with_store(reopen, tmp_path)

    async def gone(store: TableStore) -> None:
        await store.open()
        assert "Notes" not in store.tables
        with pytest.raises(ResourceNotFound, match="Table: Notes not found"):
            await store.get_item("Notes", {"pk": s("a"), "sk": n(1)})

    with_store(gone, tmp_path)


# --- bulk ------------------------------------------------------------------------------------


def test_import_is_all_or_nothing_and_export_is_key_ordered() -> None:
    async def body(store: TableStore) -> None:
        good = [{"topic": s("t"), "seq": n(i)} for i in (3, 1, 2)]
        seen: list[int] = []
        assert await store.import_items("Events", iter(good), seen.append) == 3
        bad = [*({"topic": s("u"), "seq": n(i)} for i in range(5)), {"topic": s("u")}]
        with pytest.raises(ValidationError, match="Missing the key seq"):
            await store.import_items("Events", iter(bad))
        exported: list[Any] = []
        assert await store.export_items("Events", exported.append) == 3
        assert [i["seq"] for i in exported] == [n(1), n(2), n(3)]
        stats = await store.table_stats("Events")
        assert stats.item_count == 3
        assert stats.size_bytes > 0

    with_store(body)


def test_import_reports_progress_every_thousand_items() -> None:
    async def body(store: TableStore) -> list[int]:
        seen: list[int] = []
        items = ({"id": s(f"o{i}")} for i in range(2500))
        assert await store.import_items("Orders", items, seen.append) == 2500
        return seen

    assert with_store(body) == [1000, 2000]


def test_include_projection_from_syncline_yml(tmp_path: Path) -> None:
    write_api(
        tmp_path,
        "type Query { ping: String }",
        "",
        top="""
        tables:
          Notes:
            partitionKey: id
            globalSecondaryIndexes:
              - name: byOwner
                partitionKey: ownerId
                projection: INCLUDE
                nonKeyAttributes: [title, tags]
        """,
    )
    (index,) = load_definition(tmp_path).tables["Notes"].global_secondary_indexes
    assert index == SecondaryIndex("byOwner", KeySchema("ownerId"), "INCLUDE", ("title", "tags"))


def test_the_worker_outlives_a_closed_event_loop() -> None:
    """A call still running when its caller's loop closes must not kill the worker thread."""
    store = TableStore(TABLES, None)
    gate = threading.Event()

    async def leave_a_call_behind() -> None:
        store._worker.submit(lambda: gate.wait(5))

    asyncio.run(leave_a_call_behind())
    gate.set()

    async def later() -> Any:
        try:
            return await store.get_item("Orders", {"id": s("x")})
        finally:
            await store.close()

    assert asyncio.run(later()) is None


def test_a_write_lock_held_too_long_is_a_retryable_error(tmp_path: Path) -> None:
    """Another process (say, a long ``syncline tables import``) holds the write lock."""

    async def body(store: TableStore) -> None:
        await store.put_item("Orders", {"id": s("o1")})
        other = sqlite3.connect(tmp_path / STORE_FILE, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreUnavailable) as raised:
                await store.put_item("Orders", {"id": s("o2")})
            assert raised.value.error_type == "DynamoDB:InternalServerError"
            assert "database is locked" in raised.value.message
            assert await store.get_item("Orders", {"id": s("o1")}) is not None  # reads go on
        finally:
            other.execute("ROLLBACK")
            other.close()
        await store.put_item("Orders", {"id": s("o2")})  # and writes resume

    async def main() -> None:
        store = TableStore(ALL_TABLES, tmp_path, busy_timeout=0.05)
        try:
            await body(store)
        finally:
            await store.close()

    asyncio.run(main())
