"""The device commands' --port/--baud options and opening a session with the gun."""

import os

from host.argtypes import positive_int
from host.errors import MesoError
from host.link.session import Session
from host.link.signed import SignedSession
from host.link.transport import BAUD


def add_port_arguments(p):
    p.add_argument("--port", default=os.environ.get("MESO_PORT"),
                   help="serial port or pyserial URL (socket://host:port); default $MESO_PORT")
    p.add_argument("--baud", type=positive_int, default=BAUD, help="UART speed (default %(default)s)")


def require_port(port):
    """The port, or the one-line reason the command cannot go on without one."""
    if not port:
        raise MesoError("no port given: use --port PORT (see `meso ports`) or set MESO_PORT")
    return port


def open_session(port, baud=BAUD, signed=False):
    """A session with the gun on port; signed: one that signs the commands a paired gun
    guards (loading, running zones, refills), with this laptop's key for it."""
    require_port(port)
    if signed:
        return SignedSession.open_signed(port, baud)
    return Session.open(port, baud)
