"""`meso ports`: serial ports, marking those where a mesogun answers the handshake."""

from serial.tools import list_ports

from host.cliutil.output import add_json_argument, emit, to_stdout
from host.errors import MesoError
from host.link import discover
from host.link.errors import LinkError
from host.link.session import Session
from host.link.transport import BAUD, Transport

COMMAND = "ports"
HELP = "list serial ports and which of them are mesogun devices"


def add_arguments(p):
    p.add_argument("extra", nargs="*", metavar="PORT",
                   help="also try these ports or URLs (a virtual device's pty, socket://...)")
    p.add_argument("--no-probe", action="store_true",
                   help="list only; do not send a handshake to any port")
    add_json_argument(p, "the ports")


def probe(port):
    """'mesogun DEVICE (board B, firmware F)' if a gun answers on port, else a reason."""
    try:
        s = Session(Transport(port), BAUD)
    except MesoError as e:
        return str(e)
    try:
        ident = s.handshake(timeout_us=600000)
        info = ident["info"]
        return "mesogun %s (board %s, firmware %s, protocol %d)" % (
            info["device_id"], info["board"], info["firmware"], ident["protocol_version"])
    except LinkError as e:
        return str(e) if "version" in str(e) else "not a mesogun (no answer)"
    finally:
        s.close()


def run(args):
    ports = [(p.device, p.description) for p in sorted(list_ports.comports())]
    ports += [(p, "served virtual gun") for p in discover.served()]
    ports += [(p, "given") for p in args.extra]
    found = [{"port": device, "description": desc if desc and desc != "n/a" else "",
              "probe": None if args.no_probe else probe(device)} for device, desc in ports]
    if args.json:
        emit(args.json, COMMAND, {"ports": found})
    if to_stdout(args.json):
        return 0
    if not found:
        print("no serial ports found")
    for f in found:
        line = "%-24s %s" % (f["port"], f["description"])
        if f["probe"] is not None:
            line += "  -> " + f["probe"]
        print(line.rstrip())
    return 0
