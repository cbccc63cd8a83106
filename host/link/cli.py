"""What the device commands share: the --port/--baud options and opening a session."""

from host.argtypes import positive_int

import os

from host.errors import MesoError
from host.link.session import Session
from host.link.transport import BAUD


def add_port_arguments(p):
    p.add_argument("--port", default=os.environ.get("MESO_PORT"),
                   help="serial port or pyserial URL (socket://host:port); default $MESO_PORT")
    p.add_argument("--baud", type=positive_int, default=BAUD, help="UART speed (default %(default)s)")


def open_session(port, baud=BAUD, signed=False):
    """A session with the gun on port; signed: one that signs the commands a paired gun
    guards (loading, running zones, refills), with this laptop's key for it."""
    if not port:
        raise MesoError("no port given: use --port PORT (see `meso ports`) or set MESO_PORT")
    if signed:
        from host.flash.service import SignedSession

        return SignedSession.open_signed(port, baud)
    return Session.open(port, baud)


def status_text(st):
    """A STATUS as one readable line."""
    from firmware.wire import faults
    from firmware.wire import messages as M
    from firmware.wire.states import state_name

    state = state_name(st["state"])
    names = M.LINK_MODE_NAMES
    mode = names[st["mode"]] if st["mode"] < len(names) else "?"
    parts = ["state %s" % state, mode]
    if st["fault"]:
        parts.append("fault %s" % faults.name(st["fault"]))
    if st["zone"] != M.NO_ZONE:
        parts.append("zone %d shot %d" % (st["zone"], st["zone_shots"]))
    parts.append("%d shots, %.1f µL this session" % (st["shots"], st["delivered_nl"] / 1000))
    parts.append("%d in the log" % st["log_count"])
    flags = [name for bit, name in ((M.FLAG_PAUSED, "paused"), (M.FLAG_ALARM, "ALARM"),
                                    (M.FLAG_LINK_LOST, "link was lost"),
                                    (M.FLAG_STORED, "stored protocol")) if st["flags"] & bit]
    return ", ".join(parts + flags)


def write_json(path, doc):
    """Write doc as JSON to path, or to stdout for '-'."""
    import json
    import sys

    if path == "-":
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    except OSError as e:
        raise MesoError("%s: cannot write: %s" % (path, e.strerror or e))
