"""Modes both ends name: injection modes of a zone (and which the gun runs), dosing models."""

from firmware.compat import const

# Injection modes of a zone, by index (Session.mode); a protocol names them.
MODES = ("point", "burst", "continuous", "perfusion")
MODE_POINT = const(0)
MODE_BURST = const(1)
MODE_CONTINUOUS = const(2)
MODE_PERFUSION = const(3)
# The modes this firmware runs; a protocol with another is refused (limits.check_protocol).
RUNNABLE = ("point", "burst", "continuous", "perfusion")

# Dosing models (firmware/dosing.py): steps from the nominal bore, or compensated.
NAIVE = const(0)
COMPENSATED = const(1)
DOSING_NAMES = ("naive", "compensated")
