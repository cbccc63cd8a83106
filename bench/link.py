"""Link figures on a virtual gun paced as a UART at 115200 8N1: upload efficiency, abort latency.

Upload efficiency: protocol bytes uploaded ÷ what the line could carry (11 520 bytes/s) over
the same time, from the first byte of LOAD_BEGIN to the device's LOAD_RESULT; the largest
protocol the limits allow (64 zones). Abort latency: from the host's ABORT to the device's
STATUS answering it, less that STATUS frame's own time on the wire, so it bounds the time
until the device acted; measured while full upload frames keep the line busy (the worst
case: ABORT waits for the frame on the wire) and while a protocol runs.

    python -m bench.link [--runs N]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

from firmware.wire import messages as M
from firmware.wire.frame import MAX_WIRE, wire_size
from host.link.session import Session
from host.link.stream import StreamRun, encode_protocol

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAUD = 115200
BYTES_S = BAUD / 10  # 8N1: ten bits a byte
GOAL_EFFICIENCY = 0.90
FRAME_S = MAX_WIRE / BYTES_S
STATUS_S = wire_size(M.spec(M.STATUS)[1]) / BYTES_S


def big_protocol(zones=64):
    """The largest protocol the firmware's limits allow: every zone, long names."""
    zone = []
    for i in range(zones):
        zone.append({"name": ("zone %02d " % i) + "x" * 32, "mode": "point", "points": 10,
                     "depth_mm": 1.0 + (i % 7) * 0.25, "dose_ul": 2.5, "pace_ms": 800,
                     "hold_ms": 100})
    head = {"name": "benchmark: largest protocol", "syringe_ml": 3, "needle_mm": 4,
            "needle_gauge": 32, "viscosity_mpas": 1}
    return {"protocol": head, "zone": zone}


def start_device(state_dir, fitted):
    cmd = [sys.executable, "-m", "host.cli", "sim", "serve", "--baud", str(BAUD), "--state",
           state_dir, "--fitted", fitted, "--speed", "5"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return proc, proc.stdout.readline().strip()


def timed_abort(s):
    t0 = time.monotonic()
    s.request(M.ABORT)
    return time.monotonic() - t0 - STATUS_S


def upload(s, data, abort_after=None):
    """Upload data (stream target); return (seconds, abort latency or None)."""
    import hashlib

    t0 = time.monotonic()
    s.send(M.LOAD_BEGIN, (M.TARGET_RUN, len(data), hashlib.sha256(data).digest()))
    latency = None
    chunks = 0
    for off in range(0, len(data), M.CHUNK_MAX):
        s.send(M.LOAD_CHUNK, (off,), data[off:off + M.CHUNK_MAX])
        chunks += 1  # noqa: SIM113 - the count decides when to ABORT
        if abort_after is not None and chunks == abort_after:
            # Let the window fill so a full frame is on the wire, then ABORT.
            for _ in range(3):
                s.pump(int(FRAME_S * 1e6 / 3))
            latency = timed_abort(s)
    s.send(M.LOAD_END)
    mid, _, payload = s.wait((M.LOAD_RESULT, M.ERROR), 30000000, "upload result")
    elapsed = time.monotonic() - t0
    if mid != M.LOAD_RESULT or payload[0] != M.E_OK:
        raise SystemExit("upload refused: %r" % (payload,))
    return elapsed, latency


def abort_while_running(state_dir, fitted):
    """A fresh gun runs a small protocol; ABORT after its second shot."""
    proc, port = start_device(state_dir, fitted)
    try:
        s = Session.open(port, BAUD)
        try:
            run = StreamRun(s, big_protocol(2))
            got = []

            def tick():
                if len(run.shots) >= 2 and not got:
                    got.append(timed_abort(s))
                    run.outcome = "aborted"

            run.on_tick = tick
            run.run()
            return got[0]
        finally:
            s.close()
    finally:
        proc.terminate()
        proc.wait(5)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.link", description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="uploads and aborts to measure")
    args = ap.parse_args(argv)
    rng = random.Random(1)
    proto = big_protocol()
    data = encode_protocol(proto)
    with tempfile.TemporaryDirectory(prefix="mesogun-bench-") as tmp:
        fitted = os.path.join(tmp, "fitted.toml")
        with open(fitted, "w") as f:
            f.write('[protocol]\nname = "w"\nsyringe_ml = 3\nneedle_mm = 4\nneedle_gauge = 32\n'
                    'viscosity_mpas = 1\n[[zone]]\nname = "z"\nmode = "point"\npoints = 1\n'
                    'depth_mm = 1.0\ndose_ul = 2.5\npace_ms = 800\n')
        proc, port = start_device(os.path.join(tmp, "dev"), fitted)
        try:
            s = Session.open(port, BAUD)
            effs, busy, running = [], [], []
            for _ in range(args.runs):
                elapsed, _ = upload(s, data)
                effs.append(len(data) / (BYTES_S * elapsed))
            n_chunks = -(-len(data) // M.CHUNK_MAX)
            for _ in range(args.runs):
                busy.append(upload(s, data, abort_after=rng.randrange(10, n_chunks - 2))[1])
            s.close()
        finally:
            proc.terminate()
            proc.wait(5)
        for i in range(args.runs):
            running.append(abort_while_running(os.path.join(tmp, "run%d" % i), fitted))
    limit_ms = (FRAME_S + 0.005) * 1000
    fig = {
        "baud": BAUD,
        "protocol_bytes": len(data),
        "upload_efficiency_pct": round(100 * statistics.median(effs), 1),
        "upload_efficiency_min_pct": round(100 * min(effs), 1),
        "frame_time_ms": round(FRAME_S * 1000, 1),
        "abort_goal_ms": round(limit_ms, 1),
        "abort_line_busy_ms_median": round(1000 * statistics.median(busy), 1),
        "abort_line_busy_ms_max": round(1000 * max(busy), 1),
        "abort_running_ms_median": round(1000 * statistics.median(running), 1),
        "abort_running_ms_max": round(1000 * max(running), 1),
    }
    print("link at %d 8N1, virtual gun on a pseudo-terminal paced as a UART" % BAUD)
    print("upload efficiency  %.1f %% median, %.1f %% worst of %d uploads of %d bytes "
          "(goal >= %d %%)" % (fig["upload_efficiency_pct"], fig["upload_efficiency_min_pct"],
                               len(effs), len(data), GOAL_EFFICIENCY * 100))
    print("abort latency      line busy: %.1f ms median, %.1f ms worst; protocol running: "
          "%.1f ms median, %.1f ms worst (goal <= one frame %.1f ms + 5 ms = %.1f ms)" % (
              fig["abort_line_busy_ms_median"], fig["abort_line_busy_ms_max"],
              fig["abort_running_ms_median"], fig["abort_running_ms_max"],
              fig["frame_time_ms"], limit_ms))
    print(json.dumps(fig, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
