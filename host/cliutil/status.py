"""A gun's STATUS as one readable line for `meso status` and `meso abort`."""

from firmware import faults
from firmware.shot import STATE_NAMES
from firmware.wire import messages as M

MODES = ("idle", "streaming", "running stored protocol")


def status_text(st):
    """A STATUS as one readable line."""
    state = STATE_NAMES[st["state"]] if st["state"] < len(STATE_NAMES) else str(st["state"])
    mode = MODES[st["mode"]] if st["mode"] < len(MODES) else "?"
    parts = ["state %s" % state, mode]
    if st["fault"]:
        parts.append("fault %s" % faults.name(st["fault"]))
    if st["zone"] != M.NO_ZONE:
        parts.append("zone %d shot %d" % (st["zone"], st["zone_shots"]))
    parts.append("%d shots, %.1f µL this session" % (st["shots"], st["delivered_nl"] / 1000))
    parts.append("%d in the log" % st["log_count"])
    flags = [name for bit, name in ((M.FLAG_PAUSED, "paused"), (M.FLAG_ALARM, "ALARM"),
                                    (M.FLAG_LINK_LOST, "link was lost"),
                                    (M.FLAG_STORED, "stored protocol")) if st["flags"] & bit]
    return ", ".join(parts + flags)
