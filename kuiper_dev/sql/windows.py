"""Window calls to :class:`~kuiper_dev.sql.ast.Window` (``docs/en_US/sqls/windows.md``).

The argument rules and their messages are eKuiper's ``validateWindows`` and
``ConvertToWindows`` (``internal/xsql/parser.go``), so a window refused by
eKuiper is refused here with the same words.
"""

from __future__ import annotations

from . import ast
from ._funcs import WINDOW_CALLS

__all__ = ["build_window"]

# how many arguments each time window takes
_TIME_ARITY = {"tumblingwindow": (2,), "hoppingwindow": (3,), "sessionwindow": (3,)}


def _text(expr: ast.Expr) -> str:
    from .renderer import render

    return render(expr)


def _check_time_window(name: str, args: tuple[ast.Expr, ...]) -> str | None:
    if not isinstance(args[0], ast.TimeLiteral):
        return (
            f"The 1st argument for {name} is expecting timer literal expression. "
            "One value of [dd|hh|mi|ss|ms]."
        )
    for i, arg in enumerate(args[1:], start=1):
        if not isinstance(arg, ast.IntegerLiteral):
            return f"The {i} argument for {name} is expecting interger literal expression. "
    return None


def _check(name: str, args: tuple[ast.Expr, ...]) -> str | None:
    if name == "statewindow":
        return None if len(args) in (1, 2) else f"The arguments for {name} should be 1 or 2."
    if name == "countwindow":
        if len(args) == 1:
            first = args[0]
            if isinstance(first, ast.IntegerLiteral) and first.value > 0:
                return None
            return f"Invalid parameter value {_text(first)}."
        if len(args) == 2:
            first, second = args
            if isinstance(first, ast.IntegerLiteral) and isinstance(second, ast.IntegerLiteral):
                if first.value < second.value:
                    return (
                        f"The second parameter value {second.value} should be less than "
                        f"the first parameter {first.value}."
                    )
                return None
            return f"Invalid parameter value {_text(first)}, {_text(second)}."
        return "Invalid parameter count."
    if name == "slidingwindow":
        if len(args) not in (2, 3):
            return f"The arguments for {name} should be 2 or 3."
    elif len(args) not in _TIME_ARITY[name]:
        return f"The arguments for {name} should be {_TIME_ARITY[name][0]}."
    return _check_time_window(name, args)


def build_window(call: ast.Call) -> ast.Window | str:
    """The window a window call describes, or eKuiper's message for bad arguments.

    >>> build_window(ast.Call("TumblingWindow", (ast.TimeLiteral("SS"), ast.IntegerLiteral(10))))
    ... # doctest: +NORMALIZE_WHITESPACE
    Window(kind='tumbling', unit='SS', length=10, interval=None, begin=None, end=None,
           filter=None, trigger=None, partition=(), raw=Call(name='TumblingWindow',
           args=(TimeLiteral(unit='SS'), IntegerLiteral(value=10)), partition=(), when=None,
           order_by=()))
    """
    name = call.name.lower()
    args = call.args
    message = _check(name, args)
    if message is not None:
        return message
    kind = WINDOW_CALLS[name]
    if kind == "state":
        begin = args[0]
        end = args[1] if len(args) == 2 else None
        return ast.Window(kind, begin=begin, end=end, raw=call, pos=call.pos)
    ints = [a.value for a in args if isinstance(a, ast.IntegerLiteral)]
    if kind == "count":
        return ast.Window(
            kind,
            length=ints[0],
            interval=ints[1] if len(ints) > 1 else None,
            raw=call,
            pos=call.pos,
        )
    unit = args[0]
    assert isinstance(unit, ast.TimeLiteral)  # checked above
    return ast.Window(
        kind,
        unit=unit.unit,
        length=ints[0],
        interval=ints[1] if len(ints) > 1 else None,
        raw=call,
        pos=call.pos,
    )
