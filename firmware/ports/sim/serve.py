"""`micropython -m firmware.ports.sim.serve`: the real App over the proxy HAL, in lock step
with the simulator (sim/mpy.py); the requests and replies are described in hal.py."""

import binascii
import json
import sys

from firmware import motion
from firmware.app import App
from firmware.board import by_name
from firmware.ports.sim.hal import ProxyHAL


def _start(h, board, send, flush):
    """Wait for the I request and build the App at the kernel's clock."""
    while True:
        f = sys.stdin.readline().split()
        if f and f[0] == "I":
            h.now = int(f[1])
            app = App(h, board)
            app.machine.configure(dosing_mode=int(f[2]), cal_ppm=int(f[3]))
            send("ok\n")
            flush()
            return app
        if not f:
            return None


def serve(board_name="sim"):
    board = by_name(board_name)
    h = ProxyHAL(board)
    send = sys.stdout.write
    flush = sys.stdout.flush
    app = _start(h, board, send, flush)
    if app is None:
        return
    seen = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        f = line.split()
        kind = f[0]
        if kind == "L":
            problems = app.load_protocol(json.loads(line[2:]))
            msgs = [p if isinstance(p, str) else p.message() for p in problems]
            send(json.dumps(msgs) + "\n")
            flush()
            continue
        h.take(f)
        h.out = []
        if kind == "P":
            result = app.poll(h.now)
        else:
            result = 1 if getattr(app, f[8])() else 0
        m = app.machine
        for w in h.out:
            send(w + "\n")
        log = app.log
        recs = []
        while seen < log.count:
            recs.append(binascii.hexlify(log.record(seen)).decode())
            seen += 1
        send("= %d %d %d %d %d %d %d %s\n" % (result, m.state, m.fault, app.session.zone_i,
                                               motion.evals, motion.roots, motion.written,
                                               " ".join(recs)))
        flush()


if __name__ == "__main__":
    serve()
