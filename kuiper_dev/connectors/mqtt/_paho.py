"""The one module that imports paho-mqtt (DESIGN.md, STYLE habit 14).

:class:`MqttClient` wraps one paho client: ``CallbackAPIVersion.VERSION2``, its own
network thread (``loop_start``, no asyncio: a notebook kernel already runs a loop),
reconnect with backoff, ``TCP_NODELAY`` after each connect (paho leaves Nagle on,
which delays small QoS 0 messages by up to ~40 ms), and a bounded window of
unacknowledged publishes (paho stalls once 65,535 QoS 1 messages wait for their
acknowledgement). Exceptions raised by our callbacks on paho's thread are caught and
reported through ``on_status``, so the network thread never dies of them. Plain TCP
is read in chunks, QoS 0 messages of MQTT 3.1/3.1.1 parsed from them in runs, and
messages handed over a run at a time (``_wire``): paho's per-packet path, not the
rule, was what bounded a live rule's rate.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt import __version__ as PAHO_VERSION
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..._types import Message
from ...errors import MqttError
from ._tls import tls_context
from ._wire import HOLD_MAX, ChunkedSocket, Runs
from .config import MqttConfig

__all__ = ["MqttClient", "topic_matches"]

OnMessage = Callable[[Message], None]
OnStatus = Callable[[str], None]

_PROTOCOLS = {
    "3.1": MQTTProtocolVersion.MQTTv31,
    "3.1.1": MQTTProtocolVersion.MQTTv311,
    "5": MQTTProtocolVersion.MQTTv5,
}


def topic_matches(subscription: str, topic: str) -> bool:
    """MQTT wildcard matching (``+`` one level, ``#`` the rest), as paho implements it.

    >>> topic_matches("home/+/temp", "home/kitchen/temp"), topic_matches("a/#", "b/c")
    (True, False)
    """
    return bool(paho.topic_matches_sub(subscription, topic))


class _Paho(paho.Client):
    """paho's client reading a plain TCP connection through a :class:`ChunkedSocket`,
    with runs of QoS 0 messages parsed there (MQTT 3.1 and 3.1.1; see ``_wire``).

    TLS and websocket connections keep paho's own socket and reading (they buffer
    already). ``runs`` is set by :class:`MqttClient` before connecting.
    """

    runs: Runs | None = None
    fast = False  # parse QoS 0 PUBLISH packets ourselves (not MQTT 5: properties)

    def knows_its_insides(self) -> bool:
        """Whether this paho has the private parts the fast path reads and sets (paho
        2.x, checked with 2.2); another one keeps paho's own reading throughout."""
        inside = ("_in_packet", "_msgtime_mutex", "_last_bytes_received", "_sock")
        return (
            PAHO_VERSION.split(".")[0] == "2"
            and all(hasattr(self, name) for name in inside)
            and isinstance(self._in_packet, dict)
        )

    def _create_socket(self) -> Any:
        sock = super()._create_socket()
        if type(sock) is socket.socket and sock.family in (socket.AF_INET, socket.AF_INET6):
            return ChunkedSocket(sock, None if self.runs is None else self.runs.hand_over)
        return sock

    def _packet_read(self) -> MQTTErrorCode:
        sock, runs = self._sock, self.runs
        if self.fast and runs is not None and type(sock) is ChunkedSocket and not self._in_packet["command"]:
            if sock.fill() and runs.take_from(sock):
                with self._msgtime_mutex:  # what paho's keepalive reads, as paho's read sets it
                    self._last_bytes_received = time.monotonic()
                return MQTTErrorCode.MQTT_ERR_SUCCESS
        return super()._packet_read()


class MqttClient:
    """One connection to a broker, with its subscriptions kept across reconnects.

    ``on_message`` gets every message on paho's thread, in arrival order, a run at
    a time: the messages of one read from the socket go together once it is parsed;
    ``on_status`` gets disconnect, reconnect and callback errors as text.
    ``max_inflight`` bounds the QoS 1/2 publishes not yet acknowledged.

    >>> from kuiper_dev.connectors.mqtt.brokers import broker
    >>> with broker() as b:
    ...     got = []
    ...     client = MqttClient(MqttConfig(server=b.url), on_message=got.append)
    ...     client.connect()
    ...     client.subscribe(["echo/#"], qos=1)
    ...     client.publish("echo/1", b"hi", qos=1)
    ...     acked = client.flush(5)
    ...     deadline = time.monotonic() + 5
    ...     while not got and time.monotonic() < deadline:
    ...         time.sleep(0.01)
    ...     client.close()
    >>> acked, [(m.topic, m.payload, m.meta["topic"]) for m in got]
    (True, [('echo/1', b'hi', 'echo/1')])
    """

    def __init__(
        self,
        config: MqttConfig,
        *,
        on_message: OnMessage | None = None,
        on_status: OnStatus | None = None,
        max_inflight: int = 1000,
        timeout: float = 5.0,
        reconnect_delay: tuple[float, float] = (0.25, 10.0),
    ) -> None:
        if max_inflight < 1:
            raise MqttError(f"max_inflight must be at least 1, not {max_inflight}; raise it")
        self.config = config.with_client_id()
        self.timeout = timeout
        self.reconnects = 0
        self._on_status = on_status
        self._max_inflight = max_inflight
        self._subs: list[tuple[str, int]] = []
        self._lock = threading.Lock()  # the publish bookkeeping
        self._sub_lock = threading.Lock()  # subscriptions waiting for their SUBACK
        self._window = threading.Condition()
        self._inflight = 0
        self._pending_subs: dict[int, threading.Event] = {}
        self._unacked: dict[int, int] = {}  # mid -> qos of publishes paho has not confirmed
        self._early: set[int] = set()  # mids confirmed before publish() returned them
        self._connected = threading.Event()
        self._answered = threading.Event()  # the first CONNACK, accepted or not
        self._ever_connected = False
        self._connect_error = ""
        self._closing = False
        self._started = False
        c = self.config
        v5 = c.protocol_version == "5"
        self._runs = Runs(on_message, self._status)
        self._paho_thread = 0  # paho's network thread, known from its first callback
        self._v5 = v5
        self._client = _Paho(
            CallbackAPIVersion.VERSION2,
            client_id=c.client_id,
            clean_session=None if v5 else not c.persistent,
            protocol=_PROTOCOLS[c.protocol_version],
            transport="websockets" if c.websocket else "tcp",
            reconnect_on_failure=True,
        )
        if c.websocket:
            self._client.ws_set_options(path=c.path)
        if c.tls:
            self._client.tls_set_context(tls_context(c))
            if c.insecure_skip_verify:
                self._client.tls_insecure_set(True)
        if c.username or c.password:
            self._client.username_pw_set(c.username or None, c.password or None)
        # typed int, but paho only does arithmetic on them: fractions of a second work
        low, high = reconnect_delay
        self._client.reconnect_delay_set(low, high)  # type: ignore[arg-type]
        self._client.max_inflight_messages_set(max_inflight)
        self._client.connect_timeout = timeout
        self._client.on_connect = self._handle_connect
        self._client.on_disconnect = self._handle_disconnect
        self._client.on_message = self._handle_message
        self._client.on_publish = self._handle_publish
        self._client.on_subscribe = self._handle_subscribe
        self._client.runs = self._runs
        self._client.fast = not self._v5 and self._client.knows_its_insides()

    # --- the caller's side -------------------------------------------------------

    @property
    def url(self) -> str:
        return self.config.server

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def connect(self) -> None:
        """Connect and start the network thread; :class:`MqttError` within ``timeout``."""
        c = self.config
        v5 = c.protocol_version == "5"
        props = None
        clean_start: Any = paho.MQTT_CLEAN_START_FIRST_ONLY
        if v5:
            # eKuiper's v5 client: clean start on the first connection only, unless the
            # session is persistent; the session outlives a disconnect by the expiry
            clean_start = False if c.persistent else paho.MQTT_CLEAN_START_FIRST_ONLY
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = c.session_expiry_interval_seconds
        try:
            self._client.connect(c.host, c.port, keepalive=20, clean_start=clean_start, properties=props)
        except (OSError, ValueError) as e:
            raise self._unreachable(f"{type(e).__name__}: {e}") from e
        self._started = True
        self._client.loop_start()
        answered = self._answered.wait(self.timeout)
        if answered and not self._connect_error:
            return
        self._stop_thread()
        if self._connect_error:
            raise MqttError(
                f"the MQTT broker at {self.url} {self._connect_error}; check username, password, "
                "clientid and protocolVersion"
            )
        raise self._unreachable(
            f"no answer to CONNECT within {self.timeout:g} s (does it speak MQTT {c.protocol_version}?)"
        )

    def subscribe(self, topics: Sequence[str], qos: int) -> None:
        """Subscribe now (waiting for the broker's answer) and again after each reconnect."""
        new = [(t, qos) for t in topics if (t, qos) not in self._subs]
        self._subs.extend(new)
        if new and self.connected:
            self._subscribe(new, wait=True)

    def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False,
                properties: dict[str, str] | None = None) -> None:
        """Publish, first waiting while ``max_inflight`` messages are unacknowledged.

        A QoS 0 message needs the connection (it is never queued); QoS 1 and 2 are
        queued by paho while reconnecting and sent when the connection is back.
        """
        if qos == 0 and not self._connected.wait(self.timeout):
            raise MqttError(
                f"not connected to {self.url} for {self.timeout:g} s; a QoS 0 message would be "
                "lost. Check the broker, or publish with qos 1"
            )
        if qos > 0:
            self._reserve()
        user = None
        if properties and self.config.protocol_version == "5":
            user = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            user.UserProperty = list(properties.items())
        info = self._client.publish(topic, payload, qos=qos, retain=retain, properties=user)
        if info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS or (
            qos > 0 and info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN
        ):
            # QoS 1/2: released by on_publish (queued ones after the reconnect)
            with self._lock:
                acked = info.mid in self._early
                if acked:
                    self._early.discard(info.mid)
                else:
                    self._unacked[info.mid] = qos
            if acked and qos > 0:
                self._release()
            return
        if qos > 0:
            self._release()
        raise MqttError(
            f"publish to {topic!r} on {self.url} failed: {paho.error_string(info.rc)}; "
            "check the topic and the connection"
        )

    def _reserve(self) -> None:
        deadline = time.monotonic() + max(self.timeout, 30.0)
        with self._window:
            while self._inflight >= self._max_inflight and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise MqttError(
                        f"{self._inflight} messages to {self.url} unacknowledged for too long; "
                        "check the broker's connection, or lower the publishing rate"
                    )
                self._window.wait(min(left, 0.5))
            self._inflight += 1

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every publish is acknowledged; False if some still wait after ``timeout``."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._window:
            while self._inflight > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._window.wait(min(left, 0.2))
        return True

    @property
    def inflight(self) -> int:
        """Publishes not yet acknowledged."""
        return self._inflight

    def close(self, timeout: float | None = None) -> None:
        """Disconnect and stop the network thread, within about ``timeout`` seconds."""
        if self._closing:
            return
        self._closing = True
        with self._window:
            self._window.notify_all()
        if self._started:
            self._client.disconnect()
            if self._stop_thread(timeout):
                self._runs.hand_over()  # paho's thread is gone: what it held goes now

    # --- paho's thread -------------------------------------------------------------

    def _stop_thread(self, timeout: float | None = None) -> bool:
        """Stop paho's thread; whether it ended within ``timeout``."""
        # loop_stop joins without a bound; its thread ends within ~1 s of the flag
        stopper = threading.Thread(target=self._client.loop_stop, daemon=True)
        stopper.start()
        stopper.join(self.timeout if timeout is None else timeout)
        return not stopper.is_alive()

    def _unreachable(self, reason: str) -> MqttError:
        return MqttError(
            f"cannot connect to the MQTT broker at {self.url}: {reason}. Start a broker there "
            "(kuiper_dev.broker() runs one in-process) or fix the server property"
        )

    def _status(self, text: str) -> None:
        if threading.get_ident() == self._paho_thread:
            self._runs.hand_over()  # the messages that came before the news go first
        if self._on_status is not None:
            try:
                self._on_status(text)
            except Exception:  # noqa: BLE001 - a failing status callback must not kill paho's thread
                pass

    def _release(self) -> None:
        with self._window:
            if self._inflight > 0:
                self._inflight -= 1
            self._window.notify_all()

    def _subscribe(self, subs: Sequence[tuple[str, int]], *, wait: bool) -> None:
        with self._sub_lock:
            rc, mid = self._client.subscribe(list(subs))
            done = threading.Event()
            if rc == MQTTErrorCode.MQTT_ERR_SUCCESS and mid is not None:
                self._pending_subs[mid] = done
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            self._status(f"subscribe to {[t for t, _ in subs]} failed: {paho.error_string(rc)}")
            return
        if wait and not done.wait(self.timeout):
            raise MqttError(
                f"no SUBACK from {self.url} for {[t for t, _ in subs]} within {self.timeout:g} s; "
                "check the topic filters and the broker"
            )

    def _handle_connect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any,
                        properties: Any) -> None:
        self._paho_thread = threading.get_ident()
        try:
            if reason.is_failure:
                self._connect_error = f"refused the connection ({reason})"
                if not self._ever_connected:
                    self._answered.set()  # wake connect(), which reports the refusal
                else:
                    self._status(f"reconnect to {self.url} refused: {reason}")
                return
            sock = client.socket()
            if isinstance(sock, ChunkedSocket):
                sock = sock.raw
            if isinstance(sock, socket.socket):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ever_connected:
                self.reconnects += 1
                self._status(f"reconnected to {self.url}")
            self._ever_connected = True
            self._connect_error = ""
            if self._subs and not flags.session_present:
                self._subscribe(self._subs, wait=False)
            self._connected.set()
            self._answered.set()
        except Exception as e:  # noqa: BLE001 - errors on paho's thread go to our callback
            self._answered.set()
            self._status(f"error after connecting to {self.url}: {e!r}")

    def _handle_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any,
                           properties: Any) -> None:
        self._runs.hand_over()
        was = self._connected.is_set()
        self._connected.clear()
        with self._lock:  # QoS 0 messages lost with the connection are never confirmed
            self._unacked = {m: q for m, q in self._unacked.items() if q > 0}
        if not self._closing and was:
            self._status(f"disconnected from {self.url} ({reason}); reconnecting")

    def _handle_subscribe(self, client: paho.Client, userdata: Any, mid: int, reasons: Any,
                          properties: Any) -> None:
        with self._sub_lock:
            done = self._pending_subs.pop(mid, None)
        failed = [str(r) for r in reasons if r.is_failure]
        if failed:
            self._status(f"the broker {self.url} refused a subscription: {', '.join(failed)}")
        if done is not None:
            done.set()

    def _handle_publish(self, client: paho.Client, userdata: Any, mid: int, reason: Any,
                        properties: Any) -> None:
        # on_publish may come before publish() has returned the mid: meet in the middle
        with self._lock:
            qos = self._unacked.pop(mid, None)
            if qos is None:
                self._early.add(mid)
        if qos:
            self._release()

    def _handle_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        # While the chunk just read holds more bytes, the message waits with the
        # others of its run (see _wire.Runs)
        runs = self._runs
        runs.add_paho(msg, self._v5)
        sock = client.socket()
        if (
            len(runs.held) >= HOLD_MAX
            or self._closing
            or not isinstance(sock, ChunkedSocket)
            or not sock.buffered()
        ):
            runs.hand_over()
