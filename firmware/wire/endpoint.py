"""One end of the link: frames in and out, reliable sequenced messages, realtime messages.

Both the device (firmware/link.py) and the host (host/link/) run an Endpoint. The owner feeds
it received bytes and calls poll(now) to put queued frames on the wire; it never sleeps and
never reads the clock itself (now is in µs on a clock wrapping at period, given as its mask: period - 1).

Delivery to the owner: deliver(mid, tag, payload, n, fresh)
- SEQ messages: once each, in order (tag = sequence number, fresh always True);
- RT messages: every time they arrive, fresh False when the tag repeats the previous
  realtime frame's, so a retried ABORT is answered again but executed once;
- HELLO and IDENTITY also when the peer speaks another protocol version (peer_version).
"""

from firmware import ticks
from firmware.compat import const
from firmware.wire import PROTOCOL_VERSION, messages
from firmware.wire.frame import HEADER_SIZE, Deframer, Encoder, wire_size
from firmware.wire.reliable import RX_DUPLICATE, RX_NEW, Receiver, Sender

# Timeouts without progress before the endpoint gives up on the link.
MAX_RETRIES = const(8)


class Endpoint:
    def __init__(self, write, deliver, window=8, rto_us=300000, mask=(1 << 30) - 1,
                 version=PROTOCOL_VERSION):
        self.write = write
        self.deliver = deliver
        self.version = version
        self.mask = mask
        self.enc = Encoder(version)
        self.deframer = Deframer()
        self.sender = Sender(window, rto_us, mask)
        self.receiver = Receiver()
        self.peer_version = version
        self.version_errors = 0
        self.unknown = 0
        self.frames_out = 0
        self.bytes_out = 0
        self.reset(0)

    def reset(self, now):
        """Start a new session: both sequence spaces from 0, nothing outstanding."""
        self.sender.reset(now)
        self.receiver.reset()
        self.rt_last = -1
        self.ack_due = False
        self.nak_due = False
        self.nak_sent = False
        self.nak_at = now
        self.failed = False
        self.last_rx = now
        self.heard = False

    # -- receiving ------------------------------------------------------------
    def feed(self, data, n, now):
        """Process received bytes data[0:n]."""
        self._now = now
        self.deframer.feed(data, n, self._on_frame)

    def _on_frame(self, version, mid, seq, ack, payload, n):
        now = self._now
        if version != self.version:
            self.version_errors += 1
            if mid == messages.HELLO or mid == messages.IDENTITY:
                self.peer_version = version
                self.deliver(mid, seq, payload, n, True)
            return
        self.peer_version = version
        k = messages.kind(mid)
        if k < 0 or messages.decode(mid, payload, n) is None:
            self.unknown += 1
            return
        self.last_rx = now
        self.heard = True
        if self.sender.on_ack(ack, now):
            self.failed = False
        if k == messages.CTL:
            if mid == messages.NAK:
                self.sender.go_back()
            return
        if k == messages.RT:
            fresh = seq != self.rt_last
            self.rt_last = seq
            self.deliver(mid, seq, payload, n, fresh)
            return
        r = self.receiver.accept(seq)
        if r == RX_NEW:
            self.ack_due = True
            self.nak_sent = False
            self.deliver(mid, seq, payload, n, True)
        elif r == RX_DUPLICATE:
            self.ack_due = True
        elif not self.nak_sent or ticks.diff(now, self.nak_at, self.mask) > self.sender.rto_us // 4:
            # One NAK per gap, repeated only if the gap outlives a quarter of a timeout (the
            # NAK or the resent frame was lost too).
            self.nak_due = True
            self.nak_sent = True
            self.nak_at = now

    def silent_us(self, now):
        """Time since the last good frame from the peer."""
        return ticks.diff(now, self.last_rx, self.mask)

    # -- sending --------------------------------------------------------------
    def can_send(self):
        return self.sender.free() > 0

    def send(self, mid, values=(), tail=None, tail_n=-1):
        """Queue a reliable message; False (nothing queued) when the window is full."""
        if not self.can_send():
            return False
        n = messages.encode_into(self.sender.slot(), 0, mid, values, tail, tail_n)
        self.sender.commit(mid, n)
        return True

    def send_rt(self, mid, tag, values=(), tail=None, tail_n=-1):
        """Put a realtime message on the wire now, ahead of anything queued."""
        n = messages.encode_into(self.enc.body, HEADER_SIZE, mid, values, tail, tail_n)
        self._put(mid, tag, n - HEADER_SIZE)

    def _put(self, mid, seq, n):
        size = self.enc.finish(mid, seq, self.receiver.expected, n)
        self.frames_out += 1
        self.bytes_out += size
        self.ack_due = False
        self.write(self.enc.wire_mv[:size])

    def poll(self, now, room=-1):
        """Retransmit on timeout, send queued frames (at most room bytes when room >= 0) and
        due acknowledgements. Return the time of the next retransmit check."""
        s = self.sender
        if s.timed_out(now):
            s.retries += 1
            if s.retries > MAX_RETRIES:
                # The owner decides what a failed link means; frames keep going out, so a
                # line that comes back picks up where it stopped.
                self.failed = True
            s.go_back()
            s.timer = now
        seq = s.pending()
        while seq >= 0:
            mid, payload, n = s.frame(seq)
            if room >= 0:
                if room < wire_size(n):
                    break
                room -= wire_size(n)
            self.enc.body[HEADER_SIZE:HEADER_SIZE + n] = memoryview(payload)[:n]
            self._put(mid, seq, n)
            s.mark_sent(now)
            seq = s.pending()
        if self.nak_due:
            self.nak_due = False
            self._put(messages.NAK, 0, 0)
        if self.ack_due:
            self._put(messages.ACK, 0, 0)
        return (s.timer + s.rto_us) & self.mask

    def idle(self):
        """Nothing queued or unacknowledged."""
        return self.sender.outstanding() == 0

