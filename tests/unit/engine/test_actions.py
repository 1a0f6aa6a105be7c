"""Rule actions: a sink's dataTemplate is parsed once, when the actions are built."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev import gotemplate
from kuiper_dev.connectors import MemoryBus
from kuiper_dev.engine import actions
from kuiper_dev.engine.sinks import MemorySink, RecordSink
from kuiper_dev.errors import TemplateError


def test_templates_are_parsed_when_actions_are_built_not_per_emission(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    real_parse = gotemplate.parse

    def counting_parse(text: str) -> gotemplate.Template:
        parsed.append(text)
        return real_parse(text)

    monkeypatch.setattr(gotemplate, "parse", counting_parse)
    got: list[Any] = []
    built = actions.parse_actions(
        [
            {"log": {"dataTemplate": '{"t":{{.t}}}', "sendSingle": True}},
            {"memory": {"topic": "out/{{.id}}"}},
        ],
        {
            "log": lambda props: RecordSink(got.append),
            "memory": lambda props: MemorySink(MemoryBus(), props, None),
        },
    )
    assert parsed == ['{"t":{{.t}}}', "out/{{.id}}"]
    for _ in range(3):
        for action in built:
            action([{"t": 1.5, "id": "a"}, {"t": 2.0, "id": "b"}])
    assert len(parsed) == 2
    assert got == ['{"t":1.5}', '{"t":2}'] * 3


def test_a_bad_template_is_refused_when_the_actions_are_built() -> None:
    with pytest.raises(TemplateError, match='function "frob" not defined'):
        actions.parse_actions([{"log": {"dataTemplate": "{{frob .}}"}}], {"log": lambda p: RecordSink(print)})
