"""Go's text/template, the subset eKuiper's sink ``dataTemplate`` uses, in pure Python.

A sink renders its template over every emission, so a template is parsed once, when
the rule is created (:func:`parse`), and :meth:`Template.execute` only walks the
parsed tree. Parse and execution errors keep Go's wording
(``template: sink:1: unexpected "}" in operand``) so they match what eKuiper reports;
they are :class:`~kuiper_dev.errors.TemplateError`, a ``RuleError``.

The stages, one module each: :mod:`.lexer` (Go's ``parse/lex.go``), :mod:`.parser`
(``parse/parse.go``) into :mod:`.nodes`, :mod:`.exec` (``exec.go``), with
:mod:`.functions` (Go's builtins, eKuiper's and sprig's) and :mod:`.fmt` (Go's
``fmt`` verbs and ``strconv.Quote``).

Supported: text, ``{{ }}`` with ``{{- -}}`` trimming, comments, ``.a.b``, ``$``,
``$x :=`` / ``$x =``, ``if``/``else if``/``else``, ``with``/``else with``, ``range``
(lists, maps by sorted key, integers; ``break``, ``continue``, ``else``), pipelines,
parentheses and literals (strings with Go escapes, raw strings, runes, numbers,
``true``/``false``/``nil``). Refused when parsing: ``define``, ``template``,
``block``, complex numbers and any function not listed here.

Functions:

- Go's builtins: and, or, not, len, index, print, printf, println, eq, ne, lt, le,
  gt, ge, html, js, urlquery (``call`` is refused; ``slice`` is sprig's, because
  eKuiper's sprig map shadows Go's builtin).
- eKuiper's: json, base64 (``prop`` is refused).
- sprig's: toJson, toRawJson, toPrettyJson, b64enc, b64dec, slice, add, add1, sub,
  mul, div, mod, max, min, addf, subf, mulf, divf, floor, ceil, round, int, int64,
  float64, toString, upper, lower, trim, trimPrefix, trimSuffix, replace, contains,
  hasPrefix, hasSuffix, quote, default, empty, coalesce, ternary.

>>> parse("{{range .}}{{.a}},{{end}}").execute([{"a": 1.0}, {"a": 2.5}])
'1,2.5,'
"""

from __future__ import annotations

from ..errors import TemplateError, TemplateFuncError
from .exec import Template, parse

__all__ = ["Template", "TemplateError", "TemplateFuncError", "parse"]
