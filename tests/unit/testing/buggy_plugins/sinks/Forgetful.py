"""Bug: acks the first message only (the ack flag is never reset)."""

from ekuiper import Sink


class Forgetful(Sink):
    def __init__(self):
        self.acked = False

    def configure(self, conf):
        pass

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        if not self.acked:
            self.acked = True
            ctx.ack_ok()

    def close(self, ctx):
        pass
