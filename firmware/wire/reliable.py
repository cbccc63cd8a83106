"""Reliable delivery: a go-back-N sliding window of sequenced frames with retransmit timeout.

Sequence numbers are one byte and wrap; the window is far below half the space (128), so
"behind" (a duplicate) and "ahead" (a gap) are never confused. The receiver accepts only the
next expected sequence number: a duplicate is acknowledged again but never delivered twice,
a frame after a gap is dropped and NAKed so the sender goes back at once instead of waiting
for its timeout.
"""

from array import array

from firmware import ticks
from firmware.compat import const
from firmware.wire.frame import MAX_PAYLOAD

WINDOW_MAX = const(32)

# Receiver.accept() results.
RX_NEW = const(0)
RX_DUPLICATE = const(1)
RX_GAP = const(2)


class Sender:
    """Frames sent but not yet acknowledged, kept for retransmission (payloads preallocated)."""

    def __init__(self, window, rto_us, mask):
        if window < 1 or window > WINDOW_MAX:
            raise ValueError("window must be 1..%d" % WINDOW_MAX)
        self.window = window
        self.rto_us = rto_us
        self.mask = mask
        self.slots = [bytearray(MAX_PAYLOAD) for _ in range(window)]
        self.types = bytearray(window)
        self.lens = array("H", [0] * window)
        self.reset(0)

    def reset(self, now):
        self.base = 0  # oldest unacknowledged sequence number
        self.next = 0  # sequence number the next queued frame gets
        self.sent = 0  # next sequence number to put on the wire
        self.timer = now  # when base was last sent or acknowledgements last moved
        self.retries = 0  # timeouts in a row without progress
        self.retransmits = 0

    def outstanding(self):
        return (self.next - self.base) & 0xFF

    def free(self):
        return self.window - self.outstanding()

    def slot(self):
        """Payload buffer of the next frame; fill it, then commit()."""
        return self.slots[self.next % self.window]

    def commit(self, mid, n):
        """Queue the frame whose payload is in slot(); return its sequence number."""
        i = self.next % self.window
        self.types[i] = mid
        self.lens[i] = n
        seq = self.next
        self.next = (self.next + 1) & 0xFF
        return seq

    def on_ack(self, ack, now):
        """The peer expects ack next: everything before it has arrived. True on progress."""
        d = (ack - self.base) & 0xFF
        if d == 0 or d > self.outstanding():
            return False
        if ((self.sent - self.base) & 0xFF) < d:
            self.sent = ack
        self.base = ack
        self.timer = now
        self.retries = 0
        return True

    def go_back(self):
        """Send everything unacknowledged again, oldest first."""
        if self.sent != self.base:
            self.retransmits += (self.sent - self.base) & 0xFF
        self.sent = self.base

    def timed_out(self, now):
        # Only frames on the wire can time out; queued ones wait for room.
        return self.sent != self.base and ticks.diff(now, self.timer, self.mask) >= self.rto_us

    def pending(self):
        """Sequence number of the next frame to put on the wire, or -1 if none."""
        return -1 if self.sent == self.next else self.sent

    def frame(self, seq):
        i = seq % self.window
        return self.types[i], self.slots[i], self.lens[i]

    def mark_sent(self, now):
        if self.sent == self.base:
            self.timer = now
        self.sent = (self.sent + 1) & 0xFF


class Receiver:
    """Sequence tracking of incoming frames: NEW once per sequence number, in order."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.expected = 0
        self.duplicates = 0
        self.gaps = 0

    def accept(self, seq):
        d = (seq - self.expected) & 0xFF
        if d == 0:
            self.expected = (self.expected + 1) & 0xFF
            return RX_NEW
        if d >= 128:
            self.duplicates += 1
            return RX_DUPLICATE
        self.gaps += 1
        return RX_GAP
