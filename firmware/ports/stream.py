"""The host link on the MicroPython console: stdin and stdout, read without blocking.

Shared by the board HALs (common.py) and the unix port's; it needs no
machine module, so the unix port can import it.
"""

import select
import sys

import micropython


class Stream:
    """The host link on the USB serial (or UART REPL) through stdin/stdout, non-blocking."""

    def __init__(self, own_usb):
        self.poller = select.poll()
        self.poller.register(sys.stdin, select.POLLIN)
        self.one = bytearray(1)
        if own_usb:
            # The app owns the port: Ctrl-C is data, not an interrupt into a REPL.
            micropython.kbd_intr(-1)

    def read_bytes(self, buf):
        n = 0
        while n < len(buf) and self.poller.poll(0):
            if not sys.stdin.buffer.readinto(self.one):
                break
            buf[n] = self.one[0]
            n += 1
        return n

    def write_bytes(self, data):
        sys.stdout.buffer.write(data)
