"""The link layer's errors: one base (LinkLayerError) and one type per part under it."""

from host.errors import MesoError


class LinkLayerError(MesoError):
    """Anything between this laptop and the gun's app: port, session, refusals, keys."""


class TransportError(LinkLayerError):
    """The port: it does not exist, someone else holds it, or it went away."""


class LinkError(LinkLayerError):
    """The session: no device answers, wrong protocol version, link lost, device restarted."""


class DeviceError(LinkLayerError):
    """The device understood and refused: busy, limits, SHA-256 mismatch, fault latched."""


class KeyStoreError(LinkLayerError):
    """This laptop's key for a gun: missing for a paired gun, unreadable or malformed."""
