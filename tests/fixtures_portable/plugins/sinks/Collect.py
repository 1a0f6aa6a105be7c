"""A sink plugin exported as a factory: appends each emission to the file in conf "path".

With requireAck it acknowledges each emission, refusing one that holds "refuse".
"""

from typing import Any

from ekuiper import Context, Sink


class _Collect(Sink):
    def __init__(self) -> None:
        self.path = ""
        self.ack = False

    def configure(self, conf: dict[str, Any]) -> None:
        self.path = conf["path"]
        self.ack = bool(conf.get("requireAck", False))

    def open(self, ctx: Context) -> None:
        pass

    def collect(self, ctx: Context, data: Any) -> None:
        text = data.decode() if isinstance(data, bytes) else str(data)
        with open(self.path, "a") as fh:
            fh.write(text + "\n")
        if self.ack:
            if "refuse" in text:
                ctx.ack_error("refused: " + text)
            else:
                ctx.ack_ok()

    def close(self, ctx: Context) -> None:
        pass


def Collect() -> _Collect:
    return _Collect()
