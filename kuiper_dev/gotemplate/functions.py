"""The functions a sink template can call: Go's builtins, eKuiper's and part of sprig's.

eKuiper registers sprig's whole ``FuncMap`` plus ``json``, ``base64`` and ``prop``
(``internal/topo/transform/func.go``); sprig's map wins over Go's builtins, so
``slice`` is sprig's. We implement the functions eKuiper's docs use and the common
arithmetic, string and default helpers; every other sprig name is refused when the
template is compiled, so a rule never fails on it later.
"""

from __future__ import annotations

import base64
import math
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..errors import TemplateFuncError
from ..go import INT64_MAX, INT64_MIN, dumps, format_float_f, int_div, int_rem, wrap_int64
from .fmt import GoInt, go_sprint, go_sprintf, go_sprintln, go_value, type_name

__all__ = ["FUNCS", "UNSUPPORTED_NAMES", "GoFunc", "Param", "truth"]

Param = Literal["any", "string", "int", "bool"]


@dataclass(frozen=True, slots=True)
class GoFunc:
    """A template function with the Go signature its arguments are checked against."""

    name: str
    impl: Callable[..., Any]
    params: tuple[Param, ...]
    variadic: Param | None = None


def truth(v: Any) -> bool:
    """Go's ``IsTrue``: nil, false, zero and empty are false.

    >>> truth(None), truth(0.0), truth(""), truth([]), truth("x"), truth({"a": 0})
    (False, False, False, False, True, True)
    """
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v != 0
    if isinstance(v, str | list | dict):
        return len(v) > 0
    return True


# --- comparison (text/template funcs.go) --------------------------------------------


def _kind(v: Any) -> str | None:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return None


def _eq(a: Any, *others: Any) -> bool:
    if not others:
        raise TemplateFuncError("missing argument for comparison")
    k1 = _kind(a)
    for b in others:
        k2 = _kind(b)
        if k1 != k2:
            if a is not None and b is not None:
                raise TemplateFuncError(
                    f"incompatible types for comparison: {type_name(a)} and {type_name(b)}"
                )
            continue
        if k1 is None:
            if a is None or b is None:
                if a is None and b is None:
                    return True
                continue
            if type(a) is not type(b):
                raise TemplateFuncError(
                    f"non-comparable types {go_value(a)}: {type_name(a)}, "
                    f"{type_name(b)}: {go_value(b)}"
                )
            raise TemplateFuncError(f"non-comparable type {go_value(b)}: {type_name(b)}")
        if a == b:
            return True
    return False


def _lt(a: Any, b: Any) -> bool:
    k1, k2 = _kind(a), _kind(b)
    if k1 is None or k2 is None:
        raise TemplateFuncError("invalid type for comparison")
    if k1 != k2:
        raise TemplateFuncError(
            f"incompatible types for comparison: {type_name(a)} and {type_name(b)}"
        )
    if k1 == "bool":
        raise TemplateFuncError("invalid type for comparison")
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    return _lt(a, b) or _eq(a, b)


# --- len, index, slice ---------------------------------------------------------------


def _len(v: Any) -> int:
    if v is None:
        raise TemplateFuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(v, str):
        return GoInt(len(v.encode()))
    if isinstance(v, list | dict):
        return GoInt(len(v))
    raise TemplateFuncError(f"len of type {type_name(v)}")


def _index_arg(i: Any, cap: int) -> int:
    if i is None:
        raise TemplateFuncError("cannot index slice/array with nil")
    if isinstance(i, bool) or not isinstance(i, int):
        raise TemplateFuncError(f"cannot index slice/array with type {type_name(i)}")
    if i < 0 or i > cap:
        raise TemplateFuncError(f"index out of range: {i}")
    return int(i)


def _index(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise TemplateFuncError("index of untyped nil")
    for ix in indexes:
        if isinstance(item, list | str):
            x = _index_arg(ix, len(item) if isinstance(item, list) else len(item.encode()))
            size = len(item) if isinstance(item, list) else len(item.encode())
            if x == size:
                what = "slice" if isinstance(item, list) else "string"
                raise TemplateFuncError(f"reflect: {what} index out of range")
            item = item[x] if isinstance(item, list) else GoInt(item.encode()[x])
        elif isinstance(item, dict):
            if ix is None:
                raise TemplateFuncError("value is nil; should be of type string")
            if not isinstance(ix, str):
                raise TemplateFuncError(f"value has type {type_name(ix)}; should be string")
            item = item.get(ix)
        elif item is None:
            raise TemplateFuncError("index of nil pointer")
        else:
            raise TemplateFuncError(f"can't index item of type {type_name(item)}")
    return item


def _sprig_slice(lst: Any, *indices: Any) -> Any:
    if not isinstance(lst, list):
        # sprig names the reflect.Kind, not the type
        kind = "map" if isinstance(lst, dict) else type_name(lst)
        raise TemplateFuncError(f"list should be type of slice or array but {kind}")
    if not lst:
        return None
    start = _to_int64(indices[0]) if indices else 0
    end = _to_int64(indices[1]) if len(indices) > 1 else len(lst)
    if not 0 <= start <= end <= len(lst):
        raise TemplateFuncError("reflect.Value.Slice: slice index out of bounds")
    return lst[start:end]


# --- escapers ------------------------------------------------------------------------


def _eval_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    # Go's evalArgs prints a nil operand as the string "<no value>".
    return go_sprint(["<no value>" if a is None else a for a in args])


_HTML = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_JS = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def _html(*args: Any) -> str:
    return "".join(_HTML.get(c, c) for c in _eval_args(args))


def _js(*args: Any) -> str:
    out = []
    for c in _eval_args(args):
        if c in _JS:
            out.append(_JS[c])
        elif ord(c) < 0x20:
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) >= 0x80 and not (c.isprintable() or c == " "):
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_eval_args(args), safe="-_.~")


# --- eKuiper's own -------------------------------------------------------------------


def _ekuiper_base64(v: Any) -> str:
    if v is None:
        raise TemplateFuncError("based64 error for nil")
    if isinstance(v, bool):
        text = "true" if v else "false"
    elif isinstance(v, int):
        text = str(v)
    elif isinstance(v, float):
        text = format_float_f(v)
    elif isinstance(v, str):
        text = v
    elif isinstance(v, dict):
        try:
            text = dumps(v)
        except ValueError as e:
            raise TemplateFuncError(str(e)) from None
    else:
        raise TemplateFuncError(f"Unsupported data type {'slice'} for base64 function.")
    return base64.b64encode(text.encode()).decode()


def _to_json(v: Any) -> str:
    # sprig's toJson (eKuiper's json is the same function) drops Marshal's error.
    try:
        return dumps(v)
    except ValueError:
        return ""


def _to_raw_json(v: Any) -> str:
    # sprig's toRawJson panics on Marshal's error; text/template reports the panic.
    try:
        return dumps(v, escape_html=False)
    except ValueError as e:
        raise TemplateFuncError(str(e)) from None


def _to_pretty_json(v: Any) -> str:
    try:
        return dumps(v, indent="  ")
    except ValueError:
        return ""


# --- sprig: conversions (spf13/cast semantics) ---------------------------------------


def _to_int64(v: Any) -> int:
    """``cast.ToInt64``: numbers truncate, strings parse or give 0, nil is 0."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return wrap_int64(int(v)) if math.isfinite(v) else INT64_MIN
    if isinstance(v, str):
        head, dot, tail = v.partition(".")
        s = head if dot and tail and set(tail) == {"0"} else v  # cast's trimZeroDecimal
        try:
            n = int(s, 0)
        except ValueError:
            return 0
        return n if INT64_MIN <= n <= INT64_MAX else 0
    return 0


def _to_float64(v: Any) -> float:
    if isinstance(v, bool | int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return 0.0
    return 0.0


def _decimal_op(first: Any, rest: tuple[Any, ...], op: str) -> float:
    acc = Decimal(repr(_to_float64(first)))
    for x in rest:
        d = Decimal(repr(_to_float64(x)))
        if op == "+":
            acc += d
        elif op == "-":
            acc -= d
        elif op == "*":
            acc *= d
        else:
            try:
                acc = (acc / d).quantize(Decimal(1).scaleb(-16))
            except (InvalidOperation, ZeroDivisionError) as e:
                raise TemplateFuncError("decimal division by 0") from e
    return float(acc)


def _int_div(a: Any, b: Any, mod: bool) -> int:
    x, y = _to_int64(a), _to_int64(b)
    if y == 0:
        raise TemplateFuncError("runtime error: integer divide by zero")
    return wrap_int64(int_rem(x, y) if mod else int_div(x, y))


def _round(a: Any, p: int, *r_opt: Any) -> float:
    round_on = _to_float64(r_opt[0]) if r_opt else 0.5
    val, pow_ = _to_float64(a), math.pow(10, p)
    digit = pow_ * val
    frac = math.modf(digit)[0]
    return (math.ceil(digit) if frac >= round_on else math.floor(digit)) / pow_


def _default(d: Any, *given: Any) -> Any:
    return given[0] if given and truth(given[0]) else d


def _coalesce(*v: Any) -> Any:
    return next((x for x in v if truth(x)), None)


def _b64dec(s: str) -> str:
    try:
        return base64.b64decode(s, validate=True).decode(errors="replace")
    except ValueError as e:
        return f"illegal base64 data: {e}"


def _quote(*s: Any) -> str:
    return " ".join(go_sprintf("%q", [go_value(x)]) for x in s if x is not None)


def _f(
    name: str, impl: Callable[..., Any], *params: Param, variadic: Param | None = None
) -> GoFunc:
    return GoFunc(name, impl, params, variadic)


_BUILTINS = [
    _f("and", lambda *a: a[-1], "any", variadic="any"),  # short-circuited by the executor
    _f("or", lambda *a: a[-1], "any", variadic="any"),
    _f("not", lambda v: not truth(v), "any"),
    _f("len", _len, "any"),
    _f("index", _index, "any", variadic="any"),
    _f("print", lambda *a: go_sprint(list(a)), variadic="any"),
    _f("printf", lambda f, *a: go_sprintf(f, list(a)), "string", variadic="any"),
    _f("println", lambda *a: go_sprintln(list(a)), variadic="any"),
    _f("eq", _eq, "any", variadic="any"),
    _f("ne", lambda a, b: not _eq(a, b), "any", "any"),
    _f("lt", _lt, "any", "any"),
    _f("le", _le, "any", "any"),
    _f("gt", lambda a, b: not _le(a, b), "any", "any"),
    _f("ge", lambda a, b: not _lt(a, b), "any", "any"),
    _f("html", _html, variadic="any"),
    _f("js", _js, variadic="any"),
    _f("urlquery", _urlquery, variadic="any"),
]

_EKUIPER = [
    _f("json", _to_json, "any"),
    _f("base64", _ekuiper_base64, "any"),
]

_SPRIG = [
    _f("toJson", _to_json, "any"),
    _f("toRawJson", _to_raw_json, "any"),
    _f("toPrettyJson", _to_pretty_json, "any"),
    _f("b64enc", lambda s: base64.b64encode(s.encode()).decode(), "string"),
    _f("b64dec", _b64dec, "string"),
    _f("slice", _sprig_slice, "any", variadic="any"),
    _f("add", lambda *a: wrap_int64(sum(_to_int64(x) for x in a)), variadic="any"),
    _f("add1", lambda a: wrap_int64(_to_int64(a) + 1), "any"),
    _f("sub", lambda a, b: wrap_int64(_to_int64(a) - _to_int64(b)), "any", "any"),
    _f(
        "mul",
        lambda a, *v: wrap_int64(math.prod([_to_int64(a), *map(_to_int64, v)])),
        "any",
        variadic="any",
    ),
    _f("div", lambda a, b: _int_div(a, b, mod=False), "any", "any"),
    _f("mod", lambda a, b: _int_div(a, b, mod=True), "any", "any"),
    _f("max", lambda a, *v: max([_to_int64(a), *map(_to_int64, v)]), "any", variadic="any"),
    _f("min", lambda a, *v: min([_to_int64(a), *map(_to_int64, v)]), "any", variadic="any"),
    _f("addf", lambda *a: _decimal_op(0.0, a, "+"), variadic="any"),
    _f("subf", lambda a, *v: _decimal_op(a, v, "-"), "any", variadic="any"),
    _f("mulf", lambda a, *v: _decimal_op(a, v, "*"), "any", variadic="any"),
    _f("divf", lambda a, *v: _decimal_op(a, v, "/"), "any", variadic="any"),
    _f("floor", lambda a: float(math.floor(_to_float64(a))), "any"),
    _f("ceil", lambda a: float(math.ceil(_to_float64(a))), "any"),
    _f("round", _round, "any", "int", variadic="any"),
    _f("int", lambda a: GoInt(_to_int64(a)), "any"),
    _f("int64", _to_int64, "any"),
    _f("float64", _to_float64, "any"),
    _f("toString", lambda a: a if isinstance(a, str) else go_value(a), "any"),
    _f("upper", str.upper, "string"),
    _f("lower", str.lower, "string"),
    _f("trim", lambda s: s.strip(" \t\n\r\v\f"), "string"),
    _f("trimPrefix", lambda p, s: s.removeprefix(p), "string", "string"),
    _f("trimSuffix", lambda p, s: s.removesuffix(p), "string", "string"),
    _f("replace", lambda old, new, s: s.replace(old, new), "string", "string", "string"),
    _f("contains", lambda sub, s: sub in s, "string", "string"),
    _f("hasPrefix", lambda p, s: s.startswith(p), "string", "string"),
    _f("hasSuffix", lambda p, s: s.endswith(p), "string", "string"),
    _f("quote", _quote, variadic="any"),
    _f("default", _default, "any", variadic="any"),
    _f("empty", lambda v: not truth(v), "any"),
    _f("coalesce", _coalesce, variadic="any"),
    _f("ternary", lambda t, f, c: t if c else f, "any", "any", "bool"),
]

FUNCS: dict[str, GoFunc] = {f.name: f for f in (*_BUILTINS, *_EKUIPER, *_SPRIG)}
"""Every function a template may name, by name."""

# Names eKuiper accepts (the rest of sprig v3, Go's call, eKuiper's prop) that kuiper_dev refuses.
UNSUPPORTED_NAMES = frozenset(
    """hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound
    htmlDate htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch
    abbrev abbrevboth trunc title untitle substr repeat trimall trimAll nospace initials
    randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase
    kebabcase wrap wrapWith squote cat indent nindent plural sha1sum sha256sum sha512sum
    adler32sum atoi seq toDecimal split splitList splitn toStrings until untilStep randInt
    add1f biggest maxf minf join sortAlpha all any compact mustCompact fromJson mustFromJson
    mustToJson mustToPrettyJson mustToRawJson deepCopy mustDeepCopy typeOf typeIs typeIsLike
    kindOf kindIs deepEqual env expandenv getHostByName base dir clean ext isAbs osBase
    osClean osDir osExt osIsAbs b32enc b32dec tuple list dict get set unset hasKey pluck
    keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push
    mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast
    initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas
    mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword
    buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey
    genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver
    semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind
    mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral
    mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin
    prop call""".split()
)
