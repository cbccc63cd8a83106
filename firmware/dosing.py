"""Plunger steps for each shot: running total, backlash, priming, flow cap, relief.

The stopper's target is computed from the cumulative commanded volume, so per-shot rounding
never accumulates. Between shots the plunger backs off (anti-drip relief) and, in
compensated mode, the lead screw's backlash opens on every reversal: the next dose first
takes that slack up. Naive mode models no backlash (the motor position is the stopper's).

Given the protocol's fluid (needle gauge and length, viscosity), the dose model also knows
the line: the needle's Hagen–Poiseuille resistance R and the syringe's nominal compliance
C. safe_flow_nl_s() is the fastest flow that keeps the line well under the board's
occlusion limit. In compensated mode the model pre-loads the compliance on the first dose
of a syringe (priming: the volume C holds at the pressure a dose leaves behind, which never
reaches the skin) and sizes the relief to empty what C holds. A dose cut by a fault is
rebased, never caught up. All in integers; planning may allocate, the shot path only reads
the planned step count.
"""

from firmware import line as pressure_line
from firmware.compat import const
from firmware.hal import FORWARD
from firmware.units import PI_DEN, PI_NUM, PPM, PlungerScale, div_round, exp_neg_ppm
from firmware.wire.modes import COMPENSATED, NAIVE  # noqa: F401 - the dosing modes, by name
from firmware.wire.modes import DOSING_NAMES as MODE_NAMES  # noqa: F401

# Inner diameter in µm of thin-wall needles, by gauge.
NEEDLE_ID_UM = ((25, 311), (26, 292), (27, 241), (28, 216), (29, 184), (30, 165), (31, 140),
                (32, 125), (33, 110), (34, 90))
HUB_UM = const(2000)  # cannula inside the hub: part of the flow path
# Nominal figures, as a syringe maker's sheet would round them: the true ones differ from
# syringe to syringe and lot to lot; with a pressure sensor the gun measures C (line.py).
# Stopper, barrel and drive compliance in nL per bar, by volume in mL.
COMPLIANCE_NL_BAR = ((1, 10000), (3, 40000), (5, 100000), (10, 200000))
STICTION_KPA = const(4)  # allowance for friction in the line-pressure budget (the glide
# force itself loads the compliance before the stopper slides: line.py measures that)
TISSUE_KPA = pressure_line.TISSUE_KPA  # back-pressure of the dermis at the tip
BUDGET_PCT = const(50)  # share of the board's occlusion limit a dose may use
RELIEF_MARGIN_PCT = const(150)  # relief empties this much of what the compliance holds


def _lookup(table, key):
    best = table[0]
    for row in table:
        if abs(row[0] - key) < abs(best[0] - key):
            best = row
    return best[1]


class Line:
    """The fluid path of a protocol: needle resistance R = r_num / r_den kPa·s/µL, and C."""

    def __init__(self, syringe, gauge, needle_um, viscosity_milli):
        id_um = _lookup(NEEDLE_ID_UM, gauge)
        # R = 8 µ L / (π r⁴) = 128 µ L / (π d⁴): with µ in thousandths of mPa·s and L, d
        # in µm, that is kPa·s/µL.
        self.r_num = 128 * viscosity_milli * (needle_um + HUB_UM) * PI_DEN
        self.r_den = PI_NUM * id_um * id_um * id_um * id_um
        self.c_nl_bar = compliance_nl_bar(syringe)

    def same(self, other):
        """Whether other is the same needle and fluid on the same syringe."""
        return other is not None and self.r_num == other.r_num and \
            self.r_den == other.r_den and self.c_nl_bar == other.c_nl_bar

    def pressure_kpa(self, flow_nl_s):
        """Line pressure the needle needs for a flow (above the tissue's)."""
        return div_round(flow_nl_s * self.r_num, self.r_den * 1000)

    def flow_nl_s(self, kpa):
        """Flow the needle passes at a pressure."""
        return kpa * self.r_den * 1000 // self.r_num

    def tau_us(self):
        # R [kPa·s/µL] · C [µL/kPa]: C = c_nl_bar / 100 / 1000 µL/kPa.
        return self.r_num * self.c_nl_bar * 10 // self.r_den

    def held_nl(self, kpa):
        """Volume the compliance holds at a pressure."""
        return self.c_nl_bar * kpa // 100


def compliance_nl_bar(syringe):
    """Stopper and barrel compliance of a syringe of that size, nL per bar."""
    return _lookup(COMPLIANCE_NL_BAR, syringe.volume_nl // 1000000)


def safe_flow_nl_s(board, line):
    """Fastest dose flow whose line pressure stays within BUDGET_PCT of the board's
    occlusion limit, tissue and stopper friction included (for limits and protocols)."""
    budget = board.pressure_max_kpa * BUDGET_PCT // 100 - STICTION_KPA - TISSUE_KPA
    return line.flow_nl_s(budget if budget > 1 else 1)


def model_relief_nl(board, line):
    """The relief the dose model sizes from the nominal line: what C holds at the safe
    flow's pressure, friction and tissue included, with RELIEF_MARGIN_PCT."""
    p_ss = line.pressure_kpa(safe_flow_nl_s(board, line))
    return line.held_nl(STICTION_KPA + TISSUE_KPA + p_ss) * RELIEF_MARGIN_PCT // 100


class Dosing:
    def __init__(self, board, syringe, mode=COMPENSATED, cal_ppm=PPM, backlash_steps=None,
                 fluid=None):
        self.mode = mode
        self.scale = PlungerScale(board.plunger, syringe.bore_um, cal_ppm)
        if backlash_steps is None:
            backlash_steps = board.plunger.backlash_steps
        self.backlash = backlash_steps if mode == COMPENSATED else 0
        self.relief_steps = board.plunger.um_to_steps(board.relief_um)
        self.prime_nl = 0
        self.line = None
        self.ref = None  # pressure reference (line.py), compensated mode with a fluid
        self.take_steps = 0  # of the next dose, the steps that take the last relief up
        if fluid is not None:
            self.line = Line(syringe, fluid[0], fluid[1], fluid[2])
            self.max_flow_nl_s = safe_flow_nl_s(board, self.line)
            if mode == COMPENSATED:
                self.compensate(board)
                self.ref = pressure_line.Reference(self, board, syringe)
        self.reset()

    def compensate(self, board):
        """Priming and relief from the line model at the capped flow and the board's hold."""
        line = self.line
        p_ss = line.pressure_kpa(self.max_flow_nl_s)
        # The dose leaves what a flow up to the safe one builds; faster flows fault anyway.
        tau = line.tau_us()
        left = p_ss * exp_neg_ppm(board.hold_ms * 1000, tau if tau > 0 else 1) // PPM
        self.prime_nl = line.held_nl(STICTION_KPA + TISSUE_KPA + left)
        steps = self.scale.steps(model_relief_nl(board, line)) + self.backlash
        if steps > self.relief_steps:
            self.relief_steps = steps

    def reset(self):
        """A fresh syringe: stopper at zero, backlash closed in the forward direction."""
        self.stopper = 0  # modelled stopper position, steps
        self.dose_end = 0  # where the last forward move left it, steps
        self.slack = 0  # open backlash that a forward move takes up first, steps
        self.base_nl = 0  # commanded volume that was never swept (shots cut by a fault)
        self.cut = False  # a rebase waits for the next planning
        self.cut_total_nl = 0
        self.cut_stopper = 0
        self.cut_kpa = -1
        if self.ref is not None:
            self.ref.due = True
            self.ref.ok = False
            self.ref.fast = False

    def follow(self, old, syringe_nl):
        """Carry on from another protocol's model on the same syringe, whose running total
        stands at syringe_nl: the plunger stands backed off by that protocol's last relief
        and its compliance was charged for that protocol's fluid. Without this the first dose
        would start from a seated stopper and come out short by the relief. Frames in steps
        may differ (a new calibration), so only the position relative to the last dose's end
        is carried; the running total restarts here."""
        self.base_nl = syringe_nl
        self.stopper = old.stopper - old.dose_end + self.scale.steps(old.prime_nl)
        self.dose_end = self.scale.steps(old.prime_nl)
        self.slack = old.slack if old.slack < self.backlash else self.backlash
        if self.ref is not None:
            # Primed for the same syringe: the reference state is the syringe's, whatever
            # the fluid; it holds if the last protocol's shots ended on it.
            old_ref = old.ref
            same = self.line.same(old.line)
            if old_ref is not None and not old_ref.ok and not old_ref.fast and not old_ref.due:
                self.ref.due = False  # not primed on this syringe (no reading): model only
            if old_ref is not None and old_ref.fast and not old_ref.due:
                # A fast line (firmware/settle.py) stays primed too: the new frame's zero
                # state is where the last dose's top-ups started from.
                r = self.ref
                r.fast = True
                r.due = False
                r.c_nl_kpa = old_ref.c_nl_kpa
                r.tau_us = old_ref.tau_us
                r.q_w_nl_s = old_ref.q_w_nl_s
                r.steps_w = self.scale.steps(r.c_nl_kpa * r.hold_kpa)
                r.settle.set(old_ref.settle.tau_us, self.scale.steps(r.c_nl_kpa * 256),
                             r.limit_kpa)
                self.prime_nl = 0
                if old.relief_steps > self.relief_steps:
                    self.relief_steps = old.relief_steps
                held = self.scale.steps(r.c_nl_kpa * old_ref.settle.done_kpa)
                self.stopper = old.stopper - old.dose_end + held
                self.dose_end = held
            if old_ref is not None and old_ref.ok and not old_ref.due:
                self.ref.ok = True
                self.ref.due = False
                self.ref.c_nl_kpa = old_ref.c_nl_kpa
                if same:
                    # The same needle and fluid: what priming measured on them still holds
                    # (without it the doses swept at the zone's flow and the holds ended
                    # with no let-out counted: the first shot 10 % long on a burst line).
                    self.ref.carry(old_ref)
                self.prime_nl = 0
                if old.relief_steps > self.relief_steps:
                    self.relief_steps = old.relief_steps
                self.stopper = old.stopper - old.dose_end
                self.dose_end = 0
            r = self.ref
            if (r.ok or r.fast) and not same:
                # Another needle (fitted dry) or fluid: its flow, its fall in air and a fast
                # line's tau are not the ones measured. Primed again before the first shot,
                # from where the last protocol left the plunger.
                r.due = True

    def dose_steps(self, total_nl_after):
        """Forward motor steps that bring the stopper to the running total's position."""
        if self.cut:
            self._apply_cut()
        nl = total_nl_after - self.base_nl
        if nl > 0:
            nl += self.prime_nl
        steps = self.scale.steps(nl) - self.stopper + self.slack
        take = self.dose_end - self.stopper + self.slack
        self.take_steps = take if take > 0 else 0
        return steps if steps > 0 else 0

    def leave_out(self, steps):
        """The next dose's take-up leaves steps of the last relief out: the model counts
        them as made (the stopper stays behind by them until the line is primed again)."""
        self.stopper += steps
        self.take_steps -= steps

    def rate_sps(self, flow_nl_s):
        """Plunger speed for a dose flow."""
        return self.scale.rate_sps(flow_nl_s)

    def rebase(self, total_nl, kpa=-1):
        """A fault cut a dose short: the session counts it as given, so the stopper stands
        for total_nl now and the next dose must not catch up what this one missed.

        Compensated, with the line pressure at the cut (kPa, -1 if unknown): what the
        compliance held beyond its usual charge comes out on the next dose, which sweeps
        that much less. Runs in the trip, so it only notes small ints; the next planning
        (dose_steps) does the arithmetic."""
        self.cut_total_nl = total_nl
        self.cut_stopper = self.stopper
        self.cut_kpa = kpa
        self.cut = True
        if self.ref is not None and (self.ref.ok or self.ref.fast):
            self.ref.due = True  # the line's state is lost: prime again before the next shot

    def _apply_cut(self):
        self.cut = False
        swept = self.scale.nl(self.cut_stopper) - self.prime_nl
        if self.mode == COMPENSATED and self.line is not None and self.cut_kpa >= 0:
            swept -= self.line.held_nl(self.cut_kpa + STICTION_KPA) - self.prime_nl
        self.base_nl = self.cut_total_nl - (swept if swept > 0 else 0)

    def moved(self, direction, steps):
        """Account for steps the motor actually made in a direction."""
        if direction == FORWARD:
            take = steps if steps < self.slack else self.slack
            self.slack -= take
            self.stopper += steps - take
            self.dose_end = self.stopper
        else:
            opening = self.backlash - self.slack
            take = steps if steps < opening else opening
            self.slack += take
            self.stopper -= steps - take

    def delivered_nl(self):
        """Volume swept by the modelled stopper since the syringe was fitted."""
        return self.scale.nl(self.stopper)
