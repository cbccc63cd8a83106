"""A protocol file made ready for a device: parsed, checked on the device's board, core form."""

import sys

from host import protocol


def load(path):
    """Parse the file (syntax and reading errors come out before any port is opened)."""
    return protocol.load(path)


def core_for(proto, board_name, confirm=None, out=None):
    """The core form, checked against the board the device reports.

    Hard errors stop here with every problem listed; soft warnings are printed and need
    confirm() to return True (or no confirm function: accepted)."""
    out = out or sys.stderr
    board = protocol.board_named(board_name)
    errs = protocol.errors(proto, board)
    if errs:
        raise protocol.ProtocolError(errs)
    warns = protocol.warnings(proto, board, errors_checked=True)
    for w in warns:
        print(w.format(), file=out)
    if warns and confirm is not None and not confirm(len(warns)):
        raise protocol.ProtocolError("not confirmed: %d warning%s on %s" % (
            len(warns), "" if len(warns) == 1 else "s", proto.path))
    # What the practitioner went on despite, for the session log.
    proto.accepted_warnings = [w.format() for w in warns]
    # errors() ran the firmware's limits on this core form once; the gun checks it again.
    return proto.core()


def ask_confirm(count):
    """Ask on the terminal whether to go on despite the warnings."""
    try:
        reply = input("%d warning%s above: go on? [y/N] " % (count, "" if count == 1 else "s"))
    except EOFError:
        return False
    return reply.strip().lower() in ("y", "yes")
