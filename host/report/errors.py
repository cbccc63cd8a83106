"""The report layer's error: a session log that cannot be read or used."""

from host.errors import MesoError


class ReportError(MesoError):
    """A session log that is missing, not JSON, or not the shape a report needs."""
