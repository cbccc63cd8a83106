"""HTML pages to PDF with WeasyPrint (PyPI; it draws text with the system's Pango).

WeasyPrint loads only when a PDF is asked for: every other report works without it, and a
laptop without it gets one line saying what to install.
"""

from host.report.errors import ReportError

INSTALL = ("PDF reports need WeasyPrint and Pango: pip install 'mesogun[practitioner]'; on "
           "Debian also apt-get install libpango-1.0-0 libpangoft2-1.0-0")


def write(html_text, path, base_url="."):
    """Render one HTML page (a string) to a PDF file at path."""
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: the package is there, Pango is not
        raise ReportError("%s (%s)" % (INSTALL, str(e).splitlines()[0] if str(e) else e))
    try:
        weasyprint.HTML(string=html_text, base_url=base_url).write_pdf(path)
    except OSError as e:
        raise ReportError("cannot write the PDF %s: %s" % (path, e.strerror or e))
