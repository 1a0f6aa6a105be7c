"""Bug: close() forgets to release the datasource, so the source cannot be opened again."""

import threading

from ekuiper import Source

_IN_USE = set()  # module state outlives instances, like a port or a file lock


class Leaky(Source):
    def __init__(self):
        self.datasource = ""
        self.stopped = threading.Event()

    def configure(self, datasource, conf):
        self.datasource = conf["datasource"]  # where eKuiper puts a Python source's DATASOURCE

    def open(self, ctx):
        if self.datasource in _IN_USE:
            raise RuntimeError(f"{self.datasource} is already in use")
        _IN_USE.add(self.datasource)
        ctx.emit({"n": 1}, {})
        self.stopped.wait(5)

    def close(self, ctx):
        self.stopped.set()
