"""`meso upload PROTOCOL --port P`: store a protocol on the gun to run untethered."""

import hashlib

from firmware.wire import messages as M
from host.cliutil import protocol_file
from host.cliutil.port import add_port_arguments, open_session
from host.link.stream import encode_protocol

COMMAND = "upload"
HELP = "store a protocol on the device (SHA-256 verified, written atomically) to run untethered"


def add_arguments(p):
    p.add_argument("protocol", metavar="PROTOCOL", help="protocol file (.toml)")
    add_port_arguments(p)
    p.add_argument("--accept-warnings", "--yes", dest="yes", action="store_true",
                   help="go on despite soft-limit warnings")


def run(args):
    proto = protocol_file.load(args.protocol)
    s = open_session(args.port, args.baud, signed=True)
    try:
        info = s.identity["info"]
        core = protocol_file.core_for(proto, info["board"],
                                      None if args.yes else protocol_file.ask_confirm)
        data = encode_protocol(core)
        s.load(data, M.TARGET_STORE)
    finally:
        s.close()
    print("stored %r on %s: %d bytes, SHA-256 %s" % (
        core["protocol"]["name"], info["device_id"], len(data),
        hashlib.sha256(data).hexdigest()[:16]))
    print("it runs untethered from the device's next power-up; `meso logs` reads the shots")
    return 0
