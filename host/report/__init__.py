"""Session reports: a session log (device or simulator) as an HTML page and a PNG.

    log = host.report.log.load(path, protocol=None)   # protocol: core form, optional
    host.report.write(log, "report.html", "report.png")
"""

from host.report.html import write

__all__ = ["write"]
