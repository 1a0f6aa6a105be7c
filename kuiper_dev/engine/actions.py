"""Rule actions: the common sink properties of eKuiper applied before a sink sees data.

Order, as eKuiper documents (``docs/en_US/guide/sinks/overview.md``): ``omitIfEmpty``
drops empty results, ``sendSingle`` splits a result into its rows,
``dataTemplate`` renders each piece (Go text/template), then ``dataField`` and
``fields`` pick from the (parsed) result. What comes out goes to the sink target.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import gotemplate
from ..connectors import Sink
from ..errors import PlanError, RuleError

__all__ = ["Action", "SinkMaker", "SinkProps", "parse_actions"]

SinkMaker = Callable[[Mapping[str, Any]], Sink]
"""Makes the sink of one action from its properties."""

_KNOWN = {
    "sendSingle", "omitIfEmpty", "fields", "dataTemplate", "dataField", "format", "bufferLength",
    "enableCache", "runAsync", "requireAck", "batchSize", "lingerInterval", "concurrency",
}  # fmt: skip


_FORMATS = ("json", "delimited")
_DELIMITED_SINKS = ("file",)  # sinks that encode delimited text themselves


@dataclass(frozen=True, slots=True)
class SinkProps:
    send_single: bool = False
    omit_if_empty: bool = False
    fields: tuple[str, ...] = ()
    data_template: str = ""
    data_field: str = ""
    format: str = "json"

    @classmethod
    def from_dict(cls, props: Mapping[str, Any], where: str) -> SinkProps:
        fields = props.get("fields") or ()
        if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
            raise PlanError(f"{where}: fields must be a list of field names")
        fmt = str(props.get("format", "json")).lower()
        if fmt not in _FORMATS:
            raise PlanError(
                f'{where}: format "{fmt}" is not supported by kuiper_dev yet; use "json"'
                ' (or "delimited" with the file sink)'
            )
        return cls(
            send_single=bool(props.get("sendSingle", False)),
            omit_if_empty=bool(props.get("omitIfEmpty", False)),
            fields=tuple(fields),
            data_template=str(props.get("dataTemplate") or ""),
            data_field=str(props.get("dataField") or ""),
            format=fmt,
        )


class Action:
    """One sink of a rule with its properties, compiled once."""

    def __init__(self, kind: str, props: Mapping[str, Any], target: Sink) -> None:
        self.kind = kind
        self.props = SinkProps.from_dict(props, f"action {kind}")
        if self.props.format == "delimited" and kind not in _DELIMITED_SINKS:
            raise PlanError(
                f'action {kind}: format "delimited" is written by the file sink only in '
                'kuiper_dev; use "json" here'
            )
        self.target = target
        self._template: gotemplate.Template | None = None
        if self.props.data_template:
            self._template = gotemplate.parse(self.props.data_template)
        p = self.props
        # the emission goes to the sink as it is (the common case: one call per emission)
        self._plain = not (p.send_single or p.data_template or p.data_field or p.fields)

    def direct(self) -> Callable[[Any], None]:
        """What receives an emission: the target itself when nothing reshapes it."""
        if self._plain and not self.props.omit_if_empty:
            return self.target.collect
        return self

    def __call__(self, emission: list[dict[str, Any]]) -> None:
        props = self.props
        if props.omit_if_empty and not emission:
            return
        if self._plain:
            self.target.collect(emission)
            return
        pieces: list[Any] = list(emission) if props.send_single else [emission]
        for piece in pieces:
            self.target.collect(self._shape(piece))

    def _shape(self, data: Any) -> Any:
        props = self.props
        if self._template is not None:
            text = self._template.execute(data)
            if not (props.fields or props.data_field):
                return text
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise RuleError(
                    f"action {self.kind}: dataTemplate output is not JSON, so fields/dataField "
                    f"cannot apply ({exc})"
                ) from None
        if props.data_field:
            data = _pick_field(data, props.data_field)
        if props.fields:
            data = _select(data, props.fields)
        return data


def _pick_field(data: Any, name: str) -> Any:
    if isinstance(data, dict):
        return data.get(name)
    if isinstance(data, list):
        return [d.get(name) if isinstance(d, dict) else None for d in data]
    return None


def _select(data: Any, fields: tuple[str, ...]) -> Any:
    if isinstance(data, dict):
        return {f: data[f] for f in fields if f in data}
    if isinstance(data, list):
        return [_select(d, fields) for d in data]
    return data


def parse_actions(actions: Any, targets: Mapping[str, SinkMaker]) -> list[Action]:
    """Build actions from eKuiper's ``[{"log": {...}}, ...]`` with the given sink makers."""
    if not isinstance(actions, list) or not actions:
        raise PlanError('actions must be a non-empty list like [{"log": {}}]')
    out = []
    for i, action in enumerate(actions):
        if not isinstance(action, dict) or len(action) != 1:
            raise PlanError(
                f'action {i} must be an object with one sink name, like {{"log": {{}}}}'
            )
        ((kind, props),) = action.items()
        props = props or {}
        if not isinstance(props, dict):
            raise PlanError(f"action {kind}: its properties must be an object")
        maker = targets.get(kind)
        if maker is None:
            known = ", ".join(sorted(targets))
            raise PlanError(f"sink {kind} not found; known sinks: {known}")
        out.append(Action(kind, props, maker(props)))
    return out
