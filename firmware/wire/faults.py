"""Fault codes: why the gun went to its safe state. Codes travel in logs and on the wire."""

from firmware.compat import const

NONE = const(0)
CONTACT_LOST = const(1)  # skin contact lost while the needle was in
STALL_PLUNGER = const(2)  # plunger driver DIAG: load beyond the motor's torque
STALL_CARRIAGE = const(3)
OCCLUSION = const(4)  # line pressure beyond the board's limit
SYRINGE_EMPTY = const(5)  # plunger end switch reached while dosing
HOME_FAILED = const(6)  # carriage home switch not found within travel
SWITCH = const(7)  # a switch in a state that cannot be (home and moving out, stuck)
TIMEOUT = const(8)  # a state outlived its deadline
LINK_LOST = const(9)  # host link lost while streaming
WATCHDOG = const(10)  # reset by the watchdog
LIMIT = const(11)  # a shot would break a hard limit
ABORT = const(12)  # ABORT from the host or the operator
POWER = const(13)  # power lost mid-session
FIRMWARE = const(14)  # firmware files do not match their manifest
STORAGE = const(15)  # the shot log or the session progress could not be written
CRASH_LOOP = const(16)  # the firmware crashed repeatedly: latched until acknowledged
CRASH = const(17)  # the firmware raised: the gun was made safe and the fault latched

NAMES = (
    "none",
    "contact_lost",
    "stall_plunger",
    "stall_carriage",
    "occlusion",
    "syringe_empty",
    "home_failed",
    "switch",
    "timeout",
    "link_lost",
    "watchdog",
    "limit",
    "abort",
    "power",
    "firmware",
    "storage",
    "crash_loop",
    "crash",
)


def name(code):
    """Name of a fault code, for logs and messages."""
    if 0 <= code < len(NAMES):
        return NAMES[code]
    return "unknown"
