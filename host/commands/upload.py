"""`meso upload PROTOCOL --port P`: store a protocol on the gun to run untethered."""

import hashlib
import os

from firmware.wire import messages as M
from host.cliutil import protocol_file, record
from host.cliutil.output import write_json
from host.cliutil.port import add_port_arguments, open_session
from host.errors import MesoError
from host.link.stream import encode_protocol

COMMAND = "upload"
HELP = "store a protocol on the device (SHA-256 verified, written atomically) to run untethered"


def add_arguments(p):
    p.add_argument("protocol", metavar="PROTOCOL", help="protocol file (.toml)")
    add_port_arguments(p)
    p.add_argument("--accept-warnings", "--yes", dest="yes", action="store_true",
                   help="go on despite soft-limit warnings")
    p.add_argument("--log", metavar="PATH",
                   help="also write the clinical record of the stored session here (JSON)")
    record.add_arguments(p)  # checked before the gun is touched: an expired lot is not stored


def run(args):
    proto = protocol_file.load(args.protocol)
    clinical = None
    if args.log:
        folder = os.path.dirname(os.path.abspath(args.log))
        if not os.path.isdir(folder):
            raise MesoError("cannot write %s: no folder %s" % (args.log, folder))
        clinical = record.collect(args, proto.head)
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
    if clinical is not None:
        write_json(args.log, {"summary": {"protocol": core["protocol"]["name"],
                                          "outcome": "stored, not yet run", "shots": 0},
                              "shots": [], "protocol": core,
                              "record": record.finish(clinical, s.identity, None,
                                                      proto.accepted_warnings)})
        print("clinical record: %s" % args.log)
    print("it runs untethered from the device's next power-up; `meso logs` reads the shots")
    return 0
