"""Shot-machine states and zone-check verdicts, as STATUS.state, logs and the host name them."""

from firmware.compat import const

IDLE = const(0)
HOMING = const(1)
ARMED = const(2)
ADVANCE = const(3)
DOSE = const(4)
HOLD = const(5)
RELIEF = const(6)
RETRACT = const(7)
PACE = const(8)
SAFING = const(9)
FAULT = const(10)
REFILL = const(11)
DONE = const(12)
PAUSED = const(13)
PRIME = const(14)  # needle out: the plunger sets the line's pressure reference (line.py)
STATE_NAMES = (
    "idle", "homing", "armed", "advance", "dose", "hold", "relief", "retract", "pace",
    "safing", "fault", "refill", "done", "paused", "prime",
)


def state_name(state):
    """Name of a state number, or the number itself as text if it is unknown here."""
    return STATE_NAMES[state] if 0 <= state < len(STATE_NAMES) else str(state)


# Verdicts of the limits on the next shot of a zone (Session.check_shot).
CHECK_OK = const(0)
CHECK_SHOT = const(1)  # dose or depth beyond the board or needle
CHECK_ZONE = const(2)  # the zone's volume cap
CHECK_SESSION = const(3)  # the session's volume cap
CHECK_SYRINGE = const(4)  # not enough left in the syringe: refill first
