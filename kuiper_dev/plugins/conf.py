"""Source configuration files: ``{name}.yaml`` with ``default:`` and named confKeys.

eKuiper reads ``etc/sources/{name}.yaml``; a stream's ``CONF_KEY`` picks a section
whose keys replace those of ``default`` one by one (a shallow merge). The key is
looked up lower-cased first, then as written, because eKuiper lower-cases the
section names of files under ``etc``. An unknown key leaves the default, with a
warning, as eKuiper does.
"""

from __future__ import annotations

import difflib
import logging
from pathlib import Path
from typing import Any

import yaml

from ..errors import PluginError

__all__ = ["load_source_yaml", "merge_conf", "parse_source_yaml"]

log = logging.getLogger(__name__)


def load_source_yaml(path: Path) -> dict[str, dict[str, Any]]:
    """The sections of a source's yaml file; a malformed file is refused naming it."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise PluginError(f"{path}: cannot be read ({exc}); check the file") from exc
    return parse_source_yaml(text, str(path))


def parse_source_yaml(text: str, where: str) -> dict[str, dict[str, Any]]:
    """The sections of a source's yaml text (a file's or a notebook cell's)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PluginError(f"{where}: not readable YAML ({exc}); fix the file") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PluginError(
            f"{where}: a source conf is a mapping of confKeys (default: ...), "
            f"got a {type(data).__name__}; start the file with 'default:'"
        )
    sections: dict[str, dict[str, Any]] = {}
    for key, section in data.items():
        if section is None:
            section = {}
        if not isinstance(section, dict):
            raise PluginError(
                f"{where}: confKey {key!r} must hold a mapping of properties, "
                f"got {section!r}; indent its properties under it"
            )
        sections[str(key)] = section
    return sections


def merge_conf(
    sections: dict[str, dict[str, Any]], conf_key: str | None, where: str
) -> dict[str, Any]:
    """``default`` overlaid with the ``conf_key`` section, as eKuiper merges them.

    >>> merge_conf({"default": {"a": 1, "b": 2}, "fast": {"b": 3}}, "FAST", "x.yaml")
    {'a': 1, 'b': 3}
    """
    if "default" not in sections and sections:
        log.warning("%s: no 'default' confKey; eKuiper starts from an empty conf", where)
    props = dict(sections.get("default", {}))
    if conf_key:
        section = sections.get(conf_key.lower(), sections.get(conf_key))
        if section is None:
            close = difflib.get_close_matches(conf_key, list(sections), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            log.warning(
                "%s: confKey %r not found, using default (as eKuiper does).%s",
                where,
                conf_key,
                hint,
            )
        else:
            props.update(section)
    return props
