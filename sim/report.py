"""The run report: per-shot truth from the plant, summary figures, faults; JSON and a table.

Every float is rounded to a fixed number of decimals so that the same seed gives the same
bytes; only summary.wall_seconds differs between two runs.
"""

import json

import numpy as np

from firmware.wire import faults as fw_faults

DECIMALS = 6


def _r(x):
    return round(float(x), DECIMALS)


def _match(insertions, t0, t1):
    """The needle insertion that belongs to a shot logged over [t0, t1] (seconds)."""
    for ins in insertions:
        if t0 - 0.01 <= ins["t_in"] <= t1 + 0.01:
            return ins
    return None


CUE_LATE_S = 0.01  # a pacing cue this long after the end of its pace counts as late
FLOW_MODES = (2, 3)  # continuous, perfusion: several records per insertion or long ones


def _given(records, i):
    """Whether the firmware counted record i's point as given: a shot without fault, or one
    cut short after its dose began (the session then moves on, so the next record carries
    the next shot number; a shot stopped before its dose keeps the number for the retry)."""
    rec = records[i]
    if rec["fault"] == 0:
        return True
    if i + 1 < len(records):
        return records[i + 1]["shot"] > rec["shot"]
    return rec["delivered_nl"] > 0


def shots(run):
    out = []
    ins = run.world.insertions
    prev_in_skin = 0.0
    for i, rec in enumerate(run.records):
        t0 = rec["t_start_ms"] / 1000.0 + rec.get("t_offset_s", 0.0)
        t1 = rec["t_end_ms"] / 1000.0 + rec.get("t_offset_s", 0.0)
        if "cut_s" in rec:
            # Cut short by a power loss, logged at the next power-up: the insertion then.
            m = ([x for x in ins if x["t_in"] <= rec["cut_s"]] or [None])[-1]
            t0 = t1 = rec["cut_s"]
            delivered = m["delivered_ul"] if m else 0.0
            drip = m["drip_ul"] if m else 0.0
            depth_um = m["depth_um"] if m else 0.0
        elif rec["mode"] in FLOW_MODES:
            # What went into the skin since the previous record was logged.
            delivered = rec["in_skin_ul"] - prev_in_skin
            depth_um = rec["depth_live_um"]
            drip = 0.0
        else:
            m = _match(ins, t0, t1)
            delivered = m["delivered_ul"] if m else 0.0
            drip = m["drip_ul"] if m else 0.0
            depth_um = m["depth_um"] if m else 0.0
        prev_in_skin = rec["in_skin_ul"]
        out.append({
            "zone": rec["zone"],
            "index": rec["index"],
            "commanded_ul": _r(rec["commanded_nl"] / 1000.0),
            "delivered_ul": _r(delivered),
            "drip_ul": _r(drip),
            "depth_mm": _r(rec["depth_um"] / 1000.0),
            "actual_depth_mm": _r(depth_um / 1000.0),
            "t_start_s": _r(t0),
            "t_end_s": _r(t1),
            "fault": None if rec["fault"] == 0 else fw_faults.name(rec["fault"]),
            "given": _given(run.records, i),
            "shot_no": rec["shot"],  # as logged: with boot, unique across power-ups
            "boot": rec.get("boot", 0),
        })
    return out


def points(run, rows):
    """Planned points, the points given, and the points given more than once."""
    seen = {}
    for s in rows:
        if s["given"]:
            key = (s["zone"], s["index"])
            seen[key] = seen.get(key, 0) + 1
    planned = [(zi, i) for zi, z in enumerate(run.proto["zone"]) for i in range(z["points"])]
    given = sum(1 for k in planned if seen.get(k))
    twice = sum(1 for n in seen.values() if n > 1)
    return len(planned), given, twice


def outcome(report):
    """(True, "") when every planned point was given exactly once and the session
    completed; otherwise (False, the reason on one line)."""
    s = report["summary"]
    planned, given, twice = s["points_planned"], s["points_given"], s["points_twice"]
    if twice:
        return False, "%d point%s given twice" % (twice, "" if twice == 1 else "s")
    if s["ended_by"] == "session complete" and given == planned:
        return True, ""
    return False, "%s: %d of %d planned points given" % (s["ended_by"], given, planned)


def _safe_state(ev):
    if "error" in ev:
        return "core raised %s; motors stopped where they were (watchdog reset)" % ev["error"]
    if "latched_s" not in ev:
        return "not latched before the run ended"
    parts = ["plunger stopped"]
    if ev["backed_off_steps"] > 0:
        parts.append("backed off %d steps" % ev["backed_off_steps"])
    parts.append("needle out" if ev["needle_out"] else "NEEDLE STILL IN")
    parts.append("carriage home" if ev["carriage_home"] else "carriage not home")
    parts.append("alarm on" if ev["alarm"] else "no alarm")
    parts.append("line %.0f kPa" % ev["pressure_after_kpa"])
    parts.append("latched after %.3f s" % (ev["latched_s"] - ev["time_s"]))
    return ", ".join(parts)


def fault_list(run):
    out = []
    for ev in run.fault_events:
        out.append({
            "time_s": _r(ev["time_s"]),
            "code": ev["code"],
            "state": ev["state"],
            "needle_in_at_fault": ev["needle_in"],
            "pressure_kpa": _r(ev["pressure_kpa"]),
            "safe_state": _safe_state(ev),
        })
    return out


def burst_per_min(run, rows):
    """The slowest burst zone's rate, from the start times of its shots without fault."""
    rates = []
    for zi, z in enumerate(run.proto["zone"]):
        t = [s["t_start_s"] for s in rows if s["zone"] == zi and s["fault"] is None]
        if z["mode"] == "burst" and len(t) > 1 and t[-1] > t[0]:
            rates.append((len(t) - 1) * 60.0 / (t[-1] - t[0]))
    return _r(min(rates)) if rates else None


def build(run, sim_end_s, wall_s):
    w = run.world
    rows = shots(run)
    good = [s for s in rows if s["fault"] is None]
    err = np.array([(s["delivered_ul"] - s["commanded_ul"]) / s["commanded_ul"] * 100.0
                    for s in good]) if good else np.zeros(0)
    depth_err = [abs(s["actual_depth_mm"] - s["depth_mm"]) for s in good]
    planned, given, twice = points(run, rows)
    summary = {
        "points_planned": planned,
        "points_given": given,
        "points_twice": twice,
        "shots": len(rows),
        "shots_ok": len(good),
        "delivered_ul_total": _r(sum(s["delivered_ul"] for s in rows)),
        "drip_ul_total": _r(w.drip_ul),
        "drip_ul_before_first_shot": _r(w.prime_drip_ul),
        "priming_ul_total": _r(w.primed_ul),
        "drip_ul_p99": _r(np.percentile([s["drip_ul"] for s in rows], 99)) if rows else None,
        "drip_ul_max": _r(max(s["drip_ul"] for s in rows)) if rows else None,
        "dose_error_pct_mean": _r(err.mean()) if len(err) else None,
        "dose_error_pct_p99_abs": _r(np.percentile(np.abs(err), 99)) if len(err) else None,
        "depth_error_mm_max": _r(max(depth_err)) if depth_err else None,
        "sim_seconds": _r(sim_end_s),
        "wall_seconds": round(wall_s, 3),
        "ended_by": run.ended_by,
        "syringes_refilled": run.refills,
        "polls": w.polls,
        "compute_s": _r(w.compute.total_ticks / w.clock.hz),
        "cues": len(run.cue_late_s),
        "cues_late": sum(1 for x in run.cue_late_s if x > CUE_LATE_S),
        "cue_late_ms_max": _r(max(run.cue_late_s) * 1000.0) if run.cue_late_s else None,
        "burst_per_min": burst_per_min(run, rows),
    }
    if run.exact:
        ex = (w.plunger_exec, w.carriage_exec)
        summary["max_step_error_us"] = _r(max(e.max_err_ticks for e in ex) * 1e6 / w.clock.hz)
        summary["late_steps"] = sum(e.late_steps for e in ex)
        summary["steps"] = sum(e.steps_run for e in ex)
    plant = {k: (_r(v) if isinstance(v, float) else v) for k, v in sorted(w.true.items())}
    report = {
        "seed": run.seed,
        "exact": run.exact,
        "dosing": run.dosing,
        "calibration_ppm": w.cal_ppm,
        "protocol": run.proto["protocol"]["name"],
        "plant": plant,
        "summary": summary,
        "shots": rows,
        "faults": fault_list(run),
        "injected": run.injections,
    }
    if run.power_cut is not None:
        report["power_cut"] = {k: (_r(v) if isinstance(v, float) else v)
                               for k, v in sorted(run.power_cut.items())}
    return report


def to_json(report):
    return json.dumps(report, indent=1, sort_keys=True) + "\n"


def _fmt(v, spec):
    return "-" if v is None else spec % v


def table(report):
    """The summary a person reads after `meso sim run`."""
    s = report["summary"]
    lines = [
        "protocol          %s (seed %d%s)" % (report["protocol"], report["seed"],
                                              ", exact steps" if report["exact"] else ""),
        "shots             %d (%d without fault)" % (s["shots"], s["shots_ok"]),
        "points            %d of %d given, %d given twice; %d syringe%s refilled"
        % (s["points_given"], s["points_planned"], s["points_twice"], s["syringes_refilled"],
           "" if s["syringes_refilled"] == 1 else "s"),
        "delivered         %.2f µL into the skin (outside it %.2f µL: %.2f priming, per shot"
        " p99 %s µL)" % (s["delivered_ul_total"], s["drip_ul_total"],
                         s["priming_ul_total"], _fmt(s["drip_ul_p99"], "%.3f")),
        "dose error        mean %s %%, 99th pct |error| %s %%"
        % (_fmt(s["dose_error_pct_mean"], "%+.3f"), _fmt(s["dose_error_pct_p99_abs"], "%.3f")),
        "depth error       max %s mm" % _fmt(s["depth_error_mm_max"], "%.3f"),
        "time              %.1f s simulated in %.2f s (%.0fx real time)"
        % (s["sim_seconds"], s["wall_seconds"], s["sim_seconds"] / max(s["wall_seconds"], 1e-9)),
        "firmware time     %.2f s on the MCU; %d of %d pacing cues late (> %g ms), latest %s ms"
        % (s["compute_s"], s["cues_late"], s["cues"], CUE_LATE_S * 1000,
           _fmt(s["cue_late_ms_max"], "%+.1f")),
        "ended             %s" % s["ended_by"],
    ]
    if s["burst_per_min"] is not None:
        lines.insert(-1, "burst             %.1f shots/min (the slowest burst zone)"
                     % s["burst_per_min"])
    if "late_steps" in s:
        lines.append("steps             %d, late %d, max step error %.3f µs"
                     % (s["steps"], s["late_steps"], s["max_step_error_us"]))
    cut = report.get("power_cut")
    if cut is not None:
        boots = sorted({r["boot"] for r in report["shots"]})
        lines.append("power cut         at %.3f s, %s; shots of boots %s; continued at %s"
                     % (cut["time_s"], "off %g s" % cut["off_s"] if cut.get("off_s") else
                        "stayed off", ", ".join(str(b) for b in boots) or "-",
                        "; ".join(cut.get("continued_at") or []) or "-"))
    for f in report["faults"]:
        lines.append("fault %-12s at %.3f s in %s: %s" % (f["code"], f["time_s"], f["state"],
                                                       f["safe_state"]))
    return "\n".join(lines)
