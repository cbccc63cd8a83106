"""Runs per second of `meso sim sweep` on 1 and 2 local workers (and a local Dask cluster),
side by side in one run; with --face-1000, the wall time for 1 000 facial sessions.

    python -m bench.sweep [--runs N] [--repeat R] [--no-dask] [--face-1000 [--workers N]]

Each figure is a whole sweep as the command runs it: the facial example (examples/face.toml,
286 shots) over consecutive seeds, compensated dosing, tables written. The load average is
printed before and after, and the cores a pool sweep got (CPU seconds over wall seconds): with
the kernel's autogroup scheduling the cores are shared between terminals' process groups, not
between processes, so while other jobs keep both cores busy a second worker only splits this
benchmark's share.
"""

import argparse
import os
import resource
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


def _cpu_s():
    """CPU seconds of this process and of its children that have ended (pool workers end with
    their sweep; a Dask cluster's do not, so its rows show none)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(seeds, workers=1, scheduler=None):
    """(runs per wall second, wall s, cores used, figures) of one sweep over these seeds;
    cores used = CPU seconds / wall seconds: what the machine's other jobs left us."""
    out = tempfile.mkdtemp(prefix="bench-sweep-")
    try:
        sweep = Sweep(_grid(seeds), out, workers=workers, scheduler=scheduler)
        cpu0, t0 = _cpu_s(), time.perf_counter()
        res = sweep.run(progress=False)
        wall = time.perf_counter() - t0
        cores = None if scheduler else (_cpu_s() - cpu0) / wall
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert res.figs["runs"] == len(seeds) and res.figs["failed"] == 0, res.failed
    return len(seeds) / wall, wall, cores, res.figs


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
                rate, wall, cores, _ = measure(seeds, **kw)
                best[label] = max(best.get(label, (0, 0, None)), (rate, wall, cores),
                                  key=lambda r: r[0])
    finally:
        if cluster:
            cluster.close()
    base = best[setups[0][0]][0]
    print("%-30s %8s %8s %12s %11s" % ("executor", "runs/s", "wall s", "vs 1 worker",
                                        "cores used"))
    for label, _ in setups:
        rate, wall, cores = best[label]
        print("%-30s %8.3f %8.2f %11.2fx %11s" % (label, rate, wall, rate / base,
                                                 "-" if cores is None else "%.2f" % cores))
    print("after: %s" % _load())


def face_1000(workers):
    print("1000 facial sessions on %d local workers (%s)" % (workers, _load()))
    rate, wall, cores, figs = measure(list(range(1, 1001)), workers=workers)
    print("wall %.1f s (%.2f min), %.3f runs/s, %.2f cores used; %d shots, p99 |dose error| "
          "%.3f %%, %d incomplete" % (wall, wall / 60, rate, cores, figs["shots"],
                                      figs["p99_dose_error_pct"], figs["incomplete"]))
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
