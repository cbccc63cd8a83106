"""The live view of a run: a progress bar per zone and overall, one line per shot if asked."""

import sys

BAR = 20


def bar(done, total, width=BAR):
    full = width if total <= 0 else min(width, done * width // total)
    return "[" + "#" * full + "-" * (width - full) + "]"


class Progress:
    """Redraws one status line on a terminal; prints plain lines otherwise (logs, pipes)."""

    def __init__(self, proto, out=None, verbose=False):
        self.out = out or sys.stdout
        self.tty = self.out.isatty()
        self.verbose = verbose
        self.zones = proto["zone"]
        self.planned = sum(z["points"] for z in self.zones)
        self.done = [0] * len(self.zones)
        self.total = 0
        self.delivered_ul = 0.0
        self.last = None
        self.width = 0

    def shot(self, rec):
        z = rec["zone"]
        if 0 <= z < len(self.done):
            self.done[z] += 1
        self.total += 1
        self.delivered_ul += rec["delivered_ul"]
        self.last = rec
        if self.verbose:
            self._line("shot %4d  zone %-14s #%-4d %6.2f µL at %.2f mm%s" % (
                self.total, self.zones[z]["name"][:14], rec["index"] + 1, rec["delivered_ul"],
                rec["depth_mm"], "  FAULT " + rec["fault"] if rec["fault"] else ""))
        self.draw()

    def zone_done(self, z):
        if not self.tty:
            self._line("zone %d %s: %d/%d shots" % (z, self.zones[z]["name"], self.done[z],
                                                     self.zones[z]["points"]))

    def draw(self):
        if not self.tty or self.last is None:
            return
        z = self.last["zone"]
        zone = self.zones[z]
        text = "%-14s %s %3d/%-3d  overall %s %4d/%-4d  %7.1f µL" % (
            zone["name"][:14], bar(self.done[z], zone["points"], 12), self.done[z], zone["points"],
            bar(self.total, self.planned), self.total, self.planned, self.delivered_ul)
        pad = max(0, self.width - len(text))
        self.width = len(text)
        self.out.write("\r" + text + " " * pad)
        self.out.flush()

    def _line(self, text):
        if self.tty and self.width:
            self.out.write("\r" + " " * self.width + "\r")
            self.width = 0
        self.out.write(text + "\n")
        self.out.flush()

    def end(self):
        if self.tty and self.width:
            self.out.write("\n")
            self.width = 0
            self.out.flush()
