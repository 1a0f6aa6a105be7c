"""Conversion and transform functions (``transform_functions.md``).

Follows ``funcs_misc.go``, ``funcs_trans.go`` and ``cast.ToType``: ``cast`` uses
eKuiper's loosest conversion (``CONVERT_ALL``); ``bytea`` from text first tries
base64; ``chr`` returns a Go rune, which is an int32 code point, so an int here.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import zstandard

from ..errors import FunctionError
from ..go import describe, go_str, timefmt, to_bool, to_bytes, to_float, to_int, to_string
from ..sql import ast
from .registry import builtin, check_kind

_TYPES = ("bigint", "float", "string", "boolean", "datetime", "bytea")


def _cast_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    a = args[1]
    if isinstance(a, ast.IntegerLiteral | ast.NumberLiteral | ast.BooleanLiteral):
        return "Expect string type for parameter 1"  # sic: eKuiper names parameter 1
    if isinstance(a, ast.StringLiteral) and a.value not in _TYPES:
        return (
            "Expect one of following value for the 2nd parameter: "
            "bigint, float, string, boolean, datetime, bytea."
        )
    return None


def to_type(value: Any, new_type: Any) -> Any:
    """eKuiper's ``cast.ToType``: convert ``value`` to a SQL type name.

    >>> to_type("12", "bigint"), to_type(1, "boolean"), to_type(2.5, "string")
    (12, True, '2.5')
    """
    if not isinstance(new_type, str):
        raise FunctionError("expect string type for type parameter")
    try:
        if new_type == "bigint":
            return to_int(value, "all")
        if new_type == "float":
            return to_float(value, "all")
        if new_type == "string":
            return to_string(value, "all")
        if new_type == "boolean":
            return to_bool(value, "all")
    except FunctionError as exc:
        raise FunctionError(f"not supported type conversion, got error {exc}") from None
    if new_type == "datetime":
        return timefmt.to_time(value)
    if new_type == "bytea":
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except binascii.Error:
                return value.encode()
        raise FunctionError(f"cannot convert {describe(value)} to bytea")
    raise FunctionError("unknow type, only support bigint, float, string, boolean and datetime")


@builtin("transform", ["any", "string"], validator=_cast_validator)
def cast(value: Any, new_type: Any) -> Any:
    """Convert to ``bigint``, ``float``, ``string``, ``boolean``, ``datetime`` or ``bytea``."""
    return to_type(value, new_type)


@builtin("transform", ["datetime", "string"])
def convert_tz(t: Any, zone: Any) -> datetime:
    """The same instant shown in zone ``zone`` (an IANA name such as ``Asia/Shanghai``)."""
    return timefmt.to_time(t).astimezone(timefmt.load_location(go_str(zone)))


@builtin("transform", ["any"])
def to_seconds(t: Any) -> int:
    """Epoch seconds of a time (ms number, time or text)."""
    return timefmt.unix_milli(timefmt.to_time(t)) // 1000


def _base64_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    msg = check_kind(args[0], "string", 0)
    if msg:
        return msg
    if not isinstance(args[1], ast.StringLiteral):
        return "Expect string type for parameter 2"
    if args[1].value != "base64":
        return "Only base64 is supported for the 2nd parameter."
    return None


@builtin("transform", ["string", "string"], validator=_base64_validator)
def encode(s: Any, scheme: Any) -> str:
    """Base64 text of a string's UTF-8 bytes."""
    if not isinstance(scheme, str):
        raise FunctionError("encode scheme must be a string")
    if scheme.lower() != "base64":
        raise FunctionError("Only base64 encoding is supported.")
    if not isinstance(s, str):
        raise FunctionError("Only string type can be encoded.")
    return base64.b64encode(s.encode()).decode()


@builtin("transform", ["string", "string"], validator=_base64_validator)
def decode(s: Any, scheme: Any) -> bytes:
    """The bytes (bytea) a base64 text stands for."""
    if not isinstance(scheme, str):
        raise FunctionError("decode scheme must be a string")
    if scheme.lower() != "base64":
        raise FunctionError("Only base64 decoding is supported.")
    if not isinstance(s, str):
        raise FunctionError("Only string type can be decoded.")
    try:
        return base64.b64decode(s, validate=True)
    except binascii.Error as exc:
        raise FunctionError(f"fail to decode base64 string: {exc}") from None


def _compressor(method: str, compress: bool) -> Any:
    if method == "zlib":
        return zlib.compress if compress else zlib.decompress
    if method == "gzip":
        return (lambda b: gzip.compress(b, mtime=0)) if compress else gzip.decompress
    if method == "flate":
        if compress:
            return lambda b: _deflate_raw(b)
        return lambda b: zlib.decompress(b, -15)
    if method == "zstd":
        if compress:
            return zstandard.ZstdCompressor().compress
        return lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)
    kind = "compressor" if compress else "decompressor"
    raise FunctionError(f"unsupported {kind}: {method}")


def _deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


def _stateful_compress(ctx: Any, data: Any, method: Any, compress: bool) -> bytes | None:
    if data is None:
        return None
    try:
        raw = to_bytes(data)
    except FunctionError:
        raise FunctionError(f"require string or bytea parameter, but got {go_str(data)}") from None
    name = go_str(method)
    word = "compress" if compress else "decompress"
    previous = ctx.state.get("type")
    if previous is not None and previous != name:
        raise FunctionError(f"{word} type must be consistent, previous {previous}, now {name}")
    fn = _compressor(name, compress)
    ctx.state["type"] = name
    try:
        out: bytes = fn(raw)
    except (zlib.error, OSError, EOFError, zstandard.ZstdError) as exc:
        raise FunctionError(str(exc)) from None
    return out


@builtin("transform", ["string", "string"], null="pass", context=True)
def compress(ctx: Any, data: Any, method: Any) -> bytes | None:
    """Compress text or bytea with ``zlib``, ``gzip`` or ``flate``; the method may not change."""
    return _stateful_compress(ctx, data, method, True)


@builtin("transform", ["string", "string"], null="pass", context=True)
def decompress(ctx: Any, data: Any, method: Any) -> bytes | None:
    """Undo :func:`compress` with the same method."""
    return _stateful_compress(ctx, data, method, False)


@builtin("transform", ["number", "int"])
def trunc(x: Any, digits: Any) -> float:
    """x rounded (half away from zero) to ``digits`` decimals, as Go's toFixed does."""
    v = to_float(x)
    if type(digits) is not int:
        raise FunctionError("The 2nd parameter must be int value.")
    factor = 10.0**digits
    scaled = v * factor
    rounded = int(scaled + (0.5 if scaled >= 0 else -0.5))
    return rounded / factor


def _chr_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 1:
        return f"Expect 1 arguments but found {len(args)}."
    if isinstance(args[0], ast.NumberLiteral | ast.BooleanLiteral):
        return "Expect int type for parameter 1"
    return None


@builtin("transform", ["any"], validator=_chr_validator)
def chr_(v: Any) -> int:
    """The code point of a one-character text, or a number as a code point (an int)."""
    if type(v) is int or type(v) is float:
        return ((int(v) + (1 << 31)) % (1 << 32)) - (1 << 31)  # Go's rune is int32
    if isinstance(v, str):
        if len(v.encode()) > 1:
            raise FunctionError("Parameter length cannot larger than 1.")
        if not v:
            raise FunctionError("Parameter length cannot be 0.")
        return ord(v)
    raise FunctionError("Only bigint, float and string type can be convert to char type.")


@builtin("transform", ["string"])
def hex2dec(s: Any) -> int:
    """A hexadecimal text (with or without ``0x``) as an int."""
    if not isinstance(s, str):
        raise FunctionError(f"invalid input type: {go_str(s)} please input hex string")
    text = s.removeprefix("0x")
    try:
        if not text or text[0] in "_" or text != text.strip():
            raise ValueError
        v = int(text, 16)
    except ValueError:
        raise FunctionError(f"invalid hexadecimal value: {text}") from None
    if not -(1 << 63) <= v < (1 << 63):
        raise FunctionError(f"invalid hexadecimal value: {text}")
    return v


@builtin("transform", ["string"])
def dec2hex(n: Any) -> str:
    """An int as ``0x`` hex text; Go prints a negative one as ``0x-ff``."""
    v = to_int(n, "strict")
    return "0x" + ("-" if v < 0 else "") + format(abs(v), "x")
