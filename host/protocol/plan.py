"""Figures of a valid protocol: points, volumes, syringe fills and injection time per zone.

Shot times come from firmware.limits.shot_parts_us (firmware/shottime.py: the moves the gun
plans and the hold it makes on the protocol's line); a point-mode shot takes the longer of
its pace and that time, and each fill is primed before its first shot (the line again
after a perfusion zone). The estimate is injection time only: moving between zones and
refilling are the practitioner's.
"""

from firmware import fill, limits, units


class ZonePlan:
    def __init__(self, name, mode, preset, points, depth_mm, dose_ul, volume_ul, shot_ms,
                 time_s, grid, pace_ms, flow_ul_s):
        self.name = name
        self.mode = mode
        self.preset = preset
        self.points = points
        self.depth_mm = depth_mm
        self.dose_ul = dose_ul
        self.volume_ul = volume_ul
        self.shot_ms = shot_ms
        self.time_s = time_s
        self.grid = grid  # (rows, cols, spacing_mm) or None
        self.pace_ms = pace_ms  # time from one shot to the next (burst: from its rate)
        self.flow_ul_s = flow_ul_s
        self.line_flow = False  # no flow_ul_s: the line's fastest flow, below the board's
        self.prime_ms = 0  # priming a fill of this line before its first shot
        self.shot = None  # firmware/shottime.py's ShotTime: what a shot is made of


class Plan:
    def __init__(self, proto, board):
        board = proto.use_board(board)
        head = proto.core()["protocol"]
        self.name = head["name"]
        self.product = proto.head.get("product")
        self.syringe_ml = head["syringe_ml"]
        self.needle_mm = head["needle_mm"]
        syringe = board.syringe(head["syringe_ml"])
        self.zones = [_zone(board, head, syringe, z) for z in proto.zones]
        self.points = sum(z.points for z in self.zones)
        self.volume_ul = sum(z.volume_ul for z in self.zones)
        # The gun's own account of the plunger's travel (firmware/fill.py), reserve included:
        # (zone, point) of the last point of each fill, refills wherever the next would not fit.
        ends, primes = fill.account(board, proto.core())
        self.fill_ends = ends or []
        self.fills = max(1, len(self.fill_ends))
        # The same account counts the primings: each fill's, in air before its first shot
        # (the same line for every zone), and the line's again after a perfusion insertion.
        self.primes = primes
        self.prime_s = self.primes * self.zones[0].prime_ms / 1000 if self.zones else 0.0
        self.time_s = sum(z.time_s for z in self.zones) + self.prime_s

    @property
    def refills(self):
        return self.fills - 1

    @property
    def refill_at(self):
        """[(zone name, point number)] before which the gun asks for a full syringe."""
        out = []
        for zi, i in self.fill_ends[:-1]:
            if i + 1 < self.zones[zi].points:
                out.append((self.zones[zi].name, i + 2))
            else:
                out.append((self.zones[zi + 1].name, 1))
        return out

    def refill_points(self):
        """Where the gun asks for each refill, as text: after which zone and point."""
        return ["after %s point %d of %d" % (_quoted(self.zones[zi].name), i + 1,
                                              self.zones[zi].points)
                for zi, i in self.fill_ends[:-1]]


def _quoted(name):
    return '"%s"' % name


def _zone(board, head, syringe, z):
    c = z.core
    mode = c["mode"]
    flow_nl_s = limits.zone_flow_nl_s(board, syringe, c, head)
    depth_um = units.milli(c["depth_mm"])
    dose_nl = units.milli(c["dose_ul"])
    hold_ms = c.get("hold_ms", -1)
    shot = limits.shot_parts_us(board, syringe, head, depth_um, dose_nl, flow_nl_s, hold_ms)
    shot_ms = shot.total_ms()
    if mode == "point":
        each_ms = max(c["pace_ms"], shot_ms)
    elif mode == "burst":
        each_ms = max(60000 / c["rate_per_min"], shot_ms)
    elif mode == "continuous":
        each_ms = c["duration_s"] * 1000 + limits.shot_time_ms(board, syringe, head, depth_um, 0,
                                                               flow_nl_s, hold_ms)
    else:
        each_ms = c["bolus_every_s"] * 1000
    volume_nl = z.volume_nl()
    zp = ZonePlan(c["name"], mode, z.preset.name if z.preset else None, c["points"],
                  c["depth_mm"], c["dose_ul"], volume_nl / 1000, shot_ms,
                  c["points"] * each_ms / 1000, z.grid, round(each_ms), flow_nl_s / 1000)
    zp.line_flow = limits.flow_from_line(board, syringe, c, head)
    zp.prime_ms = (shot.prime_us + 999) // 1000
    zp.shot = shot
    return zp


def line_flow_notes(plan):
    """One line per zone that gives no flow_ul_s and doses at what its needle passes."""
    return ["zone %s: no flow_ul_s: doses at %s µL/s at most, the fastest its line passes "
            "within the pressure budget; a shot takes %d ms = %s"
            % (_quoted(z.name), _g(round(z.flow_ul_s, 2)), z.shot_ms, z.shot.words())
            for z in plan.zones if z.line_flow]


def _clock(seconds):
    m, s = divmod(round(seconds), 60)
    return "%d min %02d s" % (m, s)


def text(plan):
    """The plan as the table `meso plan` prints."""
    head = "%s  (%s mL syringe, %s mm needle)" % (plan.name, _g(plan.syringe_ml),
                                                 _g(plan.needle_mm))
    lines = [head]
    if plan.product:
        lines.append("product: %s" % plan.product)
    name_w = max([len("total")] + [len(z.name) for z in plan.zones])
    fmt = "%-" + str(name_w) + "s %-10s %-14s %6s %8s %7s %9s %7s %9s %10s"
    lines.append(fmt % ("zone", "mode", "preset", "points", "depth_mm", "dose_ul",
                        "flow_ul_s", "pace_ms", "volume_ul", "time"))
    for z in plan.zones:
        lines.append(fmt % (z.name, z.mode, z.preset or "-", z.points, _g(z.depth_mm),
                            _g(z.dose_ul), _g(z.flow_ul_s), z.pace_ms,
                            _g(round(z.volume_ul, 1)), _clock(z.time_s)))
    lines.append(fmt % ("total", "", "", plan.points, "", "", "", "",
                        _g(round(plan.volume_ul, 1)), _clock(plan.time_s)))
    lines.append("syringe fills: %d (%d refill%s)" % (plan.fills, plan.refills,
                                                    "" if plan.refills == 1 else "s"))
    for n, (zi, i) in enumerate(plan.fill_ends):
        z = plan.zones[zi]
        lines.append("  fill %d: up to %s point %d of %d" % (n + 1, _quoted(z.name),
                                                                 i + 1, z.points))
    lines.append("estimated injection time: %s (priming included, %s s; moving between zones "
                 "and refills not counted)" % (_clock(plan.time_s), _g(round(plan.prime_s, 1))))
    lines.extend(line_flow_notes(plan))
    return "\n".join(lines)


def _g(x):
    return "%g" % x


def timing(zp, zone):
    """A zone's rhythm and duration in words, as the preview prints it under each panel."""
    c = zone.core
    if zp.mode == "burst":
        rhythm = "burst at %g shots/min (one every %d ms)" % (c["rate_per_min"], zp.pace_ms)
    elif zp.mode == "continuous":
        rhythm = "%g µL/s for %g s a point" % (round(zp.flow_ul_s, 2), c["duration_s"])
    elif zp.mode == "perfusion":
        rhythm = "a bolus every %g s" % c["bolus_every_s"]
    else:
        rhythm = "one shot every %d ms" % zp.pace_ms
    return "%s; zone about %s" % (rhythm, _clock(zp.time_s))
