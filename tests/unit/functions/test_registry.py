"""The registry: names, null policies, eKuiper's validation wording, error wrapping."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.functions import BUILTINS, FunctionError, builtin, lookup
from kuiper_dev.sql import ast

# every function the docs pages list (docs/en_US/sqls/functions/*.md); the docs'
# regexp_substring and percentile are registered by eKuiper as regexp_substr and
# percentile_cont, so those names are what kuiper_dev registers too
DOCUMENTED = """
abs acos asin atan atan2 bitand bitor bitxor bitnot ceil ceiling cos cosh exp floor ln log mod pi
pow power rand round sign sin sinh sqrt tan tanh cot radians degrees conv
concat endswith format_time indexof length lower lpad ltrim numbytes regexp_matches regexp_replace
regexp_substr reverse rpad rtrim substring startswith split_value trim upper format
cast convert_tz to_seconds encode decode compress decompress trunc chr hex2dec dec2hex
md5 sha1 sha256 sha384 sha512 crc32 to_json parse_json json_path_exists json_path_query
json_path_query_first cardinality array_position element_at array_contains array_create
array_remove array_last_position array_contains_any array_intersect array_union array_max
array_min array_except repeat sequence array_cardinality array_flatten array_distinct array_map
array_join array_shuffle array_concat array_sort kvpair_array_to_obj keys values object zip items
object_construct object_concat erase object_pick obj_to_kvpair_array object_size
now current_timestamp local_time local_timestamp cur_date current_date cur_time current_time
date_calc date_diff day_name day_of_month day day_of_week day_of_year from_days from_unix_time
hour last_day microsecond minute month month_name second
isnull coalesce newuuid tstamp event_time rule_id rule_start mqtt meta last_hit_count
last_hit_time window_start window_end get_keyed_state delay
avg count max min sum collect last_value merge_agg deduplicate median stddev stddevs var vars
percentile_cont percentile_disc last_agg_hit_count last_agg_hit_time
lag latest changed_col had_changed acc_sum acc_avg acc_max acc_min acc_count
unnest extract changed_cols row_number
""".split()


def test_every_documented_function_is_registered() -> None:
    assert [n for n in DOCUMENTED if n not in BUILTINS] == []


def test_every_builtin_has_help_and_a_known_kind() -> None:
    for b in BUILTINS.values():
        assert b.doc, b.name
        assert b.kind in ("scalar", "aggregate", "analytic", "window", "srf", "cols")


def test_lookup_is_case_insensitive_and_aliases_share_the_function() -> None:
    assert lookup("CeIl") is BUILTINS["ceil"]
    assert BUILTINS["ceil"].fn is BUILTINS["ceiling"].fn
    assert BUILTINS["pow"].signature == "pow(number, number)"
    assert lookup("nosuch") is None


def test_registering_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        builtin("math", ["number"], name="abs")(lambda x: x)


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        ("upper", [None], None),
        ("upper", [[]], None),  # an empty array counts as null, as eKuiper's check
        ("keys", [{}], None),
        ("length", [None], 0),
        ("numbytes", [[]], 0),
        ("startswith", [None, "a"], False),
        ("regexp_matches", ["a", None], False),
        ("concat", [None, "a"], "a"),
        ("isnull", [[]], False),
    ],
)
def test_null_policies(name: str, args: list[Any], want: Any) -> None:
    assert BUILTINS[name].fn(*args) == want


def test_python_errors_become_function_errors() -> None:
    with pytest.raises(FunctionError, match="from_days"):
        BUILTINS["from_days"].fn(10**9)


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        ("abs", [ast.StringLiteral("a")], "Expect number - float or int type for parameter 1"),
        ("abs", [ast.ParenExpr(ast.StringLiteral("a"))], None),  # only bare literals are checked
        (
            "bitand",
            [ast.IntegerLiteral(1), ast.NumberLiteral(1.5)],
            "Expect int type for parameter 2",
        ),
        ("upper", [ast.BooleanLiteral(True)], "Expect string type for parameter 1"),
        ("hour", [ast.StringLiteral("x")], "Expect datetime type for parameter 1"),
        ("round", [], "Expect 1 or 2 arguments only"),
        (
            "concat",
            [ast.FieldRef("a"), ast.IntegerLiteral(1)],
            "Expect string type for parameter 2",
        ),
        ("object_concat", [ast.FieldRef("a")], "At least has 2 argument but found 1."),
        ("abs", [ast.TimeLiteral("ss")], "Expect number - float or int type for parameter 1"),
        ("meta", [ast.Wildcard()], None),
        ("meta", [ast.BinaryExpr("->", ast.FieldRef("a"), ast.JsonFieldRef("b"))], None),
        ("meta", [ast.IntegerLiteral(1)], "Expect meta reference type for parameter 1"),
    ],
)
def test_validation_wording(name: str, args: list[ast.Expr], want: str | None) -> None:
    assert BUILTINS[name].validate(args) == want
