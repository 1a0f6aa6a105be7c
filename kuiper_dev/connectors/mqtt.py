"""MQTT: the one module that imports paho-mqtt (DESIGN.md, STYLE habit 14).

For now it lends paho's topic matcher to the in-memory topics; the live client and
the recorder come with the MQTT connector issue.
"""

from __future__ import annotations

from paho.mqtt.client import topic_matches_sub

__all__ = ["topic_matches"]


def topic_matches(subscription: str, topic: str) -> bool:
    """MQTT wildcard matching (``+`` one level, ``#`` the rest), as paho implements it.

    >>> topic_matches("home/+/temp", "home/kitchen/temp"), topic_matches("a/#", "b/c")
    (True, False)
    """
    return bool(topic_matches_sub(subscription, topic))
