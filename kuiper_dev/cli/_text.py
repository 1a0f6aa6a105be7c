"""What eKuiper's own CLI prints (``cmd/kuiper/main.go`` and the server's RPC replies),
made from the REST answers, so that local and ``--server`` runs print alike."""

from __future__ import annotations

import json
from typing import Any

from ..go import dumps

__all__ = ["describe_json", "describe_text", "indented", "show_text"]

# printOptions' order (internal/processor/stream.go) and each option's REST JSON name
_PRINTED = (
    ("CONF_KEY", "confKey"), ("DATASOURCE", "datasource"), ("FORMAT", "format"),
    ("SCHEMAID", "schemaid"), ("KEY", "key"), ("RETAIN_SIZE", "retainSize"),
    ("SHARED", "shared"), ("STRICT_VALIDATION", "strictValidation"),
    ("TIMESTAMP", "timestamp"), ("TIMESTAMP_FORMAT", "timestampFormat"), ("TYPE", "type"),
    ("EXTRA", "extra"), ("VERSION", "version"),
)  # fmt: skip
_RULE = "-" * 80


def show_text(kind: str, listed: Any) -> str:
    r"""``show streams|tables|rules``: stream and table names one a line, rules as
    indented JSON (keys sorted, as Go writes a map), or eKuiper's sentence when there
    are none; a stream reply ends with the blank line its ``Println`` of a newline-ended
    reply leaves.

    >>> show_text("stream", ["demo", "more"])
    'demo\nmore\n\n'
    >>> show_text("rule", [])
    'No rule definitions are found.\n'
    """
    if not listed:
        return f"No {kind} definitions are found.\n" + ("" if kind == "rule" else "\n")
    if kind == "rule":
        return dumps(listed, indent="  ") + "\n"
    return "".join(f"{name}\n" for name in listed) + "\n"


def _type_text(field_type: Any) -> str:
    """eKuiper's ``printFieldType``: ``bigint``, ``array(bigint)``, ``struct(a bigint)``."""
    if not isinstance(field_type, dict):
        return str(field_type)
    if field_type.get("Type") == "array":
        return f"array({_type_text(field_type.get('ElementType'))})"
    fields = field_type.get("Fields") or []
    inner = ", ".join(f"{f.get('Name')} {_type_text(f.get('FieldType'))}" for f in fields)
    return f"struct({inner})"


def _go_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_text(described: dict[str, Any]) -> str:
    r"""``describe stream|table NAME``: the fields, a blank line, the set options, from
    the REST answer (eKuiper's ``execDescribe``; its RPC and ``Println`` end it with two
    more newlines).

    >>> text = describe_text({"StreamFields": [{"Name": "a", "FieldType": "bigint"}],
    ...                       "Options": {"datasource": "d", "format": "json"}})
    >>> text.startswith("Fields\n" + "-" * 80 + "\n"), text.splitlines()[2:]
    (True, ['a\tbigint', '', 'DATASOURCE: d', 'FORMAT: json', '', ''])
    """
    lines = ["Fields", _RULE]
    for f in described.get("StreamFields") or []:
        line = f"{f.get('Name')}\t{_type_text(f.get('FieldType'))}"
        if f.get("DefaultClause") is not None:
            line += f"\tDEFAULT\t{f['DefaultClause']}"
        lines.append(line)
    lines.append("")
    options = described.get("Options") or {}
    for printed, name in _PRINTED:
        value = options.get(name)
        if value not in (None, "", 0, False):
            lines.append(f"{printed}: {_go_value(value)}")
    return "\n".join(lines) + "\n\n\n"


def describe_json(described: dict[str, Any]) -> str:
    r"""``describe stream NAME -json``: eKuiper's ``DescribeToJson`` over the text above,
    quirks kept (option names keep their colon, spaces in values are dropped).

    >>> out = describe_json({"StreamFields": [{"Name": "a", "FieldType": "bigint"}],
    ...                      "Options": {"datasource": "d"}})
    >>> out.splitlines()[:2]
    ['{', '\t"Fields": [']
    >>> json.loads(out)
    {'Fields': [{'Name': 'a', 'Type': 'bigint'}], 'Options': {'DATASOURCE:': 'd'}}
    """
    text = describe_text(described)[:-2].replace(f"Fields\n{_RULE}\n", "", 1)
    sections = text.split("\n\n")
    fields: list[dict[str, str]] | None = None
    for line in sections[0].split("\n"):
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        field = {"Name": parts[0], "Type": parts[1]}
        if len(parts) >= 4:
            field["DefaultClause"] = parts[3]
        fields = [*(fields or []), field]
    options: dict[str, str] = {}
    for line in (sections[1] if len(sections) > 1 else "").strip("\n").split("\n"):
        if line:
            name, *value = line.split(" ")
            options[name] = "".join(value)
    out = json.dumps({"Fields": fields, "Options": dict(sorted(options.items()))},
                     indent="\t", ensure_ascii=False)  # fmt: skip
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def indented(value: Any, *, escape_html: bool = True) -> str:
    """A JSON reply as eKuiper's CLI prints it (``json.Indent`` by two spaces, the
    server's key order kept; ``<>&`` escaped as Go's Marshal writes them).

    >>> print(indented({"sql": "a > 1"}))
    {
      "sql": "a \\u003e 1"
    }
    """
    out = json.dumps(value, indent=2, ensure_ascii=False)
    if not escape_html:
        return out
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
