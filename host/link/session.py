"""A session with one gun: handshake, realtime requests, uploads, zone feeding, the log.

Everything goes through one Endpoint (firmware/wire), so the host speaks exactly the bytes
the firmware does. pump() is the only place that reads, writes and checks the link.
"""

import collections
import hashlib
import json
import os
import struct

from firmware.wire import PROTOCOL_VERSION
from firmware.wire import messages as M
from firmware.wire.endpoint import Endpoint
from firmware.wire.frame import MAX_WIRE
from host.link.errors import DeviceError, LinkError
from host.link.transport import BAUD, Transport, now_us

TICK_MASK = (1 << 62) - 1  # the laptop's µs clock wraps at 2**62 (firmware/ticks.py)
WINDOW = 8
RT_RETRY_US = 100000
HELLO_RETRY_US = 200000
HEARTBEAT_US = 250000
SILENCE_US = 3000000  # no frame from the device for this long: link lost
HANDSHAKE_US = 3000000
PATIENCE_US = 60000000  # an operation may take this long while the link makes progress
CHUNK_SIZES = (32, 64, 128, 243)


def rto_for(baud):
    """Retransmit timeout: a full window on the wire and back, with margin."""
    window_us = WINDOW * MAX_WIRE * 10 * 1000000 // baud
    return max(300000, 2 * window_us + 100000)


class Session:
    def __init__(self, transport, baud=BAUD):
        self.t = transport
        self.ep = Endpoint(self.t.write, self._deliver, WINDOW, rto_for(baud), TICK_MASK)
        self.ep.reset(now_us())
        self.inbox = collections.deque()
        self.tag = int.from_bytes(os.urandom(1), "little")
        self.nonce = None
        self.identity = None
        self.last_status = None
        self.heartbeat_at = 0
        self.restarted = False

    @classmethod
    def open(cls, port, baud=BAUD):
        """Open the port and shake hands; the caller closes the session."""
        s = cls(Transport(port, baud), baud)
        try:
            s.handshake()
        except BaseException:
            s.close()
            raise
        return s

    def close(self):
        self.t.close()

    # -- the pump -------------------------------------------------------------
    def _deliver(self, mid, tag, payload, n, fresh):
        if mid == M.RESTARTED:
            self.restarted = True
            return
        self.inbox.append((mid, tag, bytes(payload[:n])))

    def pump(self, wait_us=20000):
        """Read what arrives within wait_us, act on the link, send what may be sent."""
        t = now_us()
        wire_wait = self.t.wire_free_us - t - 1000
        if self.ep.sender.pending() >= 0 and wire_wait < wait_us:
            wait_us = max(0, wire_wait)
        data = self.t.read(wait_us / 1e6)
        t = now_us()
        if data:
            self.ep.feed(data, len(data), t)
        if self.identity is not None:
            if self.restarted:
                raise LinkError("link lost: the device restarted; the session was lost")
            if self.ep.failed or self.ep.silent_us(t) > SILENCE_US:
                raise LinkError("link lost: no answer from the device on %s" % self.t.port)
            if t - self.heartbeat_at > HEARTBEAT_US:
                self.heartbeat_at = t
                self._next_tag()
                self.ep.send_rt(M.STATUS_REQ, self.tag)
        self.ep.poll(t, self.t.room(MAX_WIRE))

    def _next_tag(self):
        self.tag = (self.tag + 1) & 0xFF
        return self.tag

    def take(self, mids, drop_before=()):
        """The first message in the inbox whose id is in mids, or None. Messages with ids in
        drop_before that came before it are discarded (reports from an earlier run)."""
        for i, item in enumerate(self.inbox):
            if item[0] in mids:
                stale = [x for x in list(self.inbox)[:i] if x[0] in drop_before]
                for x in stale + [item]:
                    self.inbox.remove(x)
                return item
        return None

    def wait(self, mids, timeout_us, what, drop_before=()):
        end = now_us() + timeout_us
        while True:
            got = self.take(mids, drop_before)
            if got is not None:
                return got
            if now_us() > end:
                raise LinkError("link lost: no %s from the device on %s" % (what, self.t.port))
            self.pump()

    # -- handshake and realtime -----------------------------------------------
    def handshake(self, timeout_us=HANDSHAKE_US):
        """HELLO until the device's IDENTITY, all its parts; return its fields and info."""
        self.nonce = int.from_bytes(os.urandom(4), "little")
        parts = []
        total = 1
        while len(parts) < total:
            # timeout_us without any part is no device; a noisy line only makes parts slow.
            got = self._hello_part(len(parts), now_us() + timeout_us)
            if len(parts) == 0:
                first = got
                self.ep.reset(now_us())
                self.inbox.clear()
                self.restarted = False
            total = got["parts"]
            parts.append(got["info"])
        first["info"] = json.loads(b"".join(parts))
        self.identity = first
        return first

    def _hello_part(self, part, end):
        while True:
            self.ep.send_rt(M.HELLO, part, (self.nonce, part))
            retry = now_us() + HELLO_RETRY_US
            while now_us() < retry:
                self.pump()
                got = self.take((M.IDENTITY,))
                if got is None:
                    continue
                if self.ep.peer_version != PROTOCOL_VERSION:
                    raise LinkError(
                        "wrong protocol version: the device on %s speaks version %d, this meso "
                        "speaks %d; update the %s" % (
                            self.t.port, self.ep.peer_version, PROTOCOL_VERSION,
                            "firmware" if self.ep.peer_version < PROTOCOL_VERSION else "host"))
                f = M.unpack(M.IDENTITY, got[2])[1]
                if f["nonce"] == self.nonce and f["part"] == part:
                    return f
            if now_us() > end:
                raise LinkError("no mesogun device answers on %s" % self.t.port)

    def request(self, mid, timeout_us=2000000):
        """Send a realtime request until its STATUS comes back; return the status dict."""
        tag = self._next_tag()
        end = now_us() + timeout_us
        while True:
            self.ep.send_rt(mid, tag)
            retry = now_us() + RT_RETRY_US
            while now_us() < retry:
                self.pump(5000)
                for item in list(self.inbox):
                    if item[0] == M.STATUS and item[1] == tag:
                        self.inbox.remove(item)
                        return self._status(item[2])
            if now_us() > end:
                raise LinkError("link lost: the device did not answer %s on %s"
                                % (M.name(mid), self.t.port))

    def _status(self, payload):
        self.last_status = M.unpack(M.STATUS, payload)[1]
        return self.last_status

    def status(self):
        return self.request(M.STATUS_REQ)

    def abort(self):
        return self.request(M.ABORT)

    # -- reliable commands ----------------------------------------------------
    def send(self, mid, values=(), tail=None):
        end = now_us() + PATIENCE_US
        while not self.ep.send(mid, values, tail):
            if now_us() > end:
                raise LinkError("link lost: the device stopped acknowledging on %s" % self.t.port)
            self.pump()

    def flush(self, timeout_us=PATIENCE_US):
        """Wait until everything sent has been acknowledged."""
        end = now_us() + timeout_us
        while not self.ep.idle():
            if now_us() > end:
                raise LinkError("link lost: the device stopped acknowledging on %s" % self.t.port)
            self.pump()

    def check_error(self):
        got = self.take((M.ERROR,))
        if got is not None:
            f = M.unpack(M.ERROR, got[2])[1]
            raise DeviceError("the device refused %s: %s%s" % (
                M.name(f["for_type"]), M.ERROR_NAMES[f["code"]],
                (": " + f["text"].decode(errors="replace")) if f["text"] else ""))

    def chunk_size(self):
        """LOAD_CHUNK data size for the line as it is: full frames on a clean line, shorter
        ones on a noisy line, where a frame's chance to get through falls with its length.
        The byte error rate is estimated from the frames received so far."""
        d = self.ep.deframer
        seen = d.frames + d.errors
        if d.errors == 0 or seen < 4:
            return M.CHUNK_MAX
        ok_frame = d.frames / seen
        ok_byte = ok_frame ** (1.0 / 24)  # received frames are mostly ~24-byte STATUS frames
        best, best_rate = M.CHUNK_MAX, 0.0
        for size in CHUNK_SIZES:
            wire = size + 12
            rate = size / wire * ok_byte ** wire
            if rate > best_rate:
                best, best_rate = size, rate
        return best

    def load(self, data, target, progress=None):
        """Upload protocol bytes; raise DeviceError with the device's reasons if refused."""
        sha = hashlib.sha256(data).digest()
        self.send(M.LOAD_BEGIN, (target, len(data), sha))
        off = 0
        while off < len(data):
            chunk = data[off:off + self.chunk_size()]
            self.send(M.LOAD_CHUNK, (off,), chunk)
            off += len(chunk)
            self.check_error()
            if progress:
                progress(off, len(data))
        self.send(M.LOAD_END)
        mid, tag, payload = self.wait((M.LOAD_RESULT, M.ERROR), PATIENCE_US, "upload result",
                                   (M.SHOT, M.ZONE_DONE, M.EVENT))
        if mid == M.ERROR:
            self.inbox.appendleft((mid, tag, payload))
            self.check_error()
        f = M.unpack(M.LOAD_RESULT, payload)[1]
        if f["code"] != M.E_OK:
            text = f["text"].decode(errors="replace")
            raise DeviceError("the device refused the protocol (%s)%s" % (
                M.ERROR_NAMES[f["code"]], (":\n" + text) if text else ""))

    def read_log(self, progress=None):
        """The device's whole shot journal, as bytes."""
        out = bytearray()
        total = None
        while total is None or len(out) < total:
            self.send(M.LOG_READ, (len(out), M.CHUNK_MAX))
            mid, tag, payload = self.wait((M.LOG_DATA, M.ERROR), PATIENCE_US, "log data")
            if mid == M.ERROR:
                self.inbox.appendleft((mid, tag, payload))
                self.check_error()
            start, total = struct.unpack_from("<II", payload, 0)
            if start == len(out):
                out += payload[8:]
            if progress:
                progress(len(out), total)
            if total == len(out):
                break
        return bytes(out)
