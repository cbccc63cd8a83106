"""`meso status --port P`: what the gun is doing now, and how many shots its journal keeps."""

from firmware.wire import record as shotlog
from host.cliutil.output import add_json_argument, emit, to_stdout
from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.status import status_text

COMMAND = "status"
HELP = "show the device's state, zone, shot count, faults and the shots in its log"


def add_arguments(p):
    add_port_arguments(p)
    add_json_argument(p, "the status")


def run(args):
    s = open_session(args.port, args.baud)
    try:
        st = s.status()
        # STATUS counts only what was logged since power-up; the journal is what `meso logs`
        # reads, so count its records the same way.
        journal = len(shotlog.read_journal(s.read_log()))
    finally:
        s.close()
    if args.json:
        emit(args.json, COMMAND, {"status": st, "journal_records": journal})
    if not to_stdout(args.json):
        print(status_text(st, journal))
    return 0
