"""One error type per layer of the host link; each is a MesoError, so users see one line."""

from host.errors import MesoError


class TransportError(MesoError):
    """The port: it does not exist, someone else holds it, or it went away."""


class LinkError(MesoError):
    """The session: no device answers, wrong protocol version, link lost, device restarted."""


class DeviceError(MesoError):
    """The device understood and refused: busy, limits, SHA-256 mismatch, fault latched."""
