"""What the report's templates show, from a session log: the record, the gun, the screening.

Every figure a reader might take for a measurement says where it comes from: on a gun,
"delivered" is the firmware's estimate from plunger travel and its dose model; in the
simulator it is the simulated plant's volume. A field the log does not hold is shown as
not recorded, never filled in.
"""

import datetime

NOT_RECORDED = "not recorded"
RECORD_ROWS = (
    ("Patient reference", "patient_ref"),
    ("Practitioner", "practitioner"),
    ("Session start", "session_start"),
    ("Session end", "session_end"),
    ("Product", "product"),
    ("Product lot", "product_lot"),
    ("Product expiry", "product_expiry"),
    ("Syringe lot", "syringe_lot"),
    ("Needle lot", "needle_lot"),
)
DELIVERED_GUN = ("estimated by the gun's firmware from plunger travel and its dose model; "
                 "not measured")
DELIVERED_SIM = "the simulated plant's volume (a simulation, not a patient)"


def _when(text):
    """An ISO time as a person reads it: 2026-12-01 10:32 (+00:00)."""
    try:
        t = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    if t.tzinfo is None:
        return t.strftime("%Y-%m-%d %H:%M")
    return t.strftime("%Y-%m-%d %H:%M ") + "UTC" + t.isoformat()[19:].replace("+00:00", "")


def _day(text):
    """A date as the patient reads it: 1 December 2026."""
    try:
        t = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    return "%d %s" % (t.day, t.strftime("%B %Y"))


def _gun(rec, log):
    gun = (rec or {}).get("gun") or {}
    cal = gun.get("calibration") or {}
    rows = [("Gun", gun.get("device_id") or log.summary.get("device")),
            ("Board", gun.get("board")), ("Firmware", gun.get("firmware")),
            ("Firmware source commit", gun.get("source_commit"))]
    if "cal_ppm" in cal:
        rows.append(("Calibration", "plunger x%.6f (cal_ppm %d), backlash %s µm" % (
            cal["cal_ppm"] / 1e6, cal["cal_ppm"], cal.get("backlash_um", "?"))))
    else:
        rows.append(("Calibration", None))
    return [(k, v if v not in (None, "") else NOT_RECORDED) for k, v in rows]


def _screening(s):
    if not isinstance(s, dict):
        return None
    questions = s.get("questions")
    if not questions and isinstance(s.get("answers"), dict):  # a log from before words
        questions = [{"question": k, "answer": "yes" if v else "no"}
                     for k, v in s["answers"].items()]
    method = {"external": "done outside meso (on paper or in the clinic's record)",
              "asked": "asked at the laptop before the session"}.get(s.get("method"),
                                                                    s.get("method"))
    return {"method": method or NOT_RECORDED, "by": s.get("screened_by") or NOT_RECORDED,
            "at": _when(s.get("at")) if s.get("at") else NOT_RECORDED,
            "questions": questions or [], "stopped": s.get("stopped")}


def context(log):
    """The dict both templates render."""
    rec = log.record
    head = (log.protocol or {}).get("protocol") or {}
    rows = []
    for label, key in RECORD_ROWS:
        v = (rec or {}).get(key)
        if key.startswith("session_") and v:
            v = _when(v)
        rows.append((label, v if v else NOT_RECORDED, not v))
    screening = (rec or {}).get("screening") or log.screening
    warnings = (rec or {}).get("accepted_warnings") or log.accepted_warnings
    outcome = log.summary.get("outcome") or log.summary.get("ended_by")
    return {
        "title": log.title or "Session",
        "log_path": log.path,
        "simulated": log.simulated,
        "delivered_source": DELIVERED_SIM if log.simulated else DELIVERED_GUN,
        "mark": "(simulated)" if log.simulated else "(estimate)",
        "has_record": rec is not None,
        "record_rows": rows,
        "missing": [label for label, _, missing in rows if missing],
        "patient": (rec or {}).get("patient_ref") or NOT_RECORDED,
        "practitioner": (rec or {}).get("practitioner") or NOT_RECORDED,
        "date": _when((rec or {}).get("session_start")) or NOT_RECORDED,
        "day": _day((rec or {}).get("session_start")) or NOT_RECORDED,
        "product": (rec or {}).get("product") or head.get("product") or NOT_RECORDED,
        "gun_rows": _gun(rec, log),
        "screening": _screening(screening),
        "accepted_warnings": warnings,
        "head": head,
        "outcome": outcome,
        "zone_names": [z.name for z in log.zones],
        "totals": log.totals(),
        # points counted from 1, as the practitioner counts them
        "faults": [(log.zone_of(s), s["index"] + 1 if isinstance(s.get("index"), int) else "-",
                    s["fault"], s["commanded_ul"],
                    s["delivered_ul"], s.get("t_start_s")) for s in log.faults()],
        "fault_events": log.fault_events,
        "summary_rows": sorted((k, v) for k, v in log.summary.items()
                               if not isinstance(v, (dict, list))),
    }
