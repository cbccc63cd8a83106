"""Session reports: a session log (device or simulator) as an HTML page and a PNG.

    log = host.report.log.load(path, protocol=None)   # protocol: core form, optional
    host.report.write(log, "report.html", "report.png")
"""



def write(*args, **kw):
    """Write the HTML report (and PNG); matplotlib loads only when a report is made, so
    every other `meso` command starts quickly."""
    from host.report.html import write as write_html

    return write_html(*args, **kw)
