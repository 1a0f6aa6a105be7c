"""Catalog: streams and tables from DDL, replaced or refused, looked up with "did you mean"."""

from __future__ import annotations

import pytest

from kuiper_dev.engine import Catalog
from kuiper_dev.errors import PlanError
from kuiper_dev.sql import ast, parse_stream


@pytest.fixture
def catalog() -> Catalog:
    catalog = Catalog()
    catalog.create('CREATE STREAM demo (a BIGINT) WITH (DATASOURCE="topic/demo")')
    catalog.create('CREATE TABLE lookup (id BIGINT) WITH (DATASOURCE="t")')
    return catalog


def test_with_properties_become_the_stream_definition() -> None:
    stream = Catalog().create(
        'CREATE STREAM s (ts BIGINT, v FLOAT) WITH (DATASOURCE="topic/s", FORMAT="JSON", '
        'TIMESTAMP="ts", STRICT_VALIDATION="TRUE")'
    )
    assert (stream.name, stream.datasource, stream.format) == ("s", "topic/s", "json")
    assert stream.schema is not None and list(stream.schema) == ["ts", "v"]
    assert (stream.timestamp, stream.kind, stream.strict) == ("ts", "stream", True)
    assert stream.plain_json is False  # strict validation leaves the generated decoders out


def test_a_bare_stream_is_schemaless_json_read_from_its_own_name() -> None:
    stream = Catalog().create("CREATE STREAM s () WITH ()")
    assert (stream.schema, stream.datasource, stream.format) == (None, "s", "json")
    assert (stream.timestamp, stream.strict, stream.plain_json) == (None, False, True)


@pytest.mark.parametrize(("fmt", "plain_json"), [("delimited", False), ("binary", False)])
def test_the_other_decoded_formats_are_not_plain_json(fmt: str, plain_json: bool) -> None:
    stream = Catalog().create(f'CREATE STREAM s () WITH (FORMAT="{fmt}")')
    assert stream.format == fmt and stream.plain_json is plain_json


def test_a_format_the_engine_cannot_decode_is_refused_with_the_ones_it_can() -> None:
    with pytest.raises(PlanError) as info:
        Catalog().create('CREATE STREAM s () WITH (FORMAT="protobuf")')
    assert str(info.value) == (
        "stream s: FORMAT='protobuf' is not decoded by kuiper_dev yet; "
        'use FORMAT="json", "delimited" or "binary"'
    )


def test_create_replaces_a_definition_by_default(catalog: Catalog) -> None:
    catalog.create('CREATE STREAM demo (b STRING) WITH (DATASOURCE="elsewhere")')
    stream = catalog.get("demo")
    assert stream.schema is not None and list(stream.schema) == ["b"]
    assert stream.datasource == "elsewhere"


@pytest.mark.parametrize(
    ("ddl", "message"),
    [
        ('CREATE STREAM demo (b BIGINT) WITH (DATASOURCE="x")', "stream demo already exists"),
        ('CREATE TABLE lookup (b BIGINT) WITH (DATASOURCE="x")', "table lookup already exists"),
    ],
)
def test_create_without_replace_refuses_an_existing_name(
    catalog: Catalog, ddl: str, message: str
) -> None:
    with pytest.raises(PlanError, match=f"^{message}; drop it first$"):
        catalog.create(ddl, replace=False)


def test_create_takes_a_parsed_statement(catalog: Catalog) -> None:
    stmt = parse_stream('CREATE STREAM parsed () WITH (DATASOURCE="p")')
    assert catalog.create(stmt).statement is stmt
    assert catalog.get("parsed").datasource == "p"


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("dmeo", ' Did you mean "demo"?'),
        ("Demo", ' Did you mean "demo"?'),  # names are case-sensitive
        ("lookups", ' Did you mean "lookup"?'),  # tables are offered too
        ("qqqq", " Define it with CREATE STREAM."),
    ],
)
def test_an_unknown_name_says_did_you_mean_or_how_to_define_it(
    catalog: Catalog, name: str, hint: str
) -> None:
    with pytest.raises(PlanError) as info:
        catalog.get(name)
    assert str(info.value) == f"stream {name} not found.{hint}"


def test_a_failed_lookup_points_where_the_rule_names_the_stream(catalog: Catalog) -> None:
    with pytest.raises(PlanError) as info:
        catalog.get("dmeo", at=ast.Pos(2, 6))
    assert (info.value.line, info.value.column) == (2, 6)


def test_drop_removes_and_an_unknown_name_fails_as_a_lookup_does(catalog: Catalog) -> None:
    catalog.drop("demo")
    assert catalog.names() == ["lookup"]
    with pytest.raises(PlanError) as info:
        catalog.drop("demo")
    assert str(info.value) == "stream demo not found. Define it with CREATE STREAM."


def test_names_are_sorted(catalog: Catalog) -> None:
    catalog.create("CREATE STREAM alpha () WITH ()")
    assert catalog.names() == ["alpha", "demo", "lookup"]
