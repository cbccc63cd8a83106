"""`meso sim run PROTOCOL.toml`: run a protocol's session on the simulated device."""

import json
import sys

from host import protocol
from host.argtypes import non_negative_int
from host.cliutil.output import add_json_argument, to_stdout, version
from host.errors import MesoError

COMMAND = "sim run"
# The session did not give every planned point exactly once (README's "Exit status").
EXIT_UNFINISHED = 3
HELP = "run a protocol's whole session on the simulated device and report dose and depth"


def add_arguments(p):
    p.add_argument("protocol", metavar="PROTOCOL.toml", help="protocol file")
    p.add_argument("--seed", type=non_negative_int, default=0, help="run seed (default: %(default)s)")
    add_json_argument(p, "the full report (a session log `meso report` reads)")
    p.add_argument("--exact", action="store_true",
                   help="one event per step (checks step timing; slower)")
    p.add_argument("--firmware", choices=("cpython", "micropython"), default="cpython",
                   help="interpreter that runs the firmware core (default: %(default)s)")
    p.add_argument("--dosing", choices=("naive", "compensated"), default="compensated",
                   help="dose model of the firmware (default: %(default)s)")
    p.add_argument("--fault", action="append", default=[], metavar="KIND@S|KIND#SHOT",
                   help="inject a fault at a time or during a shot (repeatable), e.g. "
                        "occlusion#5, contact_lost#3, power_loss@20, gc_storm@10:30; "
                        "power_loss#4:2 powers the gun up again after 2 s")
    p.add_argument("--store", action="store_true",
                   help="upload the protocol in store mode and run it untethered from the next "
                        "power-up (default: streamed)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="override a simulation parameter (see docs/SIMULATION.md)")


def _params(items):
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise MesoError("--param %r: write NAME=VALUE" % item)
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


def run(args):
    from sim.faults import FaultSpecError
    from sim.params import ParamError
    from sim.report import outcome, table, to_json
    from sim.run import Run, RunError

    proto = protocol.checked(args.protocol, "sim").core()
    try:
        sim = Run(proto, seed=args.seed, exact=args.exact, params=_params(args.param),
                  fault_specs=args.fault, firmware=args.firmware, dosing=args.dosing,
                  store=args.store)
        report = sim.run()
    except (RunError, ParamError, FaultSpecError) as e:
        raise MesoError(str(e))
    # The shared shape: "command" and "meso_version" beside the report's own keys.
    text = to_json(dict(report, command=COMMAND, meso_version=version()))
    if to_stdout(args.json):
        sys.stdout.write(text)  # the JSON alone on stdout; the table would spoil it
        return 0
    print(table(report))
    if args.json:
        try:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise MesoError("%s: cannot write the report: %s" % (args.json, e.strerror or e))
    ok, why = outcome(report)
    if not ok:
        print("meso: sim run: session not finished: %s" % why, file=sys.stderr)
        return EXIT_UNFINISHED
    return 0
