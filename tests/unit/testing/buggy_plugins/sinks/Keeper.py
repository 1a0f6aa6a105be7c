"""Correct: keeps every message and acks each one."""

from ekuiper import Sink


class Keeper(Sink):
    def __init__(self):
        self.kept = []

    def configure(self, conf):
        pass

    def open(self, ctx):
        pass

    def collect(self, ctx, data):
        self.kept.append(data)
        ctx.ack_ok()

    def close(self, ctx):
        pass
