"""The one error type users see: `meso: message` and a non-zero exit, never a traceback."""


class MesoError(Exception):
    """A user-facing failure: bad input, no such port, device refused, link lost."""

    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code
