"""Correct: emits a count until closed, and can be opened again."""

import threading

from ekuiper import Source


class Ticker(Source):
    def __init__(self):
        self.stopped = threading.Event()
        self.every = 0.01

    def configure(self, datasource, conf):
        self.every = float(conf.get("interval", 10)) / 1000
        self.stopped.clear()

    def open(self, ctx):
        n = 0
        while not self.stopped.is_set():
            n += 1
            ctx.emit({"n": n}, {})
            self.stopped.wait(self.every)

    def close(self, ctx):
        self.stopped.set()
