"""`meso abort --port P`: stop the gun now; it goes to its safe state (needle out, alarm)."""

from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.status import status_text

COMMAND = "abort"
HELP = "stop the device now: plunger stops, needle retracts, fault latched"


def add_arguments(p):
    add_port_arguments(p)


def run(args):
    s = open_session(args.port, args.baud)
    try:
        print("aborted: " + status_text(s.abort()))
    finally:
        s.close()
    return 0
