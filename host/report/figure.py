"""The report's picture: planned against delivered per zone, per-shot dose error, timeline."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend

from host.report.log import error_pct, has_fault

ZONE_COLOURS = plt.get_cmap("tab10").colors
PLANNED = "#bbbbbb"
FAULT = "#d62728"
DPI = 100
SIZE_IN = (11.0, 9.0)


def zone_colour(i):
    return ZONE_COLOURS[i % len(ZONE_COLOURS)]


def draw(log, path):
    """Write the three panels to path (PNG); returns the picture's size in pixels."""
    fig, (bars, errs, line) = plt.subplots(3, 1, figsize=SIZE_IN, dpi=DPI, layout="constrained")
    names = [z.name for z in log.zones]
    colour = {n: zone_colour(i) for i, n in enumerate(names)}
    x = range(len(names))
    planned = [z.planned_ul if z.planned_ul is not None else z.commanded_ul for z in log.zones]
    bars.bar([i - 0.2 for i in x], planned, width=0.4, color=PLANNED, label="planned")
    # Label by source: the simulator knows the truth, a gun only estimates it.
    source = "simulated" if log.simulated else "the gun's estimate"
    delivered = "delivered (%s)" % source
    bars.bar([i + 0.2 for i in x], [z.delivered_ul for z in log.zones], width=0.4,
             color=[colour[n] for n in names], label=delivered)
    bars.set_xticks(list(x), names, fontsize=8)
    bars.set_ylabel("volume (µL)")
    bars.set_title("Planned and delivered volume per zone")
    bars.legend(fontsize=8)

    # The scale is the good shots': a shot cut by a fault (often -100 %) would flatten them.
    good = []
    for n in names:
        shots = [(k, error_pct(s)) for k, s in enumerate(log.shots)
                 if log.zone_of(s) == n and not has_fault(s)]
        shots = [(k, e) for k, e in shots if e is not None]
        good += [e for _, e in shots]
        if shots:
            errs.scatter([k for k, _ in shots], [e for _, e in shots], s=14, color=colour[n],
                         label=n)
    span = max([1.0] + [abs(e) * 1.2 for e in good])
    errs.set_ylim(-span, span)
    bad = [(k, error_pct(s)) for k, s in enumerate(log.shots) if has_fault(s)]
    if bad:
        clipped = [max(-span, min(span, e if e is not None else 0.0)) for _, e in bad]
        errs.scatter([k for k, _ in bad], clipped, s=90, marker="x", color=FAULT,
                     label="fault (cut short; off scale at the edge)", zorder=3)
    errs.axhline(0, color="black", linewidth=0.6)
    errs.set_xlabel("shot")
    errs.set_ylabel("dose error (%)")
    errs.set_title("Per-shot dose error: delivered against commanded (%s)" % source)
    if errs.get_legend_handles_labels()[0]:  # a session with no shot has nothing to name
        errs.legend(fontsize=7, ncol=min(6, len(names) + 1))

    t0 = min((s["t_start_s"] for s in log.shots if s.get("t_start_s") is not None), default=0)
    for n in names:
        pts = [(s["t_start_s"] - t0, s["delivered_ul"]) for s in log.shots
               if log.zone_of(s) == n and s.get("t_start_s") is not None]
        if pts:
            line.vlines([t for t, _ in pts], 0, [v for _, v in pts], color=colour[n],
                        linewidth=1.5, label=n)
    for s in log.faults():
        if s.get("t_start_s") is not None:
            line.axvline(s["t_start_s"] - t0, color=FAULT, linestyle="--", linewidth=1)
    line.set_xlabel("time since the first shot (s)")
    line.set_ylabel("delivered (µL, %s)" % source.replace("the ", ""))
    line.set_title("Timeline (dashed red: fault)")
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return round(SIZE_IN[0] * DPI), round(SIZE_IN[1] * DPI)
