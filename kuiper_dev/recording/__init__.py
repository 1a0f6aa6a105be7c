"""Recordings of MQTT traffic: format, reader, writer and pacing (see DESIGN.md "Recordings").

A recording is a JSON-lines file: a header line, then one line per message with
its arrival time, topic, QoS, retain flag and payload. :class:`RecordingWriter`
appends to one; :func:`read_recording` streams one back; :func:`paced` spaces a
replay in real time. Writing any feed (a simulated scenario, say) is two lines::

    with RecordingWriter("out.jsonl", topics=["sensors/#"], start_ms=0) as w:
        for m in feed: w.write(m)
"""

from __future__ import annotations

from ..errors import RecordingWarning
from .format import (
    FORMAT,
    VERSION,
    RecordingHeader,
    decode_header,
    decode_message,
    encode_header,
    encode_message,
    encode_messages,
)
from .pacing import paced
from .progress import with_progress
from .reader import Recording, RecordingDamage, read_recording
from .writer import RecordingWriter

__all__ = [
    "FORMAT",
    "Recording",
    "RecordingDamage",
    "RecordingHeader",
    "RecordingWarning",
    "RecordingWriter",
    "VERSION",
    "decode_header",
    "decode_message",
    "encode_header",
    "encode_message",
    "encode_messages",
    "paced",
    "read_recording",
    "with_progress",
]
