"""`meso logs --port P`: download the gun's shot journal."""

from firmware.wire import record as shotlog
from host.cliutil.output import add_json_argument, emit
from host.cliutil.port import add_port_arguments, open_session
from host.link.stream import shot_record

COMMAND = "logs"
HELP = "download the device's shot log (every shot it journaled)"


def add_arguments(p):
    add_port_arguments(p)
    add_json_argument(p, "the shots")
    p.add_argument("--last", type=int, metavar="N", help="only the last N shots")


def run(args):
    s = open_session(args.port, args.baud, signed=True)
    try:
        data = s.read_log()
    finally:
        s.close()
    raw = shotlog.read_journal(data)
    if args.last is not None:
        raw = raw[-args.last:] if args.last > 0 else []
    shots = [dict(shot_record(r), shot=r["shot"]) for r in raw]
    if args.json:
        emit(args.json, COMMAND, {"shots": shots})
        if args.json != "-":
            print("%d shots written to %s" % (len(shots), args.json))
        return 0
    print("%d shots in the device's log (%d bytes)" % (len(shots), len(data)))
    for r in shots:
        print("%5d  zone %-3d #%-4d %7.2f µL  %5.2f mm  %8.3f s  %s" % (
            r["shot"], r["zone"], r["index"] + 1, r["delivered_ul"], r["depth_mm"], r["t_start_s"],
            r["fault"] or ""))
    return 0
