"""The report's pages from jinja2 templates: the clinical report and the patient handout.

report.html.j2 is the practitioner's record (who, what, when, which gun; screening,
accepted warnings; planned against delivered; faults; the picture); handout.html.j2 is the
patient's sheet, aftercare in plain words and nothing of the engineering. Both print on A4
(WeasyPrint turns them into PDFs, host/report/pdf.py).
"""

import base64

import jinja2

from host.report import figure
from host.report.aftercare import AFTERCARE, CALL_IF
from host.report.clinical import context

ENV = jinja2.Environment(loader=jinja2.PackageLoader("host.report", "templates"),
                         autoescape=jinja2.select_autoescape(["html", "j2"]),
                         undefined=jinja2.StrictUndefined, trim_blocks=True,
                         lstrip_blocks=True)


def _f(x, digits=1):
    return "-" if x is None else "%.*f" % (digits, x)


def _pct(x):
    return "-" if x is None else "%+.2f %%" % x


ENV.filters["f"] = _f
ENV.filters["pct"] = _pct


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


def page(log, png_bytes, handout_name=None):
    """The clinical report as one self-contained HTML page (the picture embedded)."""
    return ENV.get_template("report.html.j2").render(
        c=context(log), zones=zone_rows(log), handout_name=handout_name,
        png="data:image/png;base64," + base64.b64encode(png_bytes).decode())


def handout(log):
    """The patient's handout: the session in a few words and the aftercare."""
    return ENV.get_template("handout.html.j2").render(c=context(log), aftercare=AFTERCARE,
                                                      call_if=CALL_IF)


def write(log, html_path, png_path, handout_path=None):
    """Write the PNG, the report page (the PNG embedded too) and, if asked, the handout."""
    import os

    figure.draw(log, png_path)
    with open(png_path, "rb") as f:
        png = f.read()
    name = os.path.basename(handout_path) if handout_path else None
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(page(log, png, name))
    if handout_path:
        with open(handout_path, "w", encoding="utf-8") as f:
            f.write(handout(log))
