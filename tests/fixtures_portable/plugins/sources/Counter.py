"""A source plugin exported as a class: emits conf "count" rows, then idles until closed."""

import threading
from typing import Any

from ekuiper import Context, Source


class Counter(Source):
    def __init__(self) -> None:
        self.count = 0
        self.datasource = ""
        self.closed = threading.Event()

    def configure(self, datasource: str, conf: dict[str, Any]) -> None:
        self.datasource = datasource
        self.count = int(conf.get("count", 0))

    def open(self, ctx: Context) -> None:
        for i in range(self.count):
            ctx.emit({"n": i, "ds": self.datasource}, {"seq": i})
        self.closed.wait(30)

    def close(self, ctx: Context) -> None:
        self.closed.set()
