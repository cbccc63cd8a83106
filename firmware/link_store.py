"""Protocol uploads on the gun: chunks gathered in order, SHA-256 checked, stored atomically.

Used by firmware/link.py for both modes: a verified protocol is loaded into the App, and in
store mode also written as [32-byte SHA-256][JSON] so that a power cut leaves the old file
or the new one, and a file that does not match its hash is never run.
"""

import hashlib
import json

from firmware import jsonbound
from firmware.compat import const
from firmware.wire import messages as M

STORED = "protocol.bin"
PROTOCOL_MAX = const(16384)


def read_stored(hal):
    """The stored protocol's JSON bytes if present and its SHA-256 matches, else None."""
    data = hal.read_file(STORED)
    if data is None or len(data) < 32:
        return None
    body = data[32:]
    if hashlib.sha256(body).digest() != bytes(data[:32]):
        return None
    return body


class Upload:
    """One upload in progress (LOAD_BEGIN .. LOAD_END)."""

    def __init__(self, target, size, sha):
        self.target = target
        self.sha = bytes(sha)
        self.data = bytearray(size)
        self.n = 0

    def chunk(self, offset, data):
        """Take a chunk; False if it is not the next one or overflows the declared size."""
        end = offset + len(data)
        if offset != self.n or end > len(self.data):
            return False
        self.data[offset:end] = data
        self.n = end
        return True

    def finish(self, app, hal):
        """(code, text, protocol): verify, parse, load into the app, store if asked."""
        data = self.data
        if self.n != len(data):
            return M.E_ORDER, "incomplete upload", None
        if hashlib.sha256(data).digest() != self.sha:
            return M.E_SHA, "SHA-256 mismatch", None
        why = jsonbound.check(data)
        if why is not None:
            return M.E_FORMAT, why, None
        try:
            proto = json.loads(data)
        except ValueError:
            return M.E_FORMAT, "not JSON", None
        try:
            problems = app.load_protocol(proto, self.sha,
                                         0 if self.target == M.TARGET_STORE else 1)
        except Exception as e:  # noqa: BLE001 - every load gets its answer; nothing loaded
            return M.E_FORMAT, "protocol: cannot be checked (%s)" % (e,), None
        if problems:
            # Limit problems, or the app's own one-line refusal (busy mid-shot).
            return M.E_LIMITS, "\n".join([p if isinstance(p, str) else p.message()
                                           for p in problems]), None
        if self.target == M.TARGET_STORE:
            try:
                hal.write_file_atomic(STORED, self.sha + bytes(data))
            except OSError as e:
                return M.E_STORAGE, str(e), None
            if not app.ready_stored(self.sha):  # it runs once, from the next power-up
                return M.E_STORAGE, "session progress not written", None
        return M.E_OK, "", proto
