"""Import a plugin module from a file or a notebook cell and resolve its symbols.

eKuiper accepts an exported value or a constructor alike; so do we: the symbol may
be an instance, a class, or a factory returning an instance.
"""

from __future__ import annotations

import importlib.util
import itertools
import linecache
import os
import sys
import traceback
import types
from pathlib import Path
from typing import Any

from ..errors import PluginError

__all__ = [
    "REQUIRED_METHODS",
    "export_symbol",
    "instantiate",
    "is_shared",
    "load_module",
    "load_source",
    "plugin_traceback",
    "resolve_symbol",
]

REQUIRED_METHODS: dict[str, tuple[str, ...]] = {
    "function": ("validate", "exec", "is_aggregate"),
    "source": ("configure", "open", "close"),
    "sink": ("configure", "open", "collect", "close"),
}

_counter = itertools.count()


def _module_name(symbol: str) -> str:
    return f"kuiper_dev_plugin_{symbol}_{next(_counter)}"


def load_module(path: Path) -> types.ModuleType:
    """Execute a plugin file as a fresh module (a reload never reuses the old one)."""
    spec = importlib.util.spec_from_file_location(_module_name(path.stem.split("@")[0]), path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PluginError(
            f"{path}: the module raised while loading:\n{plugin_traceback(exc, str(path))}"
        ) from exc
    return module


def load_source(source: str, symbol: str, filename: str | None = None) -> types.ModuleType:
    """Execute plugin source text (a notebook cell) as a fresh module.

    The text is registered with ``linecache`` so tracebacks show the cell's lines.
    """
    filename = filename or f"<kuiper plugin {symbol}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(_module_name(symbol))
    module.__file__ = filename
    # dataclasses and typing look modules up by name while the code runs
    sys.modules[module.__name__] = module
    try:
        code = compile(source, filename, "exec")
        exec(code, module.__dict__)
    except SyntaxError:
        sys.modules.pop(module.__name__, None)
        raise
    except Exception as exc:
        sys.modules.pop(module.__name__, None)
        raise PluginError(
            f"plugin {symbol}: the cell raised while loading:\n{plugin_traceback(exc, filename)}"
        ) from exc
    return module


def resolve_symbol(module: types.ModuleType, symbol: str, kind: str, where: str) -> Any:
    """The plugin instance behind ``symbol``: the value, or what its class/factory makes."""
    return instantiate(export_symbol(module, symbol, kind, where), symbol, kind, where)


def export_symbol(module: types.ModuleType, symbol: str, kind: str, where: str) -> Any:
    """The module's ``symbol`` as exported (instance, class or factory), checked cheaply.

    A class is checked for the SDK methods at once; a factory only when called, as
    eKuiper calls it only when a rule needs the plugin.
    """
    if not hasattr(module, symbol):
        exported = sorted(n for n in vars(module) if n[:1].isupper())
        hint = f" It exports: {', '.join(exported)}." if exported else ""
        raise PluginError(
            f"{where}: no symbol {symbol!r}; eKuiper looks up the symbol named like the "
            f"file with an upper-case first letter.{hint} Define {symbol} in the module."
        )
    value = getattr(module, symbol)
    if isinstance(value, type) or not callable(value) or _implements(value, kind):
        _check_methods(value, symbol, kind, where)
    return value


def is_shared(value: Any, kind: str) -> bool:
    """True when ``value`` is an instance every rule shares (not a class or factory)."""
    return not isinstance(value, type) and (not callable(value) or _implements(value, kind))


def instantiate(value: Any, symbol: str, kind: str, where: str) -> Any:
    """An instance from an exported value: the value itself, or what it constructs."""
    if not is_shared(value, kind):
        try:
            value = value()
        except Exception as exc:
            raise PluginError(
                f"{where}: constructing {symbol} raised:\n{plugin_traceback(exc, where)}"
            ) from exc
    _check_methods(value, symbol, kind, where)
    return value


def _check_methods(value: Any, symbol: str, kind: str, where: str) -> None:
    missing = [m for m in REQUIRED_METHODS[kind] if not callable(getattr(value, m, None))]
    if missing:
        raise PluginError(
            f"{where}: {symbol} is not an eKuiper {kind}: it lacks {', '.join(missing)}(); "
            f"subclass ekuiper.{kind.capitalize()} and implement them"
        )


def _implements(value: Any, kind: str) -> bool:
    return all(callable(getattr(value, m, None)) for m in REQUIRED_METHODS[kind])


def plugin_traceback(exc: BaseException, filename: str) -> str:
    """The exception's traceback cut to the plugin's own frames (all frames if none match)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if _same_file(f.filename, filename)]
    if not own and isinstance(exc, SyntaxError):
        # the caret under the plugin's line says it all; our import frames do not
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    summary = traceback.StackSummary.from_list(own or frames)
    lines = ["Traceback (most recent call last):\n", *summary.format()]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip()


def _same_file(a: str, b: str) -> bool:
    """Whether two frame file names are one file: a plugin loaded by a relative path
    runs under its absolute name; a cell's pseudo name (``<cell ...>``) is compared as is."""
    if a == b:
        return True
    if a.startswith("<") or b.startswith("<"):
        return False
    return os.path.realpath(a) == os.path.realpath(b)
