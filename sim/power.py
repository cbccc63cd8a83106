"""The gun's supply in a simulated session: a stored protocol uploaded before the session,
and a power cut that comes back after a while.

Powered stands between the world's main loop and the firmware: while the power is off it
polls nothing; at power-up it holds a new firmware core (RAM lost) over the same flash
files (the SimHAL's), as a real gun's would be. The simulated practitioner, told by the gun
that its session was interrupted, chooses to continue.
"""

import hashlib
import json

from firmware.link import Link
from firmware.link_store import Upload
from firmware.wire import messages as M

OFF_POLL_US = 100000
NOTICE_S = 2.0  # the practitioner reads the gun's "interrupted" and chooses


def protocol_bytes(proto):
    """The protocol as uploaded (JSON) and its SHA-256, as the host sends them."""
    body = json.dumps(proto, sort_keys=True, separators=(",", ":")).encode()
    return body, hashlib.sha256(body).digest()


class Powered:
    """The firmware now powered (an InProcess), or none while the power is off."""

    def __init__(self, fw, period):
        self.fw = fw
        self.period = period
        self.on = True
        self.boots = 1

    def poll(self, now):
        if not self.on:
            return (now + OFF_POLL_US) % self.period
        return self.fw.poll(now)

    # Asked after every poll: delegated without __getattr__'s lookup.
    def work(self):
        return self.fw.work()

    def state(self):
        return self.fw.state()

    def new_records(self):
        return self.fw.new_records()

    def __getattr__(self, name):
        return getattr(self.__dict__["fw"], name)


def store(fw, hal, board, proto):
    """Upload the protocol in store mode (verified, written); problems as text, or []."""
    body, sha = protocol_bytes(proto)
    up = Upload(M.TARGET_STORE, len(body), sha)
    up.chunk(0, body)
    code, text, _ = up.finish(fw.app, hal)
    return [] if code == M.E_OK else [text]


def start(fw, hal, board, proto, stored):
    """At power-up: a stored protocol starts by itself (once); a streamed one is loaded by
    the host. True if the gun armed."""
    if stored:
        fw.link = Link(hal, fw.app, board, "sim-0001")
        return fw.link.start()
    problems = fw.app.load_protocol(proto, protocol_bytes(proto)[1], 1)
    if problems:
        return False
    return fw.app.arm()


def restore(env, run, spec, make_fw):
    """The power comes back after spec's duration: a new core on the same flash; an
    interrupted session is continued by the practitioner."""
    w = run.world
    yield env.timeout(w.clock.from_s(spec["duration_s"]))
    fw = make_fw()
    run.fw.fw = fw
    run.fw.on = True
    run.fw.boots += 1
    run.powered_at_s = w.clock.s()
    start(fw, w.hal, run.board, run.proto, run.store)
    run.last_state = run.fw.state()
    w.poke()
    if fw.app.interrupted:
        yield env.timeout(w.clock.from_s(NOTICE_S))
        run.continued.append(fw.app.status()["interrupted_at"])
        fw.app.choose(True)
        if not run.store:
            fw.app.arm()
        w.poke()
