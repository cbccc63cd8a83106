"""The gun's link with the clinical lock: once paired, guarded commands must come signed.

Guarded: the commands firmware/wire/lock.GUARDED lists (whatever arms the gun or changes its
protocol, settings or firmware). Status, identity, ABORT/PAUSE and the log stay open.
Refusals are answered with AUTH_RESULT and appended to the audit journal.
"""

from firmware import auth
from firmware.auth import AUTH_BEGIN, AUTH_RESULT, CHALLENGE, MAINT, SETTINGS, SIGNED
from firmware.link import Link
from firmware.wire import messages as M
from firmware.wire.lock import GUARDED
AUDIT = "audit.log"
MAINT_GRACE_US = 300000  # time for the reply to MAINT to reach the host before the app stops


class GuardedLink(Link):
    """firmware.link.Link with the lock in front of its commands.

    on_settings(data) -> error text or "" stores a new settings file (firmware/calibration)."""

    def __init__(self, hal, app, board, device_id, guard, on_settings=None):
        Link.__init__(self, hal, app, board, device_id)
        self.guard = guard
        self.on_settings = on_settings
        self.maint_at = None  # tick at which MAINT was accepted

    def maintenance_due(self, now):
        """True once MAINT was accepted and its answer has had time to leave."""
        if self.maint_at is None:
            return False
        quiet = not self.outbox and not self.ep.sender.outstanding()
        waited = (now - self.maint_at) % self.hal.tick_period
        return quiet and waited > 50000 or waited > MAINT_GRACE_US

    def _command(self, mid, v, payload, n):
        g = self.guard
        if mid == AUTH_BEGIN:
            nonce = g.challenge() if g.paired() else bytes(auth.NONCE_BYTES)
            self._queue(CHALLENGE, (nonce, 1 if g.paired() else 0))
            return
        if mid == SIGNED:
            counter, inner, got = v
            body = bytes(M.tail(mid, payload, n))
            verdict = g.check(counter, inner, body, got)
            if verdict == auth.OK and inner not in GUARDED:
                verdict = auth.BAD_TAG
            if verdict != auth.OK:
                return self._refuse(inner, verdict)
            iv = M.decode(inner, body, len(body))
            if iv is None:
                return self._error(inner, M.E_BAD_MESSAGE, "bad signed payload")
            return self._run(inner, iv, body, len(body))
        if mid in GUARDED and g.paired():
            return self._refuse(mid, auth.NO_CHALLENGE if g.nonce is None else auth.BAD_TAG,
                                "unsigned: this gun is paired; commands that change it are signed")
        return self._run(mid, v, payload, n)

    def _run(self, mid, v, payload, n):
        if mid == MAINT:
            self._queue(AUTH_RESULT, (mid, auth.OK), b"maintenance: REPL open until reboot")
            self.maint_at = self.now
            return
        if mid == SETTINGS:
            text = self.on_settings(bytes(M.tail(mid, payload, n))) if self.on_settings else "no"
            self._queue(AUTH_RESULT, (mid, auth.REJECTED if text else auth.OK),
                        text.encode()[:200])
            return
        Link._command(self, mid, v, payload, n)

    def _refuse(self, mid, verdict, text=None):
        g = self.guard
        g.refused += 1
        why = text or auth.VERDICTS[verdict]
        self._queue(AUTH_RESULT, (mid, verdict), why.encode()[:200])
        try:
            line = "%d refused %s: %s\n" % (self.now, M.name(mid), auth.VERDICTS[verdict])
            self.hal.append_file(AUDIT, line.encode())
        except OSError:
            pass  # a full flash must not open the lock
