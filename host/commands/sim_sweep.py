"""`meso sim sweep PROTOCOL...`: many simulated sessions on a process pool or a Dask cluster."""

import argparse
import os
import sys

from host import protocol
from host.argtypes import positive_int
from host.cliutil.output import version
from host.commands import sim_run
from host.commands.sim_run import _params as parse_param
from host.errors import MesoError

COMMAND = "sim sweep"
HELP = ("run every combination of protocols, seeds, dose models and parameter values on the "
        "simulated device; tables, summary, thresholds and plots")
EXTRA = "pip install 'mesogun[sweep]'"
EXIT_THRESHOLD = 3  # a --fail-if threshold was met
EXIT_FAILED_RUNS = 4  # some runs failed twice (each is named with its seed)
EXIT_INTERRUPTED = 130


def _threshold(text):
    from sim.sweep.thresholds import ThresholdError, threshold

    try:
        return threshold(text)
    except ThresholdError as e:
        raise argparse.ArgumentTypeError(str(e))


def _cpus():
    return os.cpu_count() or 1


def add_arguments(p):
    from sim.sweep.thresholds import FIGURES

    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = ("figures for --fail-if:\n" + "".join(
        "  %-22s %s\n" % (name, meaning) for name, meaning in FIGURES.items())
        + "\nexit status: 0 all well, 1 bad input, 2 bad option, %d a threshold failed, "
          "%d some runs failed,\n%d interrupted (rows so far kept; --resume continues)"
        % (EXIT_THRESHOLD, EXIT_FAILED_RUNS, EXIT_INTERRUPTED))
    p.add_argument("protocols", metavar="PROTOCOL.toml", nargs="*", help="protocol files")
    p.add_argument("--seeds", metavar="A-B", help="seeds, inclusive (e.g. 1-20), or one seed")
    p.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="sweep a simulation parameter over these values (repeatable; "
                        "--list-params shows the names)")
    p.add_argument("--dosing", choices=("naive", "compensated", "both"), default="compensated",
                   help="dose model(s) of the firmware (default: %(default)s)")
    p.add_argument("--workers", type=positive_int,
                   help="local worker processes (default: the CPU count, %d)" % _cpus())
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on this existing Dask cluster instead of local processes")
    p.add_argument("--out", metavar="DIR", default="sweep",
                   help="folder for runs.parquet and shots.parquet (default: %(default)s)")
    p.add_argument("--csv", action="store_true", help="write runs.csv and shots.csv as well")
    p.add_argument("--resume", action="store_true",
                   help="continue the sweep whose tables are in --out (failed runs run again)")
    p.add_argument("--overwrite", action="store_true", help="replace the tables in --out")
    p.add_argument("--reports", metavar="DIR",
                   help="write each run's JSON report here, as `meso sim run --json` does")
    p.add_argument("--plot", metavar="DIR", help="write PNG plots of the sweep here")
    p.add_argument("--fail-if", action="append", default=[], type=_threshold,
                   metavar="FIGURE>NUMBER",
                   help="exit %d when a figure passes this line, e.g. 'p99_dose_error_pct>2' "
                        "(repeatable; figures in docs/SIMULATION.md)" % EXIT_THRESHOLD)
    p.add_argument("--exact", action="store_true", help="one event per step, as sim run")
    p.add_argument("--firmware", choices=("cpython", "micropython"), default="cpython",
                   help="interpreter that runs the firmware core (default: %(default)s)")
    p.add_argument("--fault", action="append", default=[], metavar="KIND@S|KIND#SHOT",
                   help="inject this fault into every run (repeatable), as sim run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--list-params", action="store_true",
                   help="list the simulation parameters that --param takes, and stop")


def _imports(scheduler):
    names = ["pyarrow", "rich"] + (["distributed"] if scheduler else [])
    for name in names:
        try:
            __import__(name)
        except ImportError:
            raise MesoError("meso sim sweep needs %s, from the 'sweep' extra: %s" % (name, EXTRA))


def _list_params():
    from sim.sweep.grid import param_table

    for name, default, meaning in param_table():
        print("%-24s %-10r %s" % (name, default, meaning))
    return 0


def _swept(items):
    """--param NAME=V1,V2 as {name: [values]}, each value read as `meso sim run` reads it."""
    from sim.sweep.grid import SweepError, param_values

    out = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name:
            raise SweepError("--param %r: write NAME=V1,V2,..." % item)
        if name in out:
            raise SweepError("--param %s is given twice: list all its values in one" % name)
        raw = [parse_param(["%s=%s" % (name, v)])[name] for v in values.split(",")]
        out[name] = param_values(name, raw)
    return out


def _check_faults(specs):
    from sim.faults import FaultSpecError, parse

    for spec in specs:
        try:
            parse(spec)
        except FaultSpecError as e:
            raise MesoError(str(e))


def run(args):
    if args.list_params:
        return _list_params()
    if not args.protocols:
        raise MesoError("give at least one PROTOCOL.toml to sweep")
    if args.seeds is None:
        raise MesoError("give the seeds to sweep: --seeds A-B")
    if args.scheduler and args.workers:
        raise MesoError("--workers is for the local pool: a Dask cluster has its own workers "
                        "(dask worker --nworkers N)")
    _imports(args.scheduler)
    from sim.sweep import grid as sweep_grid
    from sim.sweep.summary import failing, text
    from sim.sweep.sweep import Sweep

    _check_faults(args.fault)
    protos = [(path, protocol.checked(path, "sim").core()) for path in args.protocols]
    try:
        grid = sweep_grid.Grid(protos, sweep_grid.seeds(args.seeds),
                               sweep_grid.DOSING if args.dosing == "both" else (args.dosing,),
                               _swept(args.param), args.exact, args.firmware, args.fault)
        if args.plot:
            os.makedirs(args.plot, exist_ok=True)
        sweep = Sweep(grid, args.out, workers=args.workers or _cpus(), scheduler=args.scheduler,
                      resume=args.resume, overwrite=args.overwrite, reports_dir=args.reports,
                      csv=args.csv, report_head={"command": sim_run.COMMAND,
                                                 "meso_version": version()})
        out = sweep.run(progress=not args.no_progress)
    except sweep_grid.SweepError as e:
        raise MesoError(str(e))
    except OSError as e:
        raise MesoError("%s: cannot write the sweep's files: %s"
                        % (e.filename or args.out, e.strerror or e))
    print(text(out.figs, out.label, out.groups if len(out.groups) > 1 else ()))
    print("tables            %s" % ", ".join(
        os.path.join(args.out, n) for n in ("runs.parquet", "shots.parquet")))
    for what, error, attempts in out.failed:
        print("failed            %s after %d attempts: %s" % (what, attempts, error))
    if args.plot:
        from sim.sweep.plots import plot_all

        try:
            for path in plot_all(out.runs, out.shots, grid.names, args.plot):
                print("plot              %s" % path)
        except OSError as e:
            raise MesoError("%s: cannot write the plots: %s" % (args.plot, e.strerror or e))
    sys.stdout.flush()
    if out.interrupted:
        print("meso: interrupted: %d of %d runs done, rows kept in %s%s; --resume continues"
              % (out.figs["runs"], len(grid), args.out,
                 " (%d in progress dropped)" % out.dropped if out.dropped else ""),
              file=sys.stderr)
        return EXIT_INTERRUPTED
    bad = failing(out.figs, args.fail_if)
    if bad:
        print("meso: sweep failed its thresholds: %s" % "; ".join(bad), file=sys.stderr)
        return EXIT_THRESHOLD
    if out.failed:
        print("meso: %d runs failed (listed above with their seeds)" % len(out.failed),
              file=sys.stderr)
        return EXIT_FAILED_RUNS
    return 0
