"""Serial transport: any pyserial URL (a device path, socket://, loop://), writes paced.

Writes are paced at the baud rate so that the operating system never holds more than about
one frame: a realtime frame such as ABORT then waits for at most the frame on the wire.
"""

import errno
import time

import serial

from host.link.errors import TransportError

BAUD = 115200
LEAD_US = 2000  # write the next frame this long before the wire falls idle


def now_us():
    return time.monotonic_ns() // 1000


def _open_error(port, e):
    text = str(e)
    err = getattr(e, "errno", None)
    if err == errno.ENOENT or "No such file" in text or "could not open port" in text and (
            "[Errno 2]" in text):
        return TransportError("no such port: %s (see `meso ports`)" % port)
    if err in (errno.EBUSY, errno.EAGAIN) or "exclusively lock" in text or "busy" in text:
        return TransportError("device busy: %s is in use by another program" % port)
    if err == errno.EACCES or "Permission denied" in text:
        return TransportError("no permission to open %s (is your user in the dialout group?)"
                              % port)
    return TransportError("cannot open %s: %s" % (port, text))


class Transport:
    def __init__(self, port, baud=BAUD):
        self.port = port
        self.byte_us = 10 * 1000000 / baud
        self.wire_free_us = 0
        self.bytes_out = 0
        self.bytes_in = 0
        try:
            self.ser = serial.serial_for_url(port, baudrate=baud, timeout=0, write_timeout=2,
                                             exclusive=True)
        except (serial.SerialException, OSError, ValueError) as e:
            raise _open_error(port, e) from None

    def read(self, wait_s):
        """Bytes available now, waiting up to wait_s for the first one."""
        try:
            self.ser.timeout = wait_s
            data = self.ser.read(1)
            if data:
                n = self.ser.in_waiting
                if n:
                    data += self.ser.read(n)
        except (serial.SerialException, OSError) as e:
            raise TransportError("link lost: %s: %s" % (self.port, e)) from None
        self.bytes_in += len(data)
        return data

    def write(self, data):
        try:
            self.ser.write(data)
        except (serial.SerialException, OSError) as e:
            raise TransportError("link lost: %s: %s" % (self.port, e)) from None
        t = now_us()
        start = max(t, self.wire_free_us)
        self.wire_free_us = start + len(data) * self.byte_us
        self.bytes_out += len(data)

    def room(self, frame_bytes):
        """Bytes the link may queue now: one frame when the wire is (nearly) idle, else 0."""
        return frame_bytes if self.wire_free_us - now_us() < LEAD_US else 0

    def close(self):
        try:
            self.ser.close()
        except (serial.SerialException, OSError):
            pass
