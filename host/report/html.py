"""The report page: planned against delivered per zone, faults, screening and aftercare."""

import base64
import html

from host.report import figure
from host.report.aftercare import AFTERCARE

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em}
td.n{text-align:right}.fault{color:#b00}img{max-width:100%}"""


def _e(x):
    return html.escape(str(x))


def _f(x, digits=1):
    return "-" if x is None else "%.*f" % (digits, x)


def _pct(x):
    return "-" if x is None else "%+.2f %%" % x


def _table(head, rows, numeric_from=1):
    out = ["<table><tr>%s</tr>" % "".join("<th>%s</th>" % _e(h) for h in head)]
    for r in rows:
        cells = "".join('<td%s>%s</td>' % (' class="n"' if i >= numeric_from else "", _e(c))
                        for i, c in enumerate(r))
        out.append("<tr>%s</tr>" % cells)
    out.append("</table>")
    return "\n".join(out)


def zone_rows(log):
    rows = []
    for z in log.zones:
        rows.append((z.name, z.planned_points if z.planned_points is not None else "-",
                     z.shots, _f(z.planned_ul), _f(z.commanded_ul), _f(z.delivered_ul),
                     _pct(z.error_pct), _pct(z.worst_shot_pct),
                     _f(max(z.depth_errors_mm, key=abs), 3) if z.depth_errors_mm else "-",
                     z.faults))
    t = log.totals()
    rows.append(("total", sum(z.planned_points or 0 for z in log.zones) or "-", t["shots"],
                 _f(t["planned_ul"]), _f(t["commanded_ul"]), _f(t["delivered_ul"]),
                 _pct(100.0 * (t["delivered_ul"] - t["commanded_ul"]) / t["commanded_ul"]
                      if t["commanded_ul"] else None), "", "", t["faults"]))
    return rows


def page(log, png_bytes):
    head = (log.protocol or {}).get("protocol") or {}
    title = log.title or "Session report"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>%s</title><style>%s</style></head><body>" % (_e(title), STYLE),
             "<h1>%s</h1>" % _e(title), "<p>Log: %s</p>" % _e(log.path)]
    if head:
        parts.append("<p>Syringe %s mL, needle %s mm (%s G), fluid %s mPa·s</p>" % tuple(
            _e(head.get(k, "?")) for k in ("syringe_ml", "needle_mm", "needle_gauge",
                                            "viscosity_mpas")))
    parts.append("<h2>Planned and delivered per zone</h2>")
    parts.append(_table(("zone", "planned points", "shots", "planned µL", "commanded µL",
                         "delivered µL", "dose error", "worst shot", "worst depth error mm",
                         "faults"), zone_rows(log)))
    parts.append('<img alt="planned and delivered, per-shot dose error, timeline" '
                 'src="data:image/png;base64,%s">' % base64.b64encode(png_bytes).decode())
    parts.append("<h2>Faults</h2>")
    faults = log.faults()
    if faults:
        parts.append(_table(("zone", "shot", "fault", "commanded µL", "delivered µL", "t (s)"),
                            [(log.zone_of(s), s.get("index", "-"), s["fault"],
                              _f(s["commanded_ul"], 2), _f(s["delivered_ul"], 2),
                              _f(s.get("t_start_s"), 2)) for s in faults]))
    else:
        parts.append("<p>No fault during the session.</p>")
    if log.fault_events:
        parts.append("<p>What the gun did on each fault:</p>")
        parts.append(_table(("t (s)", "fault", "in state", "line kPa", "safe state"), [
            (_f(e.get("time_s"), 3), e.get("code", "?"), e.get("state", "?"),
             _f(e.get("pressure_kpa"), 0), e.get("safe_state", "")) for e in log.fault_events],
            numeric_from=5))
    if log.summary:
        parts.append("<h2>Summary</h2>")
        parts.append(_table(("item", "value"), sorted(
            (k, v) for k, v in log.summary.items() if not isinstance(v, (dict, list)))))
    if log.screening:
        parts.append("<h2>Screening</h2>")
        s = log.screening
        if s.get("method") == "external":
            parts.append("<p>Screened by %s.</p>" % _e(s.get("screened_by")))
        else:
            parts.append(_table(("question", "answer"), [
                (k, "yes" if v else "no") for k, v in (s.get("answers") or {}).items()]))
    parts.append("<h2>Aftercare</h2><ul>%s</ul>" % "".join("<li>%s</li>" % _e(a)
                                                           for a in AFTERCARE))
    parts.append("</body></html>")
    return "\n".join(parts)


def write(log, html_path, png_path):
    """Write the PNG and the self-contained HTML page (the PNG is embedded too)."""
    figure.draw(log, png_path)
    with open(png_path, "rb") as f:
        png = f.read()
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(page(log, png))
