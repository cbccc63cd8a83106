"""The base of every error users see: `meso: message` and a documented exit status.

Each host layer has its own subclass (host.protocol.ProtocolError, host.link.errors.
LinkLayerError, host.flash.errors.FlashError, host.report.errors.ReportError); a command's
own checks raise MesoError itself. README.md's "Exit status" table lists them.
"""


class MesoError(Exception):
    """A user-facing failure: bad input, no such port, device refused, link lost."""

    exit_code = 1  # EXIT_ERROR in host.cli; a layer that needs another status sets its own

    def __init__(self, message, exit_code=None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def lines(self):
        """What the user reads: one line (a message's own line breaks are joined)."""
        parts = [p.strip() for p in str(self).strip().splitlines() if p.strip()]
        return ["; ".join(parts) or "(no message)"]
