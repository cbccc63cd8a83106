"""Signing for a paired gun: challenges, signed commands, and a session that signs for itself."""

import time

from firmware.wire import lock as auth
from firmware.wire import messages as M
from host.link import keys
from host.link.errors import DeviceError, KeyStoreError, LinkError, LinkLayerError
from host.link.session import SILENCE_US, Session
from host.link.transport import now_us


class Signer:
    """Signs guarded commands for one session with a gun (after one challenge)."""

    def __init__(self, session, key):
        self.s = session
        self.key = key
        self.nonce = None
        self.counter = 0

    def begin(self):
        """Ask for the session's challenge; return the gun's CHALLENGE.paired (true when it
        wants signatures: paired, or a staged key waiting for its confirmation)."""
        self.s.send(auth.AUTH_BEGIN)
        _, _, payload = self.s.wait((auth.CHALLENGE,), SILENCE_US, "challenge")
        f = M.unpack(auth.CHALLENGE, payload)[1]
        self.nonce = f["nonce"]
        self.counter = f["counter"]  # the session's challenge lasts: go on above its counter
        return f["paired"]

    def signed_fields(self, mid, payload):
        self.counter += 1
        tag = auth.tag(self.key, self.nonce, self.counter, mid, payload)
        return (self.counter, mid, tag), payload

    def send(self, mid, values=(), tail=b""):
        """Send mid signed (its payload packed from values and tail)."""
        row = M.BY_NAME[M.name(mid)]
        payload = M.pack(row[1], **dict(zip([f for f in row[4] if f[-1] != "*"], values)))
        payload += bytes(tail)
        fields, body = self.signed_fields(mid, payload)
        self.s.send(auth.SIGNED, fields, body)


def _refused(f, what):
    return DeviceError("the gun refused %s: %s (%s)" % (
        what, auth.VERDICTS[f["verdict"]], f["text"].decode(errors="replace")))


def _no_key(device_id):
    return KeyStoreError("gun %s is paired with another laptop: no key for it in %s"
                         % (device_id, keys.key_dir()))


def result(session, mid, what):
    """Wait for the AUTH_RESULT about mid; DeviceError with the gun's reason if refused."""
    end = time.monotonic() + SILENCE_US / 1e6
    while True:
        _, _, payload = session.wait((auth.AUTH_RESULT,), SILENCE_US, what)
        f = M.unpack(auth.AUTH_RESULT, payload)[1]
        if f["for_type"] == mid:
            break
        if time.monotonic() > end:
            raise LinkError("no answer to %s from the gun" % M.name(mid))
    if f["verdict"] != auth.OK:
        raise _refused(f, what)
    return f["text"].decode(errors="replace")


def laptop_key(info):
    """This laptop's key for the gun whose identity info is given (None: not held)."""
    return keys.load(info["device_id"], info.get("key_id"))


def guarded(session, mid, values=(), tail=b"", what=None):
    """Send a guarded command, signed when the gun is paired (key from this laptop)."""
    device_id = session.identity["info"]["device_id"]
    key = laptop_key(session.identity["info"])
    signer = Signer(session, key or bytes(auth.KEY_BYTES))
    paired = signer.begin()
    if not paired:
        session.send(mid, values, tail or None)
        return
    if key is None:
        raise _no_key(device_id)
    signer.send(mid, values, tail)


class SignedSession(Session):
    """A Session that signs guarded commands when the gun is paired, so uploads, zone runs
    and settings work the same on an open and a clinical gun. Refusals raise DeviceError."""

    signer = None

    @classmethod
    def open_signed(cls, port, baud=None):
        from host.link.transport import BAUD, Transport

        s = cls(Transport(port, baud or BAUD), baud or BAUD)
        try:
            s.handshake()
            key = laptop_key(s.identity["info"])
            signer = Signer(s, key or bytes(auth.KEY_BYTES))
            # Firmware without the lock (no mode in its identity, e.g. meso sim serve) has
            # nothing to sign and would not know AUTH_BEGIN.
            if "mode" in s.identity["info"] and signer.begin():
                if key is None:
                    raise _no_key(s.identity["info"]["device_id"])
                s.signer = signer
        except BaseException:
            s.close()
            raise
        return s

    def close(self):
        """End the authenticated session (signed AUTH_END) so the next host is taken at
        once; a gun that no longer answers is left to its link timeout."""
        heard = self.identity is not None and not self.ep.failed and \
            self.ep.silent_us(now_us()) < SILENCE_US
        if self.signer is not None and heard:
            try:
                self.send(M.AUTH_END)
                self.flush(SILENCE_US)
            except LinkLayerError:
                pass
        Session.close(self)

    def send(self, mid, values=(), tail=None):
        from firmware.wire.lock import GUARDED

        if self.signer is not None and mid in GUARDED:
            return self.signer.send(mid, values, tail or b"")
        return Session.send(self, mid, values, tail)

    def wait(self, mids, timeout_us, what, drop_before=()):
        mids = tuple(mids)
        while True:
            got = Session.wait(self, mids + (auth.AUTH_RESULT,), timeout_us, what, drop_before)
            if got[0] in mids:
                return got
            f = M.unpack(auth.AUTH_RESULT, got[2])[1]
            if f["verdict"] != auth.OK:
                raise _refused(f, M.name(f["for_type"]))
