"""The one exception tree of kuiper_dev.

::

    KuiperDevError
    ├── SqlError            (also ValueError)   bad SQL text: line, column, snippet
    │   └── PlanError                           well-formed SQL the engine cannot run
    ├── PluginError                             naming, loading, validating or calling a plugin
    │   ├── PluginNameError (also ValueError)   a file name breaking eKuiper's naming rules
    │   └── NotPortable     (also TypeError)    a value the portable runtime could not carry
    │       └── NotJsonNumber                   NaN or infinity: Python writes it, Go refuses it
    ├── RuleError                               defining or running a rule
    │   ├── EvalError       (also ValueError)   an expression failed on a row
    │   │   └── FunctionError                   a built-in refused its argument at run time
    │   ├── DecodeError     (also ValueError)   a payload the stream cannot decode
    │   └── TemplateError                       a sink dataTemplate that does not parse or run
    │       └── TemplateFuncError               a template function refused its arguments
    ├── RuleTestError       (also ValueError)   a malformed ``*.ruletest.json`` case
    ├── RecordingError                          a malformed recording
    ├── ScenarioError       (also ValueError)   an unknown or malformed simulation scenario
    ├── MqttError                               broker connection and protocol trouble
    └── PortableError                           portable plugin packaging and hosting

Every message names the place and ends with the fix where there is one. In IPython
``_render_traceback_`` shows only the message, not our internals.

The builtin second bases are kept for callers that predate the tree: code that
catches ``ValueError`` around a parse or a row, or ``TypeError`` around a
plugin's value, still catches ours.

``FunctionError`` is an ``EvalError`` because a built-in refusing its argument
is one way an expression fails on a row: the compiler re-raises it with the
clause's context, and whatever turns row failures into error records takes it
too. Arguments refused when the rule is planned are a ``PlanError`` instead.

A ``PlanError`` may be raised with the syntax node it is about
(``PlanError(message, node=call)``); the place is known then but not the text,
which the caller that parsed the rule attaches with :meth:`SqlError.with_sql`,
so the message ends like a parse error's: line, column and a caret.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Protocol, Self

__all__ = [
    "DecodeError",
    "EvalError",
    "FunctionError",
    "KuiperDevError",
    "Located",
    "MqttError",
    "NotJsonNumber",
    "NotPortable",
    "PlanError",
    "PluginError",
    "PluginNameError",
    "PortableError",
    "RecordingError",
    "RuleError",
    "RecordingWarning",
    "RuleTestError",
    "ScenarioError",
    "SqlError",
    "TemplateError",
    "TemplateFuncError",
    "did_you_mean",
]


class KuiperDevError(Exception):
    """Base of every error kuiper_dev raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: users see our message,
        # not the engine's frames. Plugin exceptions are not wrapped in this class.
        return [f"{type(self).__name__}: {self}"]


class SqlError(KuiperDevError, ValueError):
    """SQL text that does not parse; carries where and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        sql: str = "",
        line: int = 0,
        column: int = 0,
    ) -> None:
        self.message = message
        self.sql = sql
        self.line = line
        self.column = column
        super().__init__(self._full())

    def with_sql(self, sql: str) -> Self:
        """This error with the statement's text attached, so its message shows the caret.

        Changes the error in place and returns it, so a bare ``raise`` after the
        call keeps its traceback and cause. Text the error already carries is
        kept: it may be another statement's, such as a stream's DDL.

        >>> print(PlanError("function nosuch not found.", line=1, column=8).with_sql(
        ...     "SELECT nosuch(a) FROM s"))
        function nosuch not found.
          at line 1, column 8:
            SELECT nosuch(a) FROM s
                   ^
        """
        if not self.sql:
            self.sql = sql
            self.args = (self._full(),)
        return self

    def _full(self) -> str:
        if not self.sql or not self.line:
            return self.message
        lines = self.sql.splitlines() or [""]
        text = lines[self.line - 1] if self.line <= len(lines) else ""
        caret = " " * max(self.column - 1, 0) + "^"
        return (
            f"{self.message}\n  at line {self.line}, column {self.column}:\n    {text}\n    {caret}"
        )


class Located(Protocol):
    """What a PlanError can be about: a syntax node and its 1-based (line, column)."""

    @property
    def pos(self) -> tuple[int, int]: ...


class PlanError(SqlError):
    """Valid SQL that cannot be planned: unknown stream, field or function.

    ``node`` gives the place (a node built by hand, at line 0, gives none); the
    text comes later through :meth:`SqlError.with_sql`.
    """

    def __init__(
        self,
        message: str,
        *,
        node: Located | None = None,
        sql: str = "",
        line: int = 0,
        column: int = 0,
    ) -> None:
        if node is not None:
            line, column = node.pos
        super().__init__(message, sql=sql, line=line, column=column)


class PluginError(KuiperDevError):
    """A plugin could not be found, loaded, validated or called."""


class PluginNameError(PluginError, ValueError):
    """A plugin file whose name breaks eKuiper's naming rules."""


class NotPortable(PluginError, TypeError):
    """A plugin produced a value eKuiper's portable runtime could not carry."""


class NotJsonNumber(NotPortable):
    """A NaN or infinity: Python's ``json`` writes it, Go's parser then refuses it."""


class RuleError(KuiperDevError):
    """A rule could not be created, started or run."""


class EvalError(RuleError, ValueError):
    """An expression failed on a row; the message is eKuiper's."""


class FunctionError(EvalError):
    """A built-in refused its argument at run time; the message is eKuiper's."""


class DecodeError(RuleError, ValueError):
    """A payload that the stream cannot decode; the rule records it and goes on."""


class TemplateError(RuleError):
    """A sink ``dataTemplate`` that does not parse, or that failed while rendering.

    ``message`` is exactly what eKuiper (Go) reports; ``str()`` adds the line, the
    column and a caret under the template text, so the place is easy to find.
    """

    def __init__(self, message: str, *, text: str = "", pos: int = -1) -> None:
        self.message = message
        self.text = text
        self.line = self.column = 0
        if pos >= 0:
            start = text.rfind("\n", 0, pos) + 1
            self.line = text.count("\n", 0, pos) + 1
            self.column = pos - start + 1
        super().__init__(self._full())

    def _full(self) -> str:
        if not self.line:
            return self.message
        lines = self.text.split("\n")  # a text ending in a newline has an empty last line
        source = lines[self.line - 1] if self.line <= len(lines) else ""
        caret = " " * (self.column - 1) + "^"
        return f"{self.message}\n  at line {self.line}, column {self.column}:\n    {source}\n    {caret}"


class TemplateFuncError(TemplateError):
    """A template function refused its arguments; the executor reports it as Go does,
    ``error calling NAME: ...``, at the place of the call."""


class RuleTestError(KuiperDevError, ValueError):
    """A ``*.ruletest.json`` case that is not of the documented shape."""


class RecordingError(KuiperDevError):
    """A recording file that cannot be read or written."""


class RecordingWarning(UserWarning):
    """A recording is damaged; the messages before the damage were replayed."""


class ScenarioError(KuiperDevError, ValueError):
    """A simulation scenario that is not known or whose settings do not hold."""


class MqttError(KuiperDevError):
    """Trouble talking to an MQTT broker."""


class PortableError(KuiperDevError):
    """Trouble packaging or hosting a portable plugin."""


def did_you_mean(name: str, options: Iterable[str], otherwise: str = "") -> str:
    """``' Did you mean "x"?'`` for the closest option, else ``otherwise`` (STYLE habit 8).

    >>> did_you_mean("uper", ["upper", "lower"])
    ' Did you mean "upper"?'
    """
    close = difflib.get_close_matches(name, list(options), n=1)
    return f' Did you mean "{close[0]}"?' if close else otherwise
