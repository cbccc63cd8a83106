"""The gun's link with the clinical lock: on a paired gun all but the safe commands are signed.

Unsigned on a paired gun: only firmware/wire/lock.UNSIGNED (HELLO, STATUS_REQ, ABORT, PAUSE,
AUTH_BEGIN, and LOAD_CHUNK, which the signed LOAD_BEGIN binds). A session that has proved
its key is its own: a HELLO from anyone else does not end it while its host is heard, and a
stranger's AUTH_BEGIN or bad tags cannot void it or lock it out. Pairing is two-phase
(PAIR_BEGIN stages a key, PAIR_CONFIRM signed under it commits it). Refusals are answered
with AUTH_RESULT and appended to the audit journal.
"""

from firmware import auth, pairing
from firmware.auth import AUTH_BEGIN, AUTH_RESULT, CHALLENGE, MAINT, SETTINGS, SIGNED
from firmware.link import LINK_TIMEOUT_US, Link
from firmware.wire import messages as M
from firmware.wire.lock import GUARDED, PAIR_BEGIN, PAIR_CONFIRM, PAIR_KEY, UNSIGNED

AUDIT = pairing.AUDIT
MAINT_GRACE_US = 300000  # time for the reply to MAINT to reach the host before the app stops


class GuardedLink(Link):
    """firmware.link.Link with the lock in front of its commands.

    on_settings(data) -> error text or "" stores a new settings file (firmware/calibration);
    on_paired(mode) tells the gun its mode changed (a pairing committed); on_pairing(key) ->
    error text or "" readies the gun for a key about to be committed (signs its firmware)."""

    def __init__(self, hal, app, board, device_id, guard, on_settings=None, on_paired=None,
                 on_pairing=None):
        Link.__init__(self, hal, app, board, device_id)
        self.guard = guard
        self.on_settings = on_settings
        self.on_paired = on_paired
        self.on_pairing = on_pairing
        self.maint_at = None  # tick at which MAINT was accepted
        self.heard_at = self.now  # last frame of the session's own host

    def maintenance_due(self, now):
        """True once MAINT was accepted and its answer has had time to leave."""
        if self.maint_at is None:
            return False
        quiet = not self.outbox and not self.ep.sender.outstanding()
        waited = (now - self.maint_at) & self.hal.tick_mask
        return quiet and waited > 50000 or waited > MAINT_GRACE_US

    def start(self):
        """A stored protocol runs at power-up only on an open or a paired gun."""
        g = self.guard
        if g.locked_keys or (g.staged is not None and g.key is None):
            return False
        return Link.start(self)

    def _held(self):
        """A proved session whose host is still heard: no HELLO may end it."""
        heard = (self.now - self.heard_at) & self.hal.tick_mask
        return self.guard.paired() and self.guard.proven and heard < LINK_TIMEOUT_US

    def _deliver(self, mid, tag, payload, n, fresh):
        if mid == M.HELLO:
            v = M.decode(mid, payload, n)
            if v is not None and v[0] != self.nonce and self._held():
                return  # another party's HELLO: the session goes on, unanswered
        else:
            self.heard_at = self.now
        g = self.guard
        if (mid != M.HELLO and M.kind(mid) == M.RT and mid not in UNSIGNED and g.paired()
                and self.nonce >= 0):
            if fresh:
                self._refuse(mid, auth.NO_CHALLENGE if g.nonce is None else auth.BAD_TAG,
                             "unsigned: this gun is paired; only ABORT, PAUSE, STATUS are not")
            self.ep.send_rt(M.STATUS, tag, self.status())
            return
        Link._deliver(self, mid, tag, payload, n, fresh)

    def _hello(self, nonce, part, tag):
        if nonce != self.nonce:
            self.guard.new_session()
        Link._hello(self, nonce, part, tag)

    def _command(self, mid, v, payload, n):
        g = self.guard
        if mid == AUTH_BEGIN:
            nonce = g.challenge() if g.paired() else bytes(auth.NONCE_BYTES)
            self._queue(CHALLENGE, (nonce, g.state(), g.counter))
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
        if mid not in UNSIGNED and g.paired():
            if mid == PAIR_BEGIN and g.key is None and not g.locked_keys:
                return self._run(mid, v, payload, n)  # a staged pairing is still unpaired
            return self._refuse(mid, auth.NO_CHALLENGE if g.nonce is None else auth.BAD_TAG,
                                "unsigned: this gun is paired; commands that change it are signed")
        return self._run(mid, v, payload, n)

    def _run(self, mid, v, payload, n):
        g = self.guard
        if mid == PAIR_BEGIN:
            key = g.random(auth.KEY_BYTES)
            pairing.stage(self.hal, key)
            g.staged = key
            self._queue(PAIR_KEY, (key,))
            return
        if mid == PAIR_CONFIRM:
            text = self.on_pairing(g.staged) if self.on_pairing else ""
            if text:  # the firmware cannot be signed for the key: nothing is committed
                self._queue(AUTH_RESULT, (mid, auth.REJECTED), text.encode()[:200])
                return
            pairing.commit(self.hal, g.staged)
            g.commit()
            self._log("paired: key %s committed" % pairing.key_id(g.key))
            if self.on_paired is not None:
                self.on_paired(pairing.CLINICAL)
            self._queue(AUTH_RESULT, (mid, auth.OK), b"paired")
            return
        if mid == MAINT:
            self._queue(AUTH_RESULT, (mid, auth.OK), b"maintenance: REPL open until reboot")
            self.maint_at = self.now
            return
        if mid == SETTINGS:
            text = self.on_settings(bytes(M.tail(mid, payload, n))) if self.on_settings else "no"
            self._queue(AUTH_RESULT, (mid, auth.REJECTED if text else auth.OK),
                        text.encode()[:200])
            return
        if mid == M.AUTH_END:
            g.proven = False  # the host is done: the next host's HELLO is taken at once
            return
        if M.kind(mid) == M.RT:
            return self._realtime(mid)  # a signed RESUME
        Link._command(self, mid, v, payload, n)

    def _log(self, text):
        try:
            self.hal.append_file(AUDIT, ("%d %s\n" % (self.now, text)).encode())
        except OSError:
            pass  # a full flash must not open the lock

    def _refuse(self, mid, verdict, text=None):
        g = self.guard
        g.refused += 1
        why = text or auth.VERDICTS[verdict]
        self._queue(AUTH_RESULT, (mid, verdict), why.encode()[:200])
        self._log("refused %s: %s" % (M.name(mid), auth.VERDICTS[verdict]))
