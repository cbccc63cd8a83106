"""The gun's end of the link: bytes from the HAL's stream become App commands, and back.

Stream mode: the host loads a protocol into RAM and releases zones ahead (RUN_ZONE); the
App runs them and each logged shot goes back as SHOT. Store mode: the protocol is verified
by SHA-256, written atomically and run untethered from the next power-up. A streaming
device that stops hearing its host stops the gun at the next safe point (App.link_lost).
poll(now) never sleeps; now is the link's clock (µs, wrapping at hal.tick_mask + 1).
"""

import hashlib
import json

from firmware import VERSION
from firmware.compat import const
from firmware.link_store import PROTOCOL_MAX, Upload, read_stored
from firmware.wire import PROTOCOL_VERSION, faults
from firmware.wire import messages as M
from firmware.wire.endpoint import Endpoint
from firmware.wire.frame import MAX_PAYLOAD
from firmware.wire.states import DONE, FAULT, HOMING, IDLE, PAUSED, REFILL, SAFING

LINK_TIMEOUT_US = const(1500000)
RTO_US = const(150000)
WINDOW = const(8)
IDLE_POLL_US = const(20000)
LOG_DATA_MAX = MAX_PAYLOAD - 8


def take_console():
    """The app owns the USB serial: Ctrl-C must not break into it (no-op off MicroPython)."""
    try:
        import micropython

        micropython.kbd_intr(-1)
    except (ImportError, AttributeError):
        pass


class Link:
    def __init__(self, hal, app, board, device_id):
        self.hal = hal
        self.app = app
        self.board = board
        self.ep = Endpoint(hal.write_bytes, self._deliver, WINDOW, RTO_US, hal.tick_mask)
        self.rx = bytearray(256)
        self.nonce = -1  # no host session since power-up
        self.mode = M.MODE_IDLE
        self.outbox = []  # reliable replies and reports waiting for room in the window
        self.load = None  # the Upload in progress
        self.released = 0  # stream: zones the host has released (RUN_ZONE)
        self.gated = False  # stream: paused by us at a zone the host has not released yet
        self.user_paused = False
        self.lost = False
        self.sent_shots = app.log.count
        app.log.sent = self.sent_shots  # the log keeps a record until the telemetry took it
        self.zone_seen = 0
        self.fault_told = False
        self.refill_told = False
        self.log_cache = None
        self.proto = None  # the core form loaded last
        self.streamed = False  # it came to be streamed (not stored)
        self.now = hal.ticks()
        self.stored = read_stored(hal) is not None
        caps = M.CAP_STREAM | M.CAP_STORE | M.CAP_LOG
        if board.pins.get("pressure_adc") is not None:
            caps |= M.CAP_PRESSURE
        self.caps = caps
        self.info = json.dumps({
            "device_id": device_id, "firmware": VERSION, "board": board.name,
            "syringes_ml": board.syringe_sizes(), "needles_mm": board.needle_lengths(),
            "limits": board.data["limits"], "protocol_max": PROTOCOL_MAX,
            "chunk_max": M.CHUNK_MAX,
        }, separators=(",", ":")).encode()  # compact: the identity goes in 96-byte parts

    def start(self):
        """At power-up: run a good stored protocol untethered, once from its upload. A stored
        session cut by a power loss is loaded but waits for SESSION_CHOICE. True if started."""
        body = read_stored(self.hal)
        if body is None:
            return False
        try:
            proto = json.loads(body)
        except ValueError:
            return False
        if self.app.load_protocol(proto, hashlib.sha256(body).digest(), 0):
            return False
        self.proto = proto
        self.streamed = False
        self._begin(M.MODE_STORED)
        self.released = len(self.app.session.zones)
        return self.app.start_stored()

    def _begin(self, mode):
        self.mode = mode
        self.released = 0
        self.gated = False
        self.user_paused = False
        self.lost = False
        self.zone_seen = 0
        self.fault_told = False
        self.refill_told = False

    # -- the loop -------------------------------------------------------------
    def poll(self, now):
        """Read and act on what arrived, report, send; return when to poll again."""
        self.now = now
        n = self.hal.read_bytes(self.rx)
        while n:
            self.ep.feed(self.rx, n, now)
            n = self.hal.read_bytes(self.rx) if n == len(self.rx) else 0
        self._watch(now)
        out = self.outbox
        while out and self.ep.can_send():
            mid, values, tail = out.pop(0)
            self.ep.send(mid, values, tail)
        due = self.ep.poll(now)
        soon = (now + IDLE_POLL_US) & self.hal.tick_mask
        return due if self.ep.sender.outstanding() and self._before(due, soon, now) else soon

    def _before(self, a, b, now):
        p = self.hal.tick_mask
        return ((a - now) & p) < ((b - now) & p)

    def _queue(self, mid, values=(), tail=None):
        self.outbox.append((mid, values, tail))

    def _watch(self, now):
        app = self.app
        st = app.machine.state
        s = app.session
        while self.sent_shots < app.log.count:
            # Every record: the log holds back the next shot until it is taken (room()).
            # With no host since power-up (untethered) there is no one to send it to, and a
            # HELLO would drop the queue anyway: the journal keeps it.
            if self.nonce >= 0:
                self._queue(M.SHOT, (), app.log.record(self.sent_shots))
            self.sent_shots += 1
        app.log.sent = self.sent_shots
        if self.mode == M.MODE_IDLE:
            return
        while self.zone_seen < s.zone_i:
            self._queue(M.ZONE_DONE, (self.zone_seen, s.zones[self.zone_seen].points))
            self.zone_seen += 1
        if st != REFILL:
            self.refill_told = False
        elif not self.refill_told:
            # Once per empty syringe: the host asks for a full one and answers REFILLED.
            self.refill_told = True
            text = "fit a full %d mL syringe" % (s.syringe.volume_nl // 1000000)
            self._queue(M.EVENT, (M.EV_REFILL, self._zone()), text.encode())
        if st == FAULT and not self.fault_told:
            self.fault_told = True
            self._queue(M.EVENT, (M.EV_FAULT, self._zone()), faults.name(app.machine.fault).encode())
        elif st == DONE:
            self._queue(M.EVENT, (M.EV_DONE, M.NO_ZONE))
            self.mode = M.MODE_IDLE
            return
        if self.mode != M.MODE_STREAM:
            return
        # Silence, not unacknowledged frames: the host heartbeats, so a host that is there
        # but slow to acknowledge does not stop the gun mid-session.
        if self.ep.silent_us(now) > LINK_TIMEOUT_US and not self.lost:
            self._lose_link()
            return
        if s.zone_i >= self.released and not self.gated and st not in (
                IDLE, HOMING, DONE, FAULT, SAFING):
            app.pause()
            self.gated = True

    def _lose_link(self):
        self.lost = True
        self.app.link_lost()
        self.mode = M.MODE_IDLE
        self._queue(M.EVENT, (M.EV_LINK_LOST, self._zone()), b"no frame from the host")

    def _zone(self):
        s = self.app.session
        return s.zone_i if s.loaded and s.zone_i < len(s.zones) else M.NO_ZONE

    # -- messages -------------------------------------------------------------
    def _deliver(self, mid, tag, payload, n, fresh):
        if mid == M.HELLO:
            v = M.decode(mid, payload, n)
            if v is not None:
                self._hello(v[0], v[1], tag)
            return
        if self.nonce < 0:
            self.ep.send_rt(M.RESTARTED, tag)
            return
        kind = M.kind(mid)
        if kind == M.RT:
            if fresh:
                self._realtime(mid)
            self.ep.send_rt(M.STATUS, tag, self.status())
            return
        values = M.decode(mid, payload, n)
        try:
            self._command(mid, values, payload, n)
        except Exception as e:  # a bad command must never take the loop down
            self._error(mid, M.E_BAD_MESSAGE, str(e))

    def _hello(self, nonce, part, tag):
        if self.ep.peer_version == PROTOCOL_VERSION and nonce != self.nonce:
            if self.mode == M.MODE_STREAM:
                self._lose_link()  # a new host while streaming: the old one is gone
            self.nonce = nonce
            self.ep.reset(self.now)
            self.outbox = []
            self.load = None
            self.log_cache = None
        # The identity JSON goes in parts: one IDENTITY frame per HELLO.
        info = self.info
        parts = (len(info) + M.INFO_PART - 1) // M.INFO_PART
        at = part * M.INFO_PART
        self.ep.send_rt(M.IDENTITY, tag, (nonce, PROTOCOL_VERSION, WINDOW, MAX_PAYLOAD,
                                           self.caps, part, parts), info[at:at + M.INFO_PART])

    def _realtime(self, mid):
        app = self.app
        if mid == M.ABORT:
            app.abort()
            if self.mode != M.MODE_IDLE:
                self._queue(M.EVENT, (M.EV_ABORTED, self._zone()))
            self.mode = M.MODE_IDLE
        elif mid == M.PAUSE:
            self.user_paused = True
            app.pause()
        elif mid == M.RESUME:
            self.user_paused = False
            if not self.gated:
                app.resume()

    def _error(self, mid, code, text=""):
        self._queue(M.ERROR, (mid, code), text.encode()[:MAX_PAYLOAD - 2])

    def _busy(self):
        return self.mode != M.MODE_IDLE and self.app.machine.state not in (IDLE, DONE, FAULT,
                                                                           PAUSED)

    def _command(self, mid, v, payload, n):
        app = self.app
        if mid == M.LOAD_BEGIN:
            if self._busy():
                return self._error(mid, M.E_BUSY, "a protocol is running")
            if v[1] > PROTOCOL_MAX:
                return self._error(mid, M.E_TOO_BIG, "at most %d bytes" % PROTOCOL_MAX)
            self.load = Upload(v[0], v[1], v[2])
        elif mid == M.LOAD_CHUNK:
            if self.load is None or not self.load.chunk(v[0], M.tail(mid, payload, n)):
                return self._error(mid, M.E_ORDER, "chunk at %d" % v[0])
        elif mid == M.LOAD_END:
            code, text = self._finish_load()
            self._queue(M.LOAD_RESULT, (code,), text.encode()[:MAX_PAYLOAD - 1])
        elif mid == M.RUN_ZONE:
            if self.mode != M.MODE_STREAM:
                return self._error(mid, M.E_NO_PROTOCOL, "load a protocol to stream first")
            if v[0] >= len(app.session.zones):
                return self._error(mid, M.E_BAD_ZONE, "zone %d" % v[0])
            if v[0] + 1 > self.released:
                self.released = v[0] + 1
            st = app.machine.state
            if st == IDLE or st == DONE:
                if not app.arm():  # said, or the host would wait for a shot that never comes
                    if app.interrupted:
                        return self._error(mid, M.E_BUSY, "an interrupted session waits (%s): "
                                           "continue or discard it first" % app.where())
                    return self._error(mid, M.E_BUSY, "the gun did not arm")
            elif self.gated and app.session.zone_i < self.released:
                self.gated = False
                if not self.user_paused:
                    app.resume()  # also when the gate's pause waits for the shot to end
        elif mid == M.ACK_FAULT:
            if not app.ack_fault():
                return self._error(mid, M.E_BAD_MESSAGE, "no fault latched")
            self.fault_told = False
            if self.streamed and self.mode == M.MODE_IDLE:
                # The gun re-arms after the acknowledgement: back under the host's control,
                # with nothing released until the host sends RUN_ZONE again.
                zone = app.session.zone_i
                self._begin(M.MODE_STREAM)
                self.released = self.zone_seen = zone
        elif mid == M.LOG_READ:
            if v[0] == 0 or self.log_cache is None:
                self.log_cache = self.hal.read_file(app.journal) or b""
            data = self.log_cache
            k = min(v[1], LOG_DATA_MAX)
            self._queue(M.LOG_DATA, (v[0], len(data)), data[v[0]:v[0] + k])
        elif mid == M.REFILLED:
            if not app.refilled():
                return self._error(mid, M.E_BAD_MESSAGE, "the gun is not waiting for a syringe")
        elif mid == M.SESSION_CHOICE:
            if not app.choose(v[0] == M.CHOICE_CONTINUE):
                return self._error(mid, M.E_BAD_MESSAGE, "no interrupted session to continue "
                                   "with the protocol loaded" if v[0] else "nothing to discard")
            if v[0] == M.CHOICE_CONTINUE and self.streamed:
                # Back under the host's control from the zone it stands in; nothing released
                # until RUN_ZONE.
                self._begin(M.MODE_STREAM)
                self.released = self.zone_seen = app.session.zone_i
        elif mid == M.END_SESSION:
            if self.mode == M.MODE_STREAM:
                self.mode = M.MODE_IDLE
                if app.machine.state not in (IDLE, DONE, FAULT, SAFING):
                    app.pause()

    def _finish_load(self):
        up = self.load
        self.load = None
        if up is None:
            return M.E_ORDER, "no upload begun"
        code, text, proto = up.finish(self.app, self.hal)
        if code == M.E_OK:
            self.proto = proto
            self.streamed = up.target != M.TARGET_STORE
            if up.target == M.TARGET_STORE:
                self.stored = True
            else:
                self._begin(M.MODE_STREAM)
        return code, text

    def status(self):
        """The STATUS fields, in table order."""
        app = self.app
        m = app.machine
        s = app.session
        flags = 0
        if m.state == PAUSED:
            flags |= M.FLAG_PAUSED
        if s.loaded:
            flags |= M.FLAG_LOADED
        if m.state == FAULT or m.state == SAFING:
            flags |= M.FLAG_ALARM
        if self.lost:
            flags |= M.FLAG_LINK_LOST
        if self.stored:
            flags |= M.FLAG_STORED
        p = app.progress
        if app.interrupted:
            flags |= M.FLAG_INTERRUPTED
        if p.damaged:
            flags |= M.FLAG_PROGRESS_DAMAGED
        return (m.state, self.mode, m.fault, self._zone(), s.shot_i, s.shots & 0xFFFF,
                s.total_nl, app.log.count, flags, p.boot, p.status, p.zone & 0xFF,
                p.point & 0xFFFF, p.zone_points & 0xFFFF)
