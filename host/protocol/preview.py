"""The plan as a picture: each zone's points, depth by colour, dose by size, and its timing.

Drawn with matplotlib's Agg backend (no display needed). A zone with a grid is drawn on
that grid, and every grid panel uses one millimetre scale, so sizes compare across panels;
a zone given only a count of points is drawn as that count, never as a layout the protocol
does not give. Marker area follows the dose on one scale, shown in a legend; each panel
says the zone's mode, rate or pace, and how long it takes.
"""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend
from matplotlib import colors

from host.protocol.plan import timing

ZONE_COLOURS = plt.get_cmap("tab10").colors
DEPTH_CMAP = "viridis"
PANEL_COLS_MAX = 3
DPI = 100
MARKER_MAX = 300  # points², the largest dose's marker when the grids leave room for it
PANEL_IN = 3.6  # plot width of a panel, inches (of its 4.6)


def zone_colour(i):
    return ZONE_COLOURS[i % len(ZONE_COLOURS)]


def depth_norm(plan):
    """The colour scale runs from the skin (0 mm) to the plan's deepest zone."""
    return colors.Normalize(0.0, max(z.depth_mm for z in plan.zones))


def depth_colour(plan, depth_mm):
    """RGBA of a depth in this plan's picture (the tests look for it in the PNG)."""
    return plt.get_cmap(DEPTH_CMAP)(depth_norm(plan)(depth_mm))


def marker_area(dose_ul, max_dose_ul, top=MARKER_MAX):
    """Marker area (points²) for a dose: proportional, one scale for the whole picture."""
    return top * dose_ul / max_dose_ul


def marker_top(plan, extent):
    """The largest marker's area: at most what the closest grid spacing leaves free, so
    neighbouring markers never merge and their sizes can be compared."""
    grids = [z for z in plan.zones if z.grid is not None]
    if extent is None or not grids:
        return MARKER_MAX
    w, h, pad = extent
    pt_per_mm = PANEL_IN * 72 / max(w + 2 * pad, h + 2 * pad)
    max_dose = max(z.dose_ul for z in plan.zones)
    # each grid's own largest marker fits 85 % of its spacing; its dose sets the scale
    tops = [(0.85 * z.grid[2] * pt_per_mm) ** 2 * max_dose / z.dose_ul for z in grids]
    return min([MARKER_MAX] + tops)


def layout(zone_plan):
    """(xs, ys) of a zone's grid points in mm from its first point, or None (a count only)."""
    if zone_plan.grid is None:
        return None
    rows, cols, spacing = zone_plan.grid
    xs = [c * spacing for r in range(rows) for c in range(cols)][:zone_plan.points]
    ys = [-r * spacing for r in range(rows) for c in range(cols)][:zone_plan.points]
    return xs, ys


def extent_mm(plan):
    """(width, height, pad) in mm that every grid panel shows: the largest grid's, padded."""
    grids = [z.grid for z in plan.zones if z.grid is not None]
    if not grids:
        return None
    w = max((cols - 1) * sp for _, cols, sp in grids)
    h = max((rows - 1) * sp for rows, _, sp in grids)
    pad = max(sp for _, _, sp in grids) * 0.8
    return w, h, pad


def _frame(ax, i, zp):
    for side in ax.spines.values():
        side.set_edgecolor(zone_colour(i))
        side.set_linewidth(4)
    ax.set_title("%s  (%s)" % (zp.name, zp.preset or zp.mode), fontsize=10, color="white",
                 fontweight="bold", bbox={"facecolor": zone_colour(i), "edgecolor": "none",
                                          "pad": 3})


def _panel(ax, i, plan, zp, zone, max_dose, extent, top):
    points = layout(zp)
    _frame(ax, i, zp)
    label = "%d points, %g µL each at %g mm = %g µL" % (zp.points, zp.dose_ul, zp.depth_mm,
                                                         round(zp.volume_ul, 1))
    if points is None:
        # A count: the protocol places no point, so neither does the picture.
        ax.set_xticks([])
        ax.set_yticks([])
        if extent is not None:  # the same box as the grid panels beside it
            w, h, pad = extent
            ax.set_xlim(-pad, w + pad)
            ax.set_ylim(-h - pad, pad)
            ax.set_aspect("equal")
        ax.scatter([0.5], [0.7], s=marker_area(zp.dose_ul, max_dose, top), transform=ax.transAxes,
                   c=[depth_colour(plan, zp.depth_mm)], edgecolors="black", linewidths=0.4)
        ax.text(0.5, 0.45, "× %d" % zp.points, ha="center", va="center", fontsize=24,
                fontweight="bold", transform=ax.transAxes)
        ax.text(0.5, 0.18, "no grid in the protocol:\npoints placed by the practitioner",
                ha="center", va="center", fontsize=8, color="#444", transform=ax.transAxes)
    else:
        xs, ys = points
        ax.scatter(xs, ys, s=marker_area(zp.dose_ul, max_dose, top),
                   c=[depth_colour(plan, zp.depth_mm)], edgecolors="black", linewidths=0.4,
                   zorder=3)
        w, h, pad = extent
        ax.set_xlim(-pad, w + pad)
        ax.set_ylim(-h - pad, pad)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
        ax.set_ylabel("mm", fontsize=7, labelpad=1)
        label += ", every %g mm" % zp.grid[2]
    ax.set_xlabel("%s\n%s" % (label, timing(zp, zone)), fontsize=8)


def _dose_legend(fig, plan, max_dose, top):
    doses = sorted({z.dose_ul for z in plan.zones})
    handles = [plt.scatter([], [], s=marker_area(d, max_dose, top), c="white", edgecolors="black",
                           linewidths=0.6) for d in doses]
    fig.legend(handles, ["%g µL" % d for d in doses], title="dose per point",
               loc="outside lower right", ncol=len(doses), fontsize=8, title_fontsize=8,
               frameon=False)


def draw(plan, proto, path):
    """Write the picture of a Plan to path (PNG or SVG); returns the figure size in pixels."""
    # An SVG keeps its words as text (searchable, and read by screen readers).
    with plt.rc_context({"svg.fonttype": "none"}):
        return _draw(plan, proto, path)


def _draw(plan, proto, path):
    n = len(plan.zones)
    cols = min(PANEL_COLS_MAX, n)
    rows = math.ceil(n / cols)
    extent = extent_mm(plan)
    # Panels as tall as the shared grid box needs (plus title and two lines of figures).
    box = 1.0 if extent is None else (extent[1] + 2 * extent[2]) / (extent[0] + 2 * extent[2])
    panel_h = min(4.0, max(2.4, PANEL_IN * box + 1.2))
    width, height = 4.6 * cols + 1.2, round(panel_h * rows + 1.6, 1)
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), dpi=DPI, squeeze=False,
                             layout="constrained")
    max_dose = max(z.dose_ul for z in plan.zones)
    top = marker_top(plan, extent)
    for i, (zp, zone) in enumerate(zip(plan.zones, proto.zones)):
        _panel(axes[i // cols][i % cols], i, plan, zp, zone, max_dose, extent, top)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    head = plan.name + ("  -  %s" % plan.product if plan.product else "")
    fig.suptitle(head, fontsize=13, fontweight="bold")
    fig.supxlabel("total %d points, %g µL in a %g mL syringe (%d fill%s), needle %g mm, "
                  "about %.1f min of injection; grids drawn to one mm scale"
                  % (plan.points, round(plan.volume_ul, 1), plan.syringe_ml, plan.fills,
                     "" if plan.fills == 1 else "s", plan.needle_mm, plan.time_s / 60),
                  fontsize=10)
    _dose_legend(fig, plan, max_dose, top)
    mappable = plt.cm.ScalarMappable(norm=depth_norm(plan), cmap=DEPTH_CMAP)
    bar = fig.colorbar(mappable, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02)
    bar.set_label("depth (mm)")
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return round(width * DPI), round(height * DPI)
