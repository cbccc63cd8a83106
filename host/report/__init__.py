"""Session reports: a session log (device or simulator) as a clinical report, a patient
handout (HTML, and PDF with WeasyPrint) and a PNG.

    log = host.report.log.load(path, protocol=None)   # protocol: core form, optional
    host.report.write(log, "report.html", "report.png", "handout.html")
    host.report.write_pdf("report.html", "report.pdf")
"""

import os


def outputs(html_path, png_path=None, handout_path=None, pdf=False):
    """The files a report writes, by kind (report, png, handout, and with pdf report_pdf and
    handout_pdf): the PNG and handout beside the report unless given, each PDF beside its page."""
    stem = os.path.splitext(html_path)[0]
    files = {"report": html_path, "png": png_path or stem + ".png",
             "handout": handout_path or stem + "-handout.html"}
    if pdf:
        files["report_pdf"] = stem + ".pdf"
        files["handout_pdf"] = os.path.splitext(files["handout"])[0] + ".pdf"
    return files


def write(*args, **kw):
    """Write the HTML report (and PNG, and handout); matplotlib and jinja2 load only when a
    report is made, so every other `meso` command starts quickly."""
    from host.report.html import write as write_html

    return write_html(*args, **kw)


def write_pdf(html_path, pdf_path):
    """The PDF of a page written by write() (the picture is embedded in it)."""
    from host.report import pdf

    with open(html_path, encoding="utf-8") as f:
        pdf.write(f.read(), pdf_path)
