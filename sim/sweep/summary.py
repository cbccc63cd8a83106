"""A sweep's figures (named in sim/sweep/thresholds.py), the summary a person reads, and
which thresholds they fail.

Dose errors are those of shots without fault, as in a run's report: (delivered − commanded)
/ commanded in %. The mean is signed; p50, p99 and max are of |error|.
"""

import os

import numpy as np

from sim.sweep.thresholds import OPS


def _col(table, name):
    if name not in table.column_names:
        return np.zeros(0)
    return np.array([np.nan if v is None else v for v in table.column(name).to_pylist()],
                    dtype=float)


def figures(runs, shots, wall_s, new_runs):
    rows = runs.to_pylist()
    ok = [r for r in rows if r["status"] == "ok"]
    f = {
        "runs": len(rows),
        "failed": len(rows) - len(ok),
        "incomplete": len(rows) - sum(1 for r in ok if r.get("complete")),
        "shots": shots.num_rows,
        "faults": sum(r.get("faults") or 0 for r in ok),
        "wall_s": wall_s,
        "runs_per_s": new_runs / wall_s if new_runs and wall_s > 0 else None,
    }
    fault = shots.column("fault").to_pylist() if "fault" in shots.column_names else []
    good = np.array([v is None for v in fault], dtype=bool)
    f["faulted_shots"] = int((~good).sum())
    err = _col(shots, "dose_error_pct")[good] if len(good) else np.zeros(0)
    err = err[np.isfinite(err)]
    a = np.abs(err)
    f["mean_dose_error_pct"] = float(err.mean()) if len(err) else None
    f["p50_dose_error_pct"] = float(np.percentile(a, 50)) if len(a) else None
    f["p99_dose_error_pct"] = float(np.percentile(a, 99)) if len(a) else None
    f["max_dose_error_pct"] = float(a.max()) if len(a) else None
    drip = _col(runs, "drip_ul_total")
    drip = drip[np.isfinite(drip)]
    # No drip column (a report without the figure) is not "no drip": the figure is unknown.
    f["drip_ul"] = float(drip.sum()) if len(drip) else None
    f["max_run_drip_ul"] = float(drip.max()) if len(drip) else None
    if len(good):
        depth = np.abs(_col(shots, "actual_depth_mm") - _col(shots, "depth_mm"))[good]
        f["max_depth_error_mm"] = float(depth.max()) if len(depth) else None
    else:
        f["max_depth_error_mm"] = None
    return f


def failing(figs, thresholds):
    """The thresholds met, each as 'figure value op limit'. A figure that could not be
    worked out (no shot at all) fails its threshold: nothing measured is nothing passed."""
    out = []
    for name, op, limit in thresholds:
        v = figs[name]
        if v is None or OPS[op](v, limit):
            out.append("%s %s %s %g" % (name, "n/a" if v is None else "%.6g" % v, op, limit))
    return out


def _pct(v, spec="%.3f"):
    return "-" if v is None else spec % v


def text(figs, workers_label, groups=()):
    f = figs
    lines = [
        "runs              %d (%d failed, %d incomplete)" % (f["runs"], f["failed"],
                                                            f["incomplete"]),
        "shots             %d (%d with a fault), %d fault events"
        % (f["shots"], f["faulted_shots"], f["faults"]),
        "dose error        mean %s %%, |error| p50 %s %%, p99 %s %%, max %s %%"
        % (_pct(f["mean_dose_error_pct"], "%+.3f"), _pct(f["p50_dose_error_pct"]),
           _pct(f["p99_dose_error_pct"]), _pct(f["max_dose_error_pct"])),
        "drip              %s µL in all, largest run %s µL"
        % (_pct(f["drip_ul"]), _pct(f["max_run_drip_ul"])),
        "depth error       max %s mm" % _pct(f["max_depth_error_mm"]),
        "wall time         %.1f s, %s runs/s on %s"
        % (f["wall_s"], _pct(f["runs_per_s"], "%.2f"), workers_label),
    ]
    for g in groups:
        lines.append("  %-24s %-11s %5d runs %7d shots  mean %s %%  p99 %s %%  max %s %%" % (
            os.path.basename(g["file"])[-24:], g["dosing"], g["runs"], g["shots"],
            _pct(g["mean"], "%+.3f"), _pct(g["p99"]), _pct(g["max"])))
    return "\n".join(lines)


def by_group(shots):
    """Figures per protocol and dose model, for the summary's lines under the totals."""
    if not shots.num_rows:
        return []
    cols = shots.select(["protocol_file", "dosing", "seed", "fault", "dose_error_pct"]
                        + [c for c in shots.column_names if c.startswith("param_")])
    groups = {}
    for r in cols.to_pylist():
        g = groups.setdefault((r["protocol_file"], r["dosing"]), {"runs": set(), "err": [],
                                                                  "shots": 0})
        g["runs"].add((r["seed"],) + tuple(v for k, v in sorted(r.items())
                                           if k.startswith("param_")))
        g["shots"] += 1
        if r["fault"] is None and r["dose_error_pct"] is not None:
            g["err"].append(r["dose_error_pct"])
    out = []
    for (path, dosing), g in sorted(groups.items()):
        e = np.array(g["err"])
        a = np.abs(e)
        out.append({"file": path, "dosing": dosing, "runs": len(g["runs"]),
                    "shots": g["shots"], "mean": float(e.mean()) if len(e) else None,
                    "p99": float(np.percentile(a, 99)) if len(a) else None,
                    "max": float(a.max()) if len(a) else None})
    return out
