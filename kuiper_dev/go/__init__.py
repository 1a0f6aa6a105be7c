"""eKuiper's Go value semantics, for every layer above: casts, numbers, JSON, times.

eKuiper is written in Go, so how a value prints, converts, divides or encodes is
Go's. These modules say it once: :mod:`.casts` (``pkg/cast``: ``%v``, type names,
``cast.To*``), :mod:`.numbers` (int64 wrapping, truncating division),
:mod:`.json` (``encoding/json``) and :mod:`.timefmt` (``pkg/cast/time.go``: time
values, eKuiper's format patterns, durations, the configured zone) and
:mod:`.message` (how a message map reads a key).
"""

from __future__ import annotations

from .casts import (
    Strictness,
    describe,
    format_float_f,
    format_float_g,
    go_str,
    go_time_str,
    go_type,
    is_number,
    parse_go_float,
    parse_go_int,
    to_bool,
    to_bytes,
    to_float,
    to_int,
    to_string,
    verb_v,
)
from .json import dumps, normalize, numbers_as_floats
from .message import message_value
from .numbers import INT64_MAX, INT64_MIN, float_sum, int_avg, int_div, int_rem, wrap_int64
from .timefmt import (
    format_time,
    from_unix_milli,
    get_time_zone,
    load_location,
    parse_duration,
    parse_time,
    set_time_zone,
    to_time,
    unix_milli,
)

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "Strictness",
    "describe",
    "dumps",
    "float_sum",
    "format_float_f",
    "format_float_g",
    "format_time",
    "from_unix_milli",
    "get_time_zone",
    "go_str",
    "go_time_str",
    "go_type",
    "int_avg",
    "int_div",
    "int_rem",
    "is_number",
    "load_location",
    "message_value",
    "normalize",
    "numbers_as_floats",
    "parse_duration",
    "parse_go_float",
    "parse_go_int",
    "parse_time",
    "set_time_zone",
    "to_bool",
    "to_bytes",
    "to_float",
    "to_int",
    "to_string",
    "to_time",
    "unix_milli",
    "verb_v",
    "wrap_int64",
]
