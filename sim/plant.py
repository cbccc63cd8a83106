"""The plunger and fluid plant: lead screw with backlash, compliant line, needle, tissue.

Motor steps move the nut; the rod follows once the backlash gap is closed. The rod sweeps
volume; what the needle has not let out yet is held by the line as stored volume V (µL):
the stopper and barrel compliance with the drive train's spring in series (C, µL/kPa), and
any air in the fill, compressed isothermally. The stopper's friction loads the same
compliance before it slides, so at gauge pressure P

    V = C·(P + P_f) + a0·P/(P0 + P)          (P > 0; P = 0 while V <= C·P_f)

with P_f the glide force over the bore's area and a0 the air at atmospheric pressure P0.
Fluid leaves the needle above the tissue back-pressure P_t, through a power-law fluid's
tube flow Q = kq·(P - P_t)^(1/n) (Hagen–Poiseuille for n = 1), and, in the skin, above a
further leak_kpa some leaks back along the needle. dV/dt = q - Q(V) is stepped with the
flow linearised over sub-steps of a tenth of the local time constant (exact for a
Newtonian fluid without air), so volume is conserved to rounding whatever the step.
"""

import math

P_ATM_KPA = 101.325
SUBSTEP = 0.1  # sub-step, as a share of the local time constant dV/dQ


class Plunger:
    def __init__(self, true, um_per_step):
        self.area_mm2 = true["area_mm2"]
        self.c = true["compliance_ul_kpa"]
        self.stiction = true["stiction_kpa"]
        self.n = true.get("fluid_n", 1.0)
        if "flow_coeff" in true:
            self.kq = true["flow_coeff"]
        else:
            self.kq = 1.0 / true["resistance_kpa_s_ul"]
        self.r = (10.0 / self.kq) ** self.n / 10.0  # kPa·s/µL at 10 µL/s (reporting)
        self.tau = self.r * self.c
        self.leak_kpa = true.get("leak_kpa", 1e12)
        self.leak_g = 1.0 / true.get("leak_kpa_s_ul", 1e12)
        self.air_ul = true.get("air_ul", 0.0)
        self.stall_kpa = true["stall_kpa"]
        self.backlash_um = true["backlash_um"]
        self.um_per_step = um_per_step * true["lead_scale"]
        self.ul_per_step = self.area_mm2 * self.um_per_step / 1000.0
        self.fill_ul = true["fill_ul"]
        self.steps = 0  # motor position
        self.gap_um = 0.0  # open backlash: forward steps that move nothing
        self.rod_um = 0.0
        self.swept_ul = 0.0
        self.out_ul = 0.0  # left the needle since the start (leak included)
        self.leak_ul = 0.0  # of which leaked back along the needle (outside the skin)
        self.v = 0.0  # stored volume; 0: seated at rest, nothing stored
        self.tissue_kpa = 0.0
        self.in_skin = False
        self.occluded = False
        self.t = 0.0  # time the state refers to, s
        self._open_kpa = None  # advance(): the tissue pressure and air _open_v was worked for
        self._open_air = None
        self._open_v = 0.0

    # -- state read by sensors ------------------------------------------------
    def threshold(self):
        return self.tissue_kpa

    def _p(self, v):
        """Gauge pressure at stored volume v."""
        w = v - self.c * self.stiction
        if w <= 0.0:
            return 0.0
        a = self.air_ul
        if a <= 0.0:
            return w / self.c
        b = self.c * P_ATM_KPA + a - w
        return (-b + math.sqrt(b * b + 4.0 * self.c * w * P_ATM_KPA)) / (2.0 * self.c)

    def _v(self, p):
        """Stored volume at gauge pressure p >= 0."""
        return self.c * (p + self.stiction) + self.air_ul * p / (P_ATM_KPA + p)

    def pressure_kpa(self):
        """Line pressure in the syringe (the sensor's reading, before rounding)."""
        return self._p(self.v)

    def stored_ul(self):
        return self.v

    def empty(self):
        return self.swept_ul >= self.fill_ul

    def stalled(self):
        return self._p(self.v) + self.stiction > self.stall_kpa

    # -- dynamics -------------------------------------------------------------
    def _flow(self, p):
        """(outflow µL/s, leak share of it, dQ/dV) at pressure p."""
        dp = p - self.tissue_kpa
        if dp <= 0.0:
            return 0.0, 0.0, 0.0
        inv_n = 1.0 / self.n
        q = self.kq * dp ** inv_n
        dq = inv_n * q / dp
        leak = 0.0
        if self.in_skin and dp > self.leak_kpa:
            leak = (dp - self.leak_kpa) * self.leak_g
            dq += self.leak_g
        dpdv = 1.0 / (self.c + self.air_ul * P_ATM_KPA / (P_ATM_KPA + p) ** 2)
        return q + leak, leak, dq * dpdv

    def advance(self, t, q_ul_s=0.0):
        """Bring the fluid state to time t with the rod sweeping q µL/s since self.t.

        Returns the volume that left the needle over the piece."""
        dt = t - self.t
        if dt <= 0.0:
            return 0.0
        self.t = t
        if self.occluded:
            self.v += q_ul_s * dt
            return 0.0
        out = 0.0
        # Stored volume at which flow starts, kept while the tissue and the air stay.
        if self.tissue_kpa != self._open_kpa or self.air_ul != self._open_air:
            self._open_kpa = self.tissue_kpa
            self._open_air = self.air_ul
            self._open_v = self._v(self.tissue_kpa)
        v_open = self._open_v
        while dt > 0.0:
            v0 = self.v
            if v0 <= v_open:
                if q_ul_s <= 0.0:
                    self.v = v0 + q_ul_s * dt
                    break
                need = (v_open - v0) / q_ul_s
                if need >= dt:
                    self.v = v0 + q_ul_s * dt
                    break
                self.v = v_open * (1.0 + 1e-12) + 1e-12
                dt -= need
                continue
            flow, leak, k = self._flow(self._p(v0))
            h = dt if k * dt <= SUBSTEP else SUBSTEP / k
            drive = q_ul_s - flow
            kh = k * h
            v1 = v0 + (drive * -math.expm1(-kh) / k if kh > 1e-9 else drive * h)
            if v1 < v_open:
                # The pressure falls to the tissue's within the sub-step: flow stops there.
                frac = (v_open - v0) * k / drive if k > 0.0 else 0.0
                if k * h > 1e-9 and 0.0 <= frac < 1.0:
                    s = -math.log1p(-frac) / k
                else:
                    s = (v_open - v0) / drive if drive < 0.0 else h
                s = min(s, h)
                v1 = v_open
                h = s
            piece = q_ul_s * h - (v1 - v0)
            if piece < 0.0:  # noqa: PLR1730 - max(piece, 0.0) without the call, once a sub-step
                piece = 0.0
            self.v = v1
            out += piece
            if leak > 0.0:
                self.leak_ul += piece * leak / flow
            dt -= h
        self.out_ul += out
        return out

    def set_threshold(self, t, tissue_kpa, in_skin=None):
        """Change the back-pressure (needle in or out of the skin) at time t."""
        self.advance(t)
        self.tissue_kpa = tissue_kpa
        self.in_skin = tissue_kpa > 0.0 if in_skin is None else in_skin

    def motor_steps(self, t, n, direction):
        """n steps at once at time t (exact mode, one step at a time, or a remainder)."""
        self.advance(t)
        self.steps += n * direction
        self.v += self._rod(n * direction)

    def _rod(self, n):
        """Move the nut by n steps; return the volume the rod swept (after backlash)."""
        um = n * self.um_per_step
        if um > 0.0 and (self.stalled() or self.empty()):
            return 0.0  # the motor skips, or the stopper sits on the barrel's end
        if um >= 0.0:
            take = um if um < self.gap_um else self.gap_um
            self.gap_um -= take
            um -= take
        else:
            room = self.backlash_um - self.gap_um
            take = -um if -um < room else room
            self.gap_um += take
            um += take
        self.rod_um += um
        vol = um * self.area_mm2 / 1000.0
        self.swept_ul += vol
        return vol

    def ramp(self, t0, t1, n, direction):
        """n steps spread evenly over [t0, t1] (fast mode): backlash first, then a sweep.

        The fluid may already have been brought past t0 (a sensor read): the steps then
        spread over what is left of the span, so no swept volume is lost."""
        if t0 > self.t:
            self.advance(t0)
        t0 = self.t
        self.steps += n * direction
        if t1 <= t0:
            self.v += self._rod(n * direction)
            return
        rate = n / (t1 - t0)
        if direction > 0:
            gap_steps = self.gap_um / self.um_per_step
        else:
            gap_steps = (self.backlash_um - self.gap_um) / self.um_per_step
        if gap_steps > 0.0:
            g = gap_steps if gap_steps < n else float(n)
            tg = t0 + g / rate
            self.advance(tg)
            if direction > 0:
                self.gap_um -= g * self.um_per_step
            else:
                self.gap_um += g * self.um_per_step
            self.gap_um = min(max(self.gap_um, 0.0), self.backlash_um)
            t0, n = tg, n - g
        if n <= 0.0:
            self.advance(t1)
            return
        if direction > 0 and (self.stalled() or self.empty()):
            self.advance(t1)
            return
        um = n * self.um_per_step * direction
        vol = um * self.area_mm2 / 1000.0
        self.rod_um += um
        self.swept_ul += vol
        self.advance(t1, vol / (t1 - t0))
