"""`meso sim serve`: a virtual gun behind a pseudo-terminal; prints the port path first.

The pty is registered in the runtime folder (host/link/discover.py) while the gun is served,
so `--port auto` finds it as it finds a gun on USB; --no-register keeps it out of sight.
"""

import os

from host.errors import MesoError

COMMAND = "sim serve"
HELP = "start a virtual device on a pseudo-terminal and print its port path"


def add_arguments(p):
    p.add_argument("--speed", type=float, default=1.0,
                   help="the device runs this many times faster than real time (default 1)")
    p.add_argument("--baud", type=int, default=0,
                   help="pace the line as a UART at this rate, 10 bits a byte (default: unpaced)")
    p.add_argument("--chaos", default="",
                   help="line faults, e.g. drop=0.01,flip=1e-4,dup=0.001,stall=0.0005,"
                        "stall_ms=50,seed=1 (rates per byte; flip per bit; dup per frame)")
    p.add_argument("--seed", type=int, default=0, help="seed of the simulated world")
    p.add_argument("--fitted", metavar="PROTOCOL",
                   help="fit the syringe, needle and fluid this protocol file names (default: "
                        "3 mL, 4 mm 32 G needle, 20 mPa·s)")
    p.add_argument("--balance", action="store_true",
                   help="print what a balance under the needle weighs after each zone "
                        "(for rehearsing meso calibrate)")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="inject a fault: KIND#N (during the Nth shot since power-up) or "
                        "KIND@SECONDS, optionally :DURATION_S; KIND: occlusion, contact_lost, "
                        "stall, syringe_empty, stuck_switch, gc_storm (repeatable)")
    p.add_argument("--no-register", action="store_true",
                   help="do not register the pty for `--port auto` (see `meso ports`)")
    p.add_argument("--state", metavar="DIR",
                   help="folder for the device's files (stored protocol, shot journal); "
                        "start again on the same folder to power-cycle it")


def run(args):
    from sim import serve

    if not 0 < args.speed < 1e6:
        raise MesoError("--speed must be a number above 0 and below 1e6, got %s" % args.speed)
    if args.baud < 0:
        raise MesoError("--baud must be 0 (unpaced) or a rate such as 115200")
    try:
        chaos = serve.parse_chaos(args.chaos)
    except ValueError as e:
        raise MesoError("--chaos: %s" % e)
    if args.state and os.path.exists(args.state) and not os.path.isdir(args.state):
        raise MesoError("--state %s: not a folder (the device keeps its files there)" % args.state)
    from sim import faults as sim_faults

    for spec in args.fault:
        try:
            if sim_faults.parse(spec)["kind"] == "power_loss":
                raise sim_faults.FaultSpecError(
                    "fault %r: a served gun loses power when its process is killed (restart "
                    "it on the same --state folder)" % spec)
        except sim_faults.FaultSpecError as e:
            raise MesoError("--fault: %s" % e)
    head = None
    if args.fitted:
        from host import protocol

        head = protocol.checked(args.fitted, protocol.board_named("sim")).core()["protocol"]
    from host.link import discover

    entries = []

    def ready(path, device):
        if not args.no_register:
            entries.append(discover.register(path))

    try:
        return serve.serve(speed=args.speed, baud=args.baud, chaos=chaos, state_dir=args.state,
                           seed=args.seed, head=head, balance=args.balance, ready=ready,
                           fault_specs=args.fault)
    except KeyboardInterrupt:
        return 0
    finally:
        for entry in entries:
            discover.unregister(entry)
