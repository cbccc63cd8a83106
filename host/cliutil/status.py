"""A gun's STATUS as one readable line for `meso status` and `meso abort`."""

from firmware.wire import faults
from firmware.wire import messages as M
from firmware.wire.states import state_name


def session_text(st):
    """Where an interrupted session stands ("interrupted at zone Z point P of N"), or ""."""
    if st.get("flags", 0) & M.FLAG_PROGRESS_DAMAGED:
        return "session progress damaged on the gun: discard it before a new session"
    if not st.get("flags", 0) & M.FLAG_INTERRUPTED:
        return ""
    return ("interrupted at zone %d point %d of %d (boot %d): continue or discard"
            % (st["resume_zone"] + 1, st["resume_point"] + 1, st["zone_points"], st["boot"]))


def status_text(st, journal=None):
    """A STATUS as one readable line; journal: the records in the gun's journal file.

    STATUS's log_count counts the records written since power-up, not the journal, which
    keeps the shots of every session before it (what `meso logs` downloads)."""
    names = M.LINK_MODE_NAMES
    mode = names[st["mode"]] if st["mode"] < len(names) else "?"
    parts = ["state %s" % state_name(st["state"]), mode]
    if st["fault"]:
        parts.append("fault %s" % faults.name(st["fault"]))
    if st["zone"] != M.NO_ZONE:
        parts.append("zone %d shot %d" % (st["zone"], st["zone_shots"]))
    parts.append("%d shots, %.1f µL this session" % (st["shots"], st["delivered_nl"] / 1000))
    if journal is not None:
        parts.append("%d in the log (%d since power-up)" % (journal, st["log_count"]))
    else:
        parts.append("%d logged since power-up" % st["log_count"])
    flags = [name for bit, name in ((M.FLAG_PAUSED, "paused"), (M.FLAG_ALARM, "ALARM"),
                                    (M.FLAG_LINK_LOST, "link was lost"),
                                    (M.FLAG_STORED, "stored protocol")) if st["flags"] & bit]
    interrupted = session_text(st)
    return ", ".join(parts + flags + ([interrupted] if interrupted else []))
