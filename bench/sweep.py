"""Runs per second of `meso sim sweep` on 1 and 2 local workers (and a local Dask cluster),
side by side in one run; with --face-1000, the wall time for 1 000 facial sessions.

    python -m bench.sweep [--runs N] [--repeat R] [--no-dask] [--face-1000 [--workers N]]

Each figure is a whole sweep as the command runs it: the facial example (examples/face.toml,
286 shots) over consecutive seeds, compensated dosing, tables written. The load average is
printed before and after: the machine may be shared, and other jobs take cores from the pool.
"""

import argparse
import os
import shutil
import tempfile
import time

from bench.facial import FACE
from host import protocol
from sim.sweep.grid import Grid
from sim.sweep.sweep import Sweep


def _grid(seeds):
    return Grid([(FACE, protocol.checked(FACE, "sim").core())], seeds)


def _load():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def measure(seeds, workers=1, scheduler=None):
    """(runs per wall second, wall s, figures) of one sweep over these seeds."""
    out = tempfile.mkdtemp(prefix="bench-sweep-")
    try:
        sweep = Sweep(_grid(seeds), out, workers=workers, scheduler=scheduler)
        t0 = time.perf_counter()
        res = sweep.run(progress=False)
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert res.figs["runs"] == len(seeds) and res.figs["failed"] == 0, res.failed
    return len(seeds) / wall, wall, res.figs


def speed(runs, dask, repeat):
    """Each executor in turn, repeat times interleaved (load from other jobs drifts): the
    best rate of each."""
    seeds = list(range(1, runs + 1))
    print("%d facial sessions per sweep, best of %d interleaved (%d CPUs here; %s)"
          % (runs, repeat, os.cpu_count(), _load()))
    cluster = None
    if dask:
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                               dashboard_address=None)
    setups = [("pool, 1 worker", {"workers": 1}), ("pool, 2 workers", {"workers": 2})]
    if cluster:
        setups.append(("Dask LocalCluster, 2 workers", {"scheduler": cluster.scheduler_address}))
    best = {}
    try:
        for _ in range(repeat):
            for label, kw in setups:
                rate, wall, _ = measure(seeds, **kw)
                best[label] = max(best.get(label, (0, 0)), (rate, wall))
    finally:
        if cluster:
            cluster.close()
    base = best[setups[0][0]][0]
    print("%-30s %10s %8s %12s" % ("executor", "runs/s", "wall s", "vs 1 worker"))
    for label, _ in setups:
        rate, wall = best[label]
        print("%-30s %10.3f %8.2f %11.2fx" % (label, rate, wall, rate / base))
    print("after: %s" % _load())


def face_1000(workers):
    print("1000 facial sessions on %d local workers (%s)" % (workers, _load()))
    rate, wall, figs = measure(list(range(1, 1001)), workers=workers)
    print("wall %.1f s (%.2f min), %.3f runs/s; %d shots, p99 |dose error| %.3f %%, "
          "%d incomplete" % (wall, wall / 60, rate, figs["shots"], figs["p99_dose_error_pct"],
                             figs["incomplete"]))
    print("after: %s" % _load())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8, help="sessions per sweep (default 8)")
    ap.add_argument("--repeat", type=int, default=2, help="rounds, interleaved (default 2)")
    ap.add_argument("--no-dask", action="store_true", help="skip the local Dask cluster")
    ap.add_argument("--face-1000", action="store_true",
                    help="instead: wall time for 1 000 facial sessions (minutes)")
    ap.add_argument("--workers", type=int, default=2, help="workers for --face-1000")
    args = ap.parse_args(argv)
    if args.face_1000:
        face_1000(args.workers)
    else:
        speed(args.runs, not args.no_dask, args.repeat)


if __name__ == "__main__":
    main()
