"""The Source slot: feeds and plugin sources deliver messages alike."""

from __future__ import annotations

import threading
import time

from kuiper_dev import Message, Workspace
from kuiper_dev.connectors import FeedSource, PluginSource, Source

COUNTER = """
import threading

class Counter:
    def __init__(self):
        self.done = threading.Event()
    def configure(self, datasource, conf):
        self.step = conf.get("step", 1)
    def open(self, ctx):
        for n in range(3):
            ctx.emit({"n": n * self.step}, {"seq": n})
        self.done.wait(5)
    def close(self, ctx):
        self.done.set()

Counter = Counter
"""


def test_a_feed_is_a_source_and_an_iterable() -> None:
    messages = [Message("t", b"{}", 1), Message("t", b"{}", 2)]
    feed = FeedSource(messages)
    assert isinstance(feed, Source)
    got: list[Message] = []
    feed.start(got.append, lambda text: None)
    assert got == messages and list(feed) == messages


def test_a_stopped_feed_delivers_no_more() -> None:
    feed = FeedSource(Message("t", b"{}", i) for i in range(5))
    got: list[Message] = []

    def deliver(m: Message) -> None:
        got.append(m)
        feed.stop()

    feed.start(deliver, lambda text: None)
    assert len(got) == 1


def test_a_plugin_source_delivers_json_messages_stamped_on_arrival() -> None:
    ws = Workspace(plugins_dir=None)
    ws.define_source("Counter", COUNTER)
    slot = ws.plugins.source("counter")
    assert slot is not None
    source = PluginSource(slot, "s", "topic/x", {"step": 2}, rule_id="r1")
    assert isinstance(source, Source)
    got: list[Message] = []
    three = threading.Event()

    def deliver(m: Message) -> None:
        got.append(m)
        if len(got) == 3:
            three.set()

    before = time.time_ns() // 1_000_000
    source.start(deliver, lambda text: None)
    try:
        assert three.wait(5)
    finally:
        source.stop()
    assert [m.payload for m in got] == [b'{"n":0.0}', b'{"n":2.0}', b'{"n":4.0}']
    assert all(m.topic == "s" and m.ts >= before for m in got)
    assert got[1].meta == {"seq": 1.0}
