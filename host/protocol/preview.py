"""The plan as a picture: each zone's grid of points, depth by colour, dose by size, totals.

Drawn with matplotlib's Agg backend (no display needed). Each zone gets its own panel framed
in the zone's colour; its points sit on the grid the practitioner wrote (or a near-square
layout at the preset's spacing when only a count was given), so the spacing reads in mm.
"""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend
from matplotlib import colors

from host import presets

ZONE_COLOURS = plt.get_cmap("tab10").colors
DEPTH_CMAP = "viridis"
PANEL_COLS_MAX = 3
DPI = 100


def zone_colour(i):
    return ZONE_COLOURS[i % len(ZONE_COLOURS)]


def depth_norm(plan):
    """The colour scale runs from the skin (0 mm) to the plan's deepest zone."""
    return colors.Normalize(0.0, max(z.depth_mm for z in plan.zones))


def depth_colour(plan, depth_mm):
    """RGBA of a depth in this plan's picture (the tests look for it in the PNG)."""
    return plt.get_cmap(DEPTH_CMAP)(depth_norm(plan)(depth_mm))


def layout(zone_plan, zone):
    """(xs, ys, spacing_mm) of a zone's points, in mm from its first point."""
    if zone_plan.grid is not None:
        _, cols, spacing = zone_plan.grid
    else:
        spacing = (zone.preset or presets.GENERAL).spacing_range_mm[0]
        if zone.preset is not None:
            spacing = zone.preset.spacing_mm
        cols = math.ceil(math.sqrt(zone_plan.points))
    xs, ys = [], []
    for k in range(zone_plan.points):
        r, c = divmod(k, cols)
        xs.append(c * spacing)
        ys.append(-r * spacing)
    return xs, ys, spacing


def _panel(ax, i, plan, zp, zone, max_dose):
    xs, ys, spacing = layout(zp, zone)
    # Marker area grows with the dose; the panel's own spacing keeps markers apart.
    size = 40 + 260 * zp.dose_ul / max_dose
    ax.scatter(xs, ys, s=size, c=[depth_colour(plan, zp.depth_mm)], edgecolors="black",
               linewidths=0.4, zorder=3)
    pad = spacing * 0.8
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    for side in ax.spines.values():
        side.set_edgecolor(zone_colour(i))
        side.set_linewidth(4)
    title = "%s  (%s)" % (zp.name, zp.preset or zp.mode)
    ax.set_title(title, fontsize=10, color="white", fontweight="bold",
                 bbox={"facecolor": zone_colour(i), "edgecolor": "none", "pad": 3})
    ax.set_xlabel("mm\n%d points, %g µL each at %g mm = %g µL, every %g mm"
                  % (zp.points, zp.dose_ul, zp.depth_mm, round(zp.volume_ul, 1), spacing),
                  fontsize=8)


def draw(plan, proto, path):
    """Write the picture of a Plan to path (PNG); returns the figure size in pixels."""
    n = len(plan.zones)
    cols = min(PANEL_COLS_MAX, n)
    rows = math.ceil(n / cols)
    width, height = 4.6 * cols + 1.2, 4.0 * rows + 1.6
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), dpi=DPI, squeeze=False,
                             layout="constrained")
    max_dose = max(z.dose_ul for z in plan.zones)
    for i, (zp, zone) in enumerate(zip(plan.zones, proto.zones)):
        _panel(axes[i // cols][i % cols], i, plan, zp, zone, max_dose)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    head = plan.name + ("  -  %s" % plan.product if plan.product else "")
    fig.suptitle(head, fontsize=13, fontweight="bold")
    minutes = plan.time_s / 60
    fig.supxlabel("total %d points, %g µL in a %g mL syringe (%d fill%s), needle %g mm, "
             "about %.1f min of injection" % (plan.points, round(plan.volume_ul, 1),
                                              plan.syringe_ml, plan.fills,
                                              "" if plan.fills == 1 else "s", plan.needle_mm,
                                              minutes),
                  fontsize=10)
    mappable = plt.cm.ScalarMappable(norm=depth_norm(plan), cmap=DEPTH_CMAP)
    bar = fig.colorbar(mappable, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02)
    bar.set_label("depth (mm); marker size = dose")
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return round(width * DPI), round(height * DPI)
