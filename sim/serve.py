"""A virtual gun behind a pseudo-terminal: any serial program can open it as a port.

The device (the real App and Link on the simulator's world) runs at --speed times real
time; its link runs in real time, as the bytes do. Optional: --baud paces both directions as a UART would (10 bits a byte), --chaos
drops, corrupts, duplicates and stalls bytes, from a seed, so the same run misbehaves the
same way.
"""

import os
import random
import select
import sys
import tempfile
import time
import tty

CHAOS_KEYS = ("drop", "flip", "dup", "stall", "stall_ms", "seed")


def parse_chaos(text):
    """'drop=0.01,flip=1e-4,dup=0.001,stall=0.0005,stall_ms=50' -> dict (ValueError if bad)."""
    chaos = {"drop": 0.0, "flip": 0.0, "dup": 0.0, "stall": 0.0, "stall_ms": 50.0, "seed": 1}
    if not text:
        return chaos
    for item in text.split(","):
        key, _, value = item.partition("=")
        key = key.strip()
        if key not in CHAOS_KEYS:
            raise ValueError("unknown chaos key %r (known: %s)" % (key, ", ".join(CHAOS_KEYS)))
        try:
            v = float(value)
        except ValueError:
            raise ValueError("chaos %s: expected a number, got %r" % (key, value)) from None
        if key in ("drop", "flip", "dup", "stall") and not 0 <= v <= 1:
            raise ValueError("chaos %s: %r is not a rate in 0..1" % (key, v))
        if v < 0:
            raise ValueError("chaos %s: must not be negative" % key)
        chaos[key] = int(v) if key == "seed" else v
    return chaos


class Pipe:
    """One direction of the wire: pacing at the baud rate, and chaos if asked for.

    drop: each byte lost with this rate; flip: each bit inverted with this rate; dup: each
    frame (up to its 0x00) sent twice with this rate; stall: at each byte, the line stops
    for stall_ms with this rate."""

    def __init__(self, baud, chaos, seed_offset):
        self.byte_s = 10.0 / baud if baud else 0.0
        self.chaos = chaos
        self.rng = random.Random(chaos["seed"] * 1000 + seed_offset)
        self.busy_until = 0.0
        self.queue = []  # (time the bytes have arrived, bytes)
        self.frame = bytearray()
        self.stats = {"dropped": 0, "flipped": 0, "duplicated": 0, "stalls": 0}

    def _mangle(self, data, now):
        c = self.chaos
        if not (c["drop"] or c["flip"] or c["dup"] or c["stall"]):
            return data
        out = bytearray()
        rng = self.rng
        p_byte_flip = 1.0 - (1.0 - c["flip"]) ** 8
        for b in data:
            if c["stall"] and rng.random() < c["stall"]:
                self.stats["stalls"] += 1
                self._emit(out, now)
                out = bytearray()
                self.busy_until = max(self.busy_until, now) + c["stall_ms"] / 1000.0
            self.frame.append(b)
            if c["drop"] and rng.random() < c["drop"]:
                self.stats["dropped"] += 1
            else:
                if c["flip"] and rng.random() < p_byte_flip:
                    b ^= 1 << rng.randrange(8)
                    self.stats["flipped"] += 1
                out.append(b)
            if self.frame[-1] == 0:
                if c["dup"] and rng.random() < c["dup"]:
                    out += self.frame
                    self.stats["duplicated"] += 1
                self.frame = bytearray()
        return bytes(out)

    def _emit(self, data, now):
        if not data:
            return
        start = max(now, self.busy_until)
        self.busy_until = start + len(data) * self.byte_s
        self.queue.append((self.busy_until, bytes(data)))

    def push(self, data, now):
        self._emit(self._mangle(data, now), now)

    def pop(self, now):
        """Bytes whose last bit has arrived by now."""
        out = bytearray()
        while self.queue and self.queue[0][0] <= now:
            out += self.queue.pop(0)[1]
        return bytes(out)

    def next_time(self):
        return self.queue[0][0] if self.queue else None


def open_pty():
    """(master fd, slave fd, path) of a new pseudo-terminal in raw mode."""
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    os.set_blocking(master, False)
    return master, slave, os.ttyname(slave)


def make_device(state_dir, seed=0, head=None, fault_specs=()):
    """The virtual device behind the port: the real App and Link on the simulator's world."""
    from sim.link_world import WorldDevice

    return WorldDevice(state_dir, seed, head=head, fault_specs=fault_specs)


def serve(speed=1.0, baud=0, chaos=None, state_dir=None, out=sys.stdout, stop=None,
          ready=None, seed=0, head=None, balance=False, fault_specs=()):
    """Serve a virtual device until stop() is true (or forever). Prints the port path first.

    ready(path, device) is called once the port exists (for in-process use). balance: print
    the balance under the needle after each zone ('zone NAME: X mg'), for calibration."""
    chaos = chaos or parse_chaos("")
    if state_dir is None:
        state_dir = tempfile.mkdtemp(prefix="mesogun-device-")
    master, slave, path = open_pty()
    dev = make_device(state_dir, seed, head, fault_specs)
    period = dev.hal.tick_period
    to_dev = Pipe(baud, chaos, 1)
    to_host = Pipe(baud, chaos, 2)
    if ready is not None:
        ready(path, dev)  # before the path is printed: whoever reads it finds it registered
    print(path, file=out, flush=True)
    t0 = time.monotonic()
    unsent = b""
    try:
        while stop is None or not stop():
            now = time.monotonic()
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                data = b""
            if data:
                to_dev.push(data, now)
            arrived = to_dev.pop(now)
            sim_wait_s = dev.advance((now - t0) * speed)
            if balance:
                line = dev.zone_weighed()
                if line is not None:
                    print("balance: " + line, file=out, flush=True)
            link_us = int((now - t0) * 1e6) % period
            if arrived:
                dev.hal.rx += arrived
            link_deadline = dev.link.poll(link_us)
            if arrived:
                dev.host_spoke()
            if dev.hal.tx:
                to_host.push(bytes(dev.hal.tx), now)
                dev.hal.tx = bytearray()
            unsent += to_host.pop(now)
            if unsent:
                try:
                    unsent = unsent[os.write(master, unsent):]
                except BlockingIOError:
                    pass  # the host is not reading: keep the bytes until it does
            waits = [0.02]
            waits.append(sim_wait_s / speed)
            waits.append(((link_deadline - link_us) % period) / 1e6)
            for pipe in (to_dev, to_host):
                t = pipe.next_time()
                if t is not None:
                    waits.append(t - now)
            select.select([master], [], [], max(0.0, min(waits)))
    finally:
        os.close(master)
        os.close(slave)
    return 0


class Background:
    """A served virtual gun on a thread of this process (tests, benchmarks): port is its
    path, device the WorldDevice (its world, its balance). stop() powers it off; its files
    stay in state_dir."""

    def __init__(self, state_dir, seed=0, head=None, speed=50.0):
        import threading

        self.done = False
        self.port = None
        self.device = None
        self.thread = threading.Thread(target=serve, daemon=True, kwargs={
            "speed": speed, "state_dir": str(state_dir), "seed": seed, "head": head,
            "out": open(os.devnull, "w"),  # noqa: SIM115 - open while the thread serves
            "stop": lambda: self.done, "ready": self._ready})
        self.thread.start()
        while self.port is None and self.thread.is_alive():
            self.thread.join(0.01)

    def _ready(self, path, device):
        self.device = device
        self.port = path

    def stop(self):
        self.done = True
        self.thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
