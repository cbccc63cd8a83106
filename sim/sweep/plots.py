"""PNG plots of a sweep for a person: the dose-error histogram of each protocol, the error
against each swept parameter, and box plots per zone. Errors are of shots without fault."""

import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

COLOURS = {"naive": "#d95f02", "compensated": "#1b9e77"}
WIDTH_IN = 10.0


def _rows(shots, names):
    cols = ["protocol_file", "protocol", "dosing", "zone", "zone_name", "fault",
            "dose_error_pct"] + ["param_" + n for n in names]
    cols = [c for c in cols if c in shots.column_names]
    return [r for r in shots.select(cols).to_pylist()
            if r.get("fault") is None and r.get("dose_error_pct") is not None]


def _title(rows, path):
    name = next(r["protocol"] for r in rows if r["protocol_file"] == path)
    return "%s (%s)" % (name, os.path.basename(path))


def _panels(n, height_in=3.4):
    fig, axes = plt.subplots(n, 1, figsize=(WIDTH_IN, height_in * n + 0.6), squeeze=False)
    return fig, [a[0] for a in axes]


def _save(fig, out_dir, name):
    fig.tight_layout()
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def histogram(rows, files, dosings, out_dir):
    fig, axes = _panels(len(files))
    for ax, path in zip(axes, files):
        allv = np.array([r["dose_error_pct"] for r in rows if r["protocol_file"] == path])
        lo, hi = (np.percentile(allv, 0.1), np.percentile(allv, 99.9)) if len(allv) else (-1, 1)
        pad = max(0.1, 0.05 * (hi - lo))
        bins = np.linspace(lo - pad, hi + pad, 60)
        for d in dosings:
            e = np.array([r["dose_error_pct"] for r in rows
                          if r["protocol_file"] == path and r["dosing"] == d])
            if not len(e):
                continue
            p99 = np.percentile(np.abs(e), 99)
            clipped = np.clip(e, bins[0], bins[-1])  # the extreme 0.1 % land in the end bins
            ax.hist(clipped, bins=bins, histtype="stepfilled", alpha=0.25, color=COLOURS.get(d))
            ax.hist(clipped, bins=bins, histtype="step", linewidth=1.6, color=COLOURS.get(d),
                    label="%s: %d shots, mean %+.2f %%, p99 |e| %.2f %%"
                    % (d, len(e), e.mean(), p99))
            for x in (-p99, p99):
                ax.axvline(x, color=COLOURS.get(d), linestyle="--", linewidth=1)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(_title(rows, path))
        ax.set_xlabel("dose error, % of the commanded dose (dashed: ±p99 |error|)")
        ax.set_ylabel("shots")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    return _save(fig, out_dir, "dose_error_hist.png")


def _boxes(ax, groups, labels, dosings):
    """Box plots of groups[(label, dosing)] side by side, one colour per dose model."""
    width = 0.8 / len(dosings)
    for j, d in enumerate(dosings):
        data = [groups.get((lab, d), []) for lab in labels]
        pos = [i + (j - (len(dosings) - 1) / 2) * width for i in range(len(labels))]
        keep = [(p, v) for p, v in zip(pos, data) if len(v)]
        if not keep:
            continue
        bp = ax.boxplot([v for _, v in keep], positions=[p for p, _ in keep],
                        widths=width * 0.85, patch_artist=True, showfliers=True,
                        medianprops={"color": "black"},
                        flierprops={"markersize": 2, "alpha": 0.4})
        for box in bp["boxes"]:
            box.set_facecolor(COLOURS.get(d, "#7570b3"))
            box.set_alpha(0.6)
        ax.plot([], [], color=COLOURS.get(d), linewidth=6, alpha=0.6, label=d)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([str(lab) for lab in labels], fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("dose error, %")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, title="dose model",
              title_fontsize=8)


def against(rows, files, dosings, name, out_dir):
    col = "param_" + name
    fig, axes = _panels(len(files))
    for ax, path in zip(axes, files):
        mine = [r for r in rows if r["protocol_file"] == path]
        values = sorted({r[col] for r in mine})
        groups = {}
        for r in mine:
            groups.setdefault((r[col], r["dosing"]), []).append(r["dose_error_pct"])
        _boxes(ax, groups, values, dosings)
        ax.set_title("%s: dose error against %s" % (_title(rows, path), name))
        ax.set_xlabel(name)
    return _save(fig, out_dir, "error_vs_%s.png" % _safe(name))


def zones(rows, files, dosings, out_dir):
    fig, axes = _panels(len(files))
    for ax, path in zip(axes, files):
        mine = [r for r in rows if r["protocol_file"] == path]
        order = sorted({(r["zone"], r["zone_name"]) for r in mine})
        labels = [z for _, z in order]
        groups = {}
        for r in mine:
            groups.setdefault((r["zone_name"], r["dosing"]), []).append(r["dose_error_pct"])
        _boxes(ax, groups, labels, dosings)
        ax.set_title("%s: dose error per zone" % _title(rows, path))
        ax.set_xlabel("zone")
    return _save(fig, out_dir, "zones.png")


def plot_all(runs, shots, names, out_dir):
    """Writes the PNGs into out_dir; their paths."""
    os.makedirs(out_dir, exist_ok=True)
    rows = _rows(shots, names)
    if not rows:
        return []
    files = sorted({r["protocol_file"] for r in rows})
    dosings = [d for d in ("naive", "compensated") if any(r["dosing"] == d for r in rows)]
    out = [histogram(rows, files, dosings, out_dir)]
    out += [against(rows, files, dosings, n, out_dir) for n in names]
    out.append(zones(rows, files, dosings, out_dir))
    return out
