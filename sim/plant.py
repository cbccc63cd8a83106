"""The plunger and fluid plant: lead screw with backlash, compliant stopper, needle, tissue.

Motor steps move the nut; the rod follows once the backlash gap is closed. The rod sweeps
volume; what the needle has not let out yet is stored in the stopper/barrel compliance C
(µL/kPa) as pressure. The stopper slides only above its friction (stiction), and fluid
leaves the needle only above the tissue back-pressure, through the Hagen–Poiseuille
resistance R (kPa·s/µL). With y the pressure above that threshold:

    dy/dt = q/C - y/(R C)   while y > 0;     dy/dt = q/C   otherwise (no flow, no backflow)

for a swept flow q that is constant over a piece, which has a closed form: no integration
error whatever the step. Delivered volume lags the swept volume by C·(qR + threshold) and
keeps flowing for a few τ = R C after the motor stops.
"""

import math


class Plunger:
    def __init__(self, true, um_per_step):
        self.area_mm2 = true["area_mm2"]
        self.c = true["compliance_ul_kpa"]
        self.r = true["resistance_kpa_s_ul"]
        self.tau = self.r * self.c
        self.stiction = true["stiction_kpa"]
        self.stall_kpa = true["stall_kpa"]
        self.backlash_um = true["backlash_um"]
        self.um_per_step = um_per_step * true["lead_scale"]
        self.ul_per_step = self.area_mm2 * self.um_per_step / 1000.0
        self.fill_ul = true["fill_ul"]
        self.steps = 0  # motor position
        self.gap_um = 0.0  # open backlash: forward steps that move nothing
        self.rod_um = 0.0
        self.swept_ul = 0.0
        self.out_ul = 0.0  # left the needle since the start
        self.y = 0.0  # pressure above the flow threshold, kPa (negative: no flow)
        self.tissue_kpa = 0.0
        self.y = -self.stiction  # at rest: nothing stored, no pressure
        self.occluded = False
        self.t = 0.0  # time the state refers to, s

    # -- state read by sensors ------------------------------------------------
    def threshold(self):
        return self.stiction + self.tissue_kpa

    def pressure_kpa(self):
        """Line pressure in the syringe (above the stopper's friction)."""
        p = self.y + self.tissue_kpa
        return p if p > 0.0 else 0.0

    def empty(self):
        return self.swept_ul >= self.fill_ul

    def stalled(self):
        return self.y + self.threshold() > self.stall_kpa

    # -- dynamics -------------------------------------------------------------
    def advance(self, t, q_ul_s=0.0):
        """Bring the fluid state to time t with the rod sweeping q µL/s since self.t.

        Returns the volume that left the needle over the piece."""
        dt = t - self.t
        if dt <= 0.0:
            return 0.0
        self.t = t
        if self.occluded:
            self.y += q_ul_s * dt / self.c
            return 0.0
        c, r, tau = self.c, self.r, self.tau
        y0 = self.y
        if y0 <= 0.0:
            if q_ul_s <= 0.0:
                self.y = y0 + q_ul_s * dt / c
                return 0.0
            t_cross = -y0 * c / q_ul_s
            if t_cross >= dt:
                self.y = y0 + q_ul_s * dt / c
                return 0.0
            dt -= t_cross
            y0 = 0.0
        target = q_ul_s * r
        if target < 0.0:
            # Pulling back: the pressure falls through zero at t0, flow stops there.
            t0 = tau * math.log((y0 - target) / -target)
            if t0 < dt:
                out = q_ul_s * t0 + c * y0  # swept minus the change in stored volume
                self.y = q_ul_s * (dt - t0) / c
                self.out_ul += out
                return out
        y1 = target + (y0 - target) * math.exp(-dt / tau)
        out = q_ul_s * dt - c * (y1 - y0)
        self.y = y1
        self.out_ul += out
        return out

    def set_threshold(self, t, tissue_kpa):
        """Change the back-pressure (needle in or out of the skin) at time t."""
        self.advance(t)
        self.y += self.tissue_kpa - tissue_kpa
        self.tissue_kpa = tissue_kpa

    def motor_steps(self, t, n, direction):
        """n steps at once at time t (exact mode, one step at a time, or a remainder)."""
        self.advance(t)
        self.steps += n * direction
        self.y += self._rod(n * direction) / self.c

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
        self.advance(t0)
        t0 = self.t
        self.steps += n * direction
        if t1 <= t0:
            self.y += self._rod(n * direction) / self.c
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
