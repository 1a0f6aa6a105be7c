"""Planning a rule's inputs: the columns it reads, the schema it decodes, table sizes,
window specs and which streams and tables it takes rows from."""

from __future__ import annotations

import pytest

from kuiper_dev.engine import Catalog
from kuiper_dev.engine.planning import (
    field_refs,
    plan_inputs,
    pruned_schema,
    retain_size,
    stream_decoder,
    used_columns,
    window_spec,
)
from kuiper_dev.engine.windows import WindowSpec
from kuiper_dev.errors import DecodeError, PlanError
from kuiper_dev.sql import parse_select


@pytest.fixture
def catalog() -> Catalog:
    catalog = Catalog()
    catalog.create(
        'CREATE STREAM s (a BIGINT, b STRING, ts BIGINT, c FLOAT) WITH (DATASOURCE="s", '
        'TIMESTAMP="ts")'
    )
    catalog.create(
        'CREATE STREAM strict (a BIGINT, b STRING) WITH (DATASOURCE="st", STRICT_VALIDATION="true")'
    )
    catalog.create("CREATE STREAM free () WITH ()")
    catalog.create('CREATE TABLE kept (id BIGINT) WITH (DATASOURCE="k", RETAIN_SIZE="2")')
    catalog.create(
        'CREATE TABLE mem (id BIGINT) WITH (DATASOURCE="topic/mem", KIND="lookup", '
        'TYPE="memory", KEY="id")'
    )
    catalog.create('CREATE TABLE ext (id BIGINT) WITH (DATASOURCE="e", KIND="lookup", TYPE="sql")')
    return catalog


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT a, b + c AS d FROM s WHERE e > 1", {"a", "b", "c", "e"}),
        (
            "SELECT a FROM s GROUP BY g, TUMBLINGWINDOW(ss, 1) HAVING count(h) > 1 ORDER BY o",
            {"a", "g", "h", "o"},
        ),
        ("SELECT s.a, m->k FROM s", {"a", "m"}),  # a path reads its top column only
        ("SELECT count(*) FROM s", None),  # a * in a call reads every column too
        ("SELECT collect(*)[0]->a AS x FROM s GROUP BY TUMBLINGWINDOW(ss, 1)", None),
        ("SELECT meta(*) AS m, a FROM s", {"a"}),  # the meta key * is no wildcard
        ("SELECT * FROM s", None),  # every column
        ("SELECT *, a FROM s", None),
        ("SELECT * EXCEPT(a) FROM s", None),
    ],
)
def test_used_columns(sql: str, expected: set[str] | None) -> None:
    assert used_columns(parse_select(sql)) == expected


def test_field_refs_finds_every_column_reference() -> None:
    refs = field_refs(parse_select("SELECT a, upper(s.b) FROM s WHERE c > 1"))
    assert [(r.stream, r.name) for r in refs] == [(None, "a"), ("s", "b"), (None, "c")]


@pytest.mark.parametrize(
    ("used", "kept"),
    [
        ({"a"}, ["a", "ts"]),  # the TIMESTAMP column is always decoded
        ({"c", "a"}, ["a", "ts", "c"]),  # in the stream's order
        ({"a", "nope"}, ["a", "ts"]),
        (set(), ["ts"]),
        (None, ["a", "b", "ts", "c"]),
    ],
)
def test_pruned_schema_keeps_the_columns_a_rule_reads(
    catalog: Catalog, used: set[str] | None, kept: list[str]
) -> None:
    schema = pruned_schema(catalog.get("s"), used)
    assert schema is not None and list(schema) == kept


def test_a_schemaless_stream_has_nothing_to_prune(catalog: Catalog) -> None:
    assert pruned_schema(catalog.get("free"), {"a"}) is None


def test_a_typed_stream_decodes_only_the_columns_read(catalog: Catalog) -> None:
    decode = stream_decoder(catalog.get("s"), {"b"})
    assert decode(b'{"a": "not a number", "b": "ok", "c": 1}') == [{"b": "ok"}]
    with pytest.raises(DecodeError, match="^a has wrong type:string, expect:bigint$"):
        stream_decoder(catalog.get("s"), {"a"})(b'{"a": "not a number"}')


def test_strict_validation_checks_the_columns_read(catalog: Catalog) -> None:
    assert stream_decoder(catalog.get("strict"), {"a"})(b'{"a": 1}') == [{"a": 1}]
    with pytest.raises(DecodeError, match="^error in preprocessor: field b is not found$"):
        stream_decoder(catalog.get("strict"), None)(b'{"a": 1}')


def test_a_delimited_stream_splits_at_its_delimiter() -> None:
    stream = Catalog().create('CREATE STREAM d () WITH (FORMAT="delimited", DELIMITER=";")')
    assert stream_decoder(stream, None)(b"x;1") == [{"col0": "x", "col1": "1"}]


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ("", 9999),  # no TYPE: a file-like table keeps everything
        (', TYPE="file"', 9999),
        (', TYPE="mqtt"', 1),  # other tables keep their latest row
        (', TYPE="memory", RETAIN_SIZE="0"', 1),
        (', RETAIN_SIZE="3"', 3),
        (', TYPE="mqtt", RETAIN_SIZE="5"', 5),
    ],
)
def test_retain_size_follows_ekuipers_scan_table_defaults(options: str, size: int) -> None:
    table = Catalog().create(f'CREATE TABLE t (a BIGINT) WITH (DATASOURCE="t"{options})')
    assert retain_size(table) == size


@pytest.mark.parametrize(
    ("window", "spec"),
    [
        ("TUMBLINGWINDOW(ss, 10)", WindowSpec("tumbling", "SS", 10)),
        ("HOPPINGWINDOW(mi, 10, 5)", WindowSpec("hopping", "MI", 10, 5)),
        ("SLIDINGWINDOW(ms, 100)", WindowSpec("sliding", "MS", 100)),
        ("SLIDINGWINDOW(ss, 10, 2)", WindowSpec("sliding", "SS", 10, 0, 2)),  # delay, no hop
        ("SESSIONWINDOW(hh, 2, 1)", WindowSpec("session", "HH", 2, 1)),
        ("COUNTWINDOW(5)", WindowSpec("count", None, 5)),
        ("COUNTWINDOW(5, 2)", WindowSpec("count", None, 5, 2)),
    ],
)
def test_window_spec_of_each_kind(window: str, spec: WindowSpec) -> None:
    select = parse_select(f"SELECT count(*) FROM s GROUP BY {window}")
    assert window_spec(select.window) == spec


def test_a_state_window_has_no_spec() -> None:
    select = parse_select("SELECT count(*) FROM s GROUP BY STATEWINDOW(a > 1, a < 0)")
    with pytest.raises(PlanError, match="^a state window has no length or unit"):
        window_spec(select.window)


def test_the_from_stream_is_tagged_by_its_alias_and_keeps_no_rows(catalog: Catalog) -> None:
    inputs = plan_inputs(parse_select("SELECT a FROM s AS x"), (), catalog)
    assert list(inputs) == ["s"]
    assert (inputs["s"].tag, inputs["s"].retain, inputs["s"].lookup) == ("x", 0, None)
    assert inputs["s"].decode(b'{"a": 1, "b": "unread"}') == [{"a": 1}]


def test_joined_tables_keep_their_retain_size_and_lookups_their_topic_and_key(
    catalog: Catalog,
) -> None:
    select = parse_select(
        "SELECT s.a FROM s INNER JOIN kept AS k ON s.a = k.id INNER JOIN mem ON s.a = mem.id"
    )
    inputs = plan_inputs(select, tuple(select.joins), catalog)
    assert [(n, i.tag, i.retain, i.lookup) for n, i in inputs.items()] == [
        ("s", "s", 0, None),
        ("kept", "k", 2, None),
        ("mem", "mem", 1, ("topic/mem", "id")),
    ]


def test_a_lookup_table_other_than_memory_is_refused(catalog: Catalog) -> None:
    select = parse_select("SELECT s.a FROM s INNER JOIN ext ON s.a = ext.id")
    with pytest.raises(
        PlanError, match='^table ext: kuiper_dev joins lookup tables of TYPE="memory"'
    ):
        plan_inputs(select, tuple(select.joins), catalog)


def test_an_unknown_joined_stream_points_at_its_name(catalog: Catalog) -> None:
    select = parse_select("SELECT * FROM s INNER JOIN kep ON s.a = kep.id")
    with pytest.raises(PlanError) as info:
        plan_inputs(select, tuple(select.joins), catalog)
    assert info.value.message == 'stream kep not found. Did you mean "kept"?'
    assert (info.value.line, info.value.column) == (1, 28)


def test_a_meta_key_is_no_column_reference() -> None:
    from kuiper_dev.engine.planning import field_refs
    from kuiper_dev.sql import parse_select

    select = parse_select("SELECT a, meta(topic) AS t, mqtt(qos) FROM s WHERE meta(b) = 'x'")
    assert sorted(r.name for r in field_refs(select)) == ["a"]
