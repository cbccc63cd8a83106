"""`meso status --port P`: what the gun is doing now."""

from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.status import status_text

COMMAND = "status"
HELP = "show the device's state, zone, shot count and faults"


def add_arguments(p):
    add_port_arguments(p)


def run(args):
    s = open_session(args.port, args.baud)
    try:
        print(status_text(s.status()))
    finally:
        s.close()
    return 0
