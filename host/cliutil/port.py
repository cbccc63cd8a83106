"""The device commands' --port/--baud options, settling `--port auto`, and opening a session."""

import os

from host.argtypes import positive_int
from host.errors import MesoError
from host.link import discover
from host.link.session import Session
from host.link.signed import SignedSession
from host.link.transport import BAUD


def add_port_arguments(p, repl=False):
    """repl: the command speaks to the board's REPL (flashing), not to the gun's app, so
    `auto` takes the one serial port without asking it for a handshake."""
    p.add_argument("--port", default=os.environ.get("MESO_PORT") or discover.AUTO,
                   help="serial port or pyserial URL (socket://host:port); default $MESO_PORT, "
                        "else auto: the one attached gun (see `meso ports`)")
    p.add_argument("--baud", type=positive_int, default=BAUD, help="UART speed (default %(default)s)")
    p.set_defaults(_port_repl=repl)


def settle(args):
    """Replace --port auto by the port found, before the command does anything else."""
    if not hasattr(args, "_port_repl") or getattr(args, "port", None) != discover.AUTO:
        return
    args.port = discover.find_port() if args._port_repl else discover.find_gun()


def require_port(port):
    """The port, or the one-line reason the command cannot go on without one."""
    if not port:
        raise MesoError("no port given: use --port PORT (see `meso ports`) or set MESO_PORT")
    if port == discover.AUTO:
        return discover.find_gun()
    return port


def open_session(port, baud=BAUD, signed=False):
    """A session with the gun on port; signed: one that signs the commands a paired gun
    guards (loading, running zones, refills), with this laptop's key for it."""
    port = require_port(port)
    if signed:
        return SignedSession.open_signed(port, baud)
    return Session.open(port, baud)
