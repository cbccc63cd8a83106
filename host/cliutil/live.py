"""The live view of `meso run` on a terminal (rich): zone, point, µL given, time remaining and
the gun's state, redrawn in place. Off a terminal the plain lines of progress.Progress."""


from firmware.wire.states import state_name
from host.cliutil.progress import Progress


def each_s(zone):
    """About how long one point of a zone takes (its pace; the mechanics are shorter)."""
    mode = zone["mode"]
    if mode == "burst":
        return 60.0 / zone["rate_per_min"]
    if mode == "continuous":
        return float(zone["duration_s"])
    if mode == "perfusion":
        return float(zone["bolus_every_s"])
    return zone.get("pace_ms", 0) / 1000.0


class Live(Progress):
    """Progress with a rich panel; shot(rec) takes records in the session's numbering."""

    def __init__(self, proto, out=None, verbose=False, given=()):
        Progress.__init__(self, proto, out, verbose)
        for z, _ in given:
            self.done[z] += 1
        self.total = len(given)
        self.state = "starting"
        self.note = ""
        self.live = None
        if self.tty:
            from rich.console import Console
            from rich.live import Live as RichLive

            self.live = RichLive(self._render(), console=Console(file=self.out),
                                 refresh_per_second=4, transient=False)
            self.live.start()
            self.tty = False  # the panel replaces the status line

    def remaining_s(self):
        return sum(max(0, z["points"] - d) * each_s(z) for z, d in zip(self.zones, self.done))

    def _render(self):
        from rich.table import Table

        t = Table.grid(padding=(0, 2))
        t.add_column(style="bold")
        t.add_column()
        rec = self.last
        if rec is not None:
            zone = self.zones[rec["zone"]]
            t.add_row("zone", "%s (%d of %d)" % (zone["name"], rec["zone"] + 1, len(self.zones)))
            t.add_row("point", "%d of %d in the zone, %d of %d in all" % (
                rec["index"] + 1, zone["points"], self.total, self.planned))
        else:
            t.add_row("points", "%d of %d given" % (self.total, self.planned))
        t.add_row("given", "%.1f µL (the gun's estimate)" % self.delivered_ul)
        left = self.remaining_s()
        t.add_row("remaining", "about %d min %02d s of injection" % (left // 60, left % 60))
        t.add_row("state", self.state + ("  " + self.note if self.note else ""))
        t.add_row("keys", "p pause, Ctrl-C pause and ask (twice: abort)")
        return t

    def status(self, st):
        """The gun's last STATUS (heartbeat)."""
        state = state_name(st["state"])
        if state != self.state:
            self.state = state
            self.draw()

    def zone_done(self, z):
        if self.live is None:
            Progress.zone_done(self, z)

    def draw(self):
        if self.live is not None:
            self.live.update(self._render())
        else:
            Progress.draw(self)

    def _line(self, text):
        if self.live is not None:
            self.live.console.print(text)
        else:
            Progress._line(self, text)

    def pause_view(self):
        """Before a question: the panel stops redrawing (it is drawn again by resume_view)."""
        if self.live is not None:
            self.live.stop()
        Progress.end(self)

    def resume_view(self):
        if self.live is not None:
            self.live.start()

    def end(self):
        if self.live is not None:
            self.live.stop()
            self.live = None
        Progress.end(self)
