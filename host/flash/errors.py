"""The flash layer's error: building, deploying, verifying and calibrating a gun."""

from host.errors import MesoError


class FlashError(MesoError):
    """The build (mpy-cross), the gun's REPL, its files, or a calibration's figures."""
