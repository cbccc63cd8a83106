"""Session reports: a session log (device or simulator) as a clinical report, a patient
handout (HTML, and PDF with WeasyPrint) and a PNG.

    log = host.report.log.load(path, protocol=None)   # protocol: core form, optional
    host.report.write(log, "report.html", "report.png", "handout.html")
    host.report.write_pdf("report.html", "report.pdf")
"""


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
