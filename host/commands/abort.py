"""`meso abort --port P`: stop the gun now; it goes to its safe state (needle out, alarm)."""

from host.cliutil.output import add_json_argument, emit, to_stdout
from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.status import status_text

COMMAND = "abort"
HELP = "stop the device now: plunger stops, needle retracts, fault latched"


def add_arguments(p):
    add_port_arguments(p)
    add_json_argument(p, "the gun's status after the abort")


def run(args):
    s = open_session(args.port, args.baud)
    try:
        st = s.abort()
    finally:
        s.close()
    if args.json:
        emit(args.json, COMMAND, {"status": st})
    if not to_stdout(args.json):
        print("aborted: " + status_text(st))
    return 0
