"""Servicing a gun at its app: asking it for maintenance (its REPL), signed when paired."""

from firmware.wire import lock as auth
from host.flash.errors import FlashError
from host.link.errors import LinkError
from host.link.session import Session
from host.link.signed import guarded, result


def enter_maintenance(port, timeout_s=2.0):
    """If the app runs on port, ask it for maintenance (signed when paired). Returns the
    identity it gave, or None if no app answered (the REPL is already there)."""
    try:
        s = Session.open(port)
    except LinkError:
        return None
    try:
        ident = s.identity
        guarded(s, auth.MAINT)
        result(s, auth.MAINT, "maintenance")
        s.flush()
    except LinkError as e:
        raise FlashError(str(e))
    finally:
        s.close()
    return ident
