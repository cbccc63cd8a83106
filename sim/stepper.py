"""Step executor: runs the firmware's (interval, count, add) segments like the PIO would.

Exact mode schedules one SimPy event per step, at the instant the segment puts it. Fast mode
schedules one event per segment. Both hand steps to the plant as a ramp over the span they
were made in, when someone looks (sync) or the segment ends. Both model the segment queue:
the executor holds fifo_segments ahead. With refill_by "irq" (the rp2 port: the DMA-done
hard IRQ refills the ring, firmware/ports/rp2/steps.py) a freed place is filled
refill_irq_us after the segment ahead of it ends, GC pauses or not; with "timer" a soft
timer every refill_us tops it up and cannot run inside a GC pause. A segment not yet queued
when it is due starts late, and so does every step after it: that lateness is the step
error this module reports (late steps, largest error).

In fast mode with the interrupt refill nothing outside the executor decides when a segment
starts, so an executor whose steps no process waits on (the plunger's: the carriage's wake
the operator as the needle goes in) schedules only two events a move: the end of the
segment before the last, and the move's end, where the per-segment events would have been
scheduled and fired; whoever looks between them (sync) first catches up the segments that
ended by then, in order, as their events would have. Both give the same plant: a look at
the very tick a segment ends applies the same steps either way, and only the move's end,
when the axis stops being active, depends on which came first, which these two events keep.
"""


class Executor:
    def __init__(self, env, clock, gc, params, exact, sink, watched=True):
        self.env = env
        self.clock = clock
        self.gc = gc
        self.exact = exact
        self.depth = params["fifo_segments"]
        self.refill = clock.from_us(params["refill_us"])
        self.irq = params["refill_by"] == "irq"
        self.irq_ticks = clock.from_us(params["refill_irq_us"])
        self.sink = sink  # step(t_s, n, direction) and ramp(t0_s, t1_s, n, direction)
        self.active = False
        self.lazy = not exact and self.irq and not watched
        self.plan = None  # lazy: the move's segments, and the one in self.seg (index)
        self.pk = 0
        self.ideal = 0
        self.shift = 0
        self.t0 = 0
        self.ends = []
        self.seg_end = 0
        self.done = 0
        self.total = 0
        self.direction = 1
        self.gen = 0
        self.late_steps = 0
        self.max_err_ticks = 0
        self.steps_run = 0
        # fast mode: the segment in progress
        self.seg = None  # (start, interval, count, add)
        self.seg_applied = 0
        self.applied_t = 0
        self.k = 0  # exact mode: steps of the current segment made so far

    def move(self, direction, segs, nseg):
        self.sync()
        self.gen += 1
        self.direction = direction
        plan = [(segs[3 * i], segs[3 * i + 1], segs[3 * i + 2]) for i in range(nseg)]
        self.total = sum(c for _, c, _ in plan)
        self.done = 0
        self.active = self.total > 0
        self.seg = None
        if self.active:
            if self.lazy:
                self.env.process(self._lazy(self.gen, plan))
            else:
                run = self._exact if self.exact else self._fast
                self.env.process(run(self.gen, plan))

    def stop(self):
        self.sync()
        self.gen += 1
        self.active = False
        self.seg = None

    def _available(self, k, ends, t0):
        """When segment k is in the queue: at once for the first few, else at the refill
        after segment k - depth has left it (the interrupt's, or the soft timer's)."""
        if k < self.depth:
            return t0
        freed = ends[k - self.depth]
        if self.irq:
            return freed + self.irq_ticks
        r = self.refill
        return self.gc.free_at(-(-freed // r) * r)

    def _late(self, due, start, count):
        if start > due:
            self.late_steps += count
            if start - due > self.max_err_ticks:
                self.max_err_ticks = start - due

    def _exact(self, gen, plan):
        env = self.env
        t0 = env.now
        ideal = t0
        shift = 0
        ends = []
        for k, (interval, count, add) in enumerate(plan):
            start = ideal + shift
            avail = self._available(k, ends, t0)
            if avail > start:
                yield env.timeout(avail - env.now)
                if gen != self.gen:
                    return
                shift = avail - ideal
            if shift:
                self._late(ideal, ideal + shift, count)
            self.seg = (env.now, interval, count, add)
            self.seg_applied = 0
            self.applied_t = env.now
            self.k = 0
            timeout = env.timeout
            for _ in range(count):
                yield timeout(interval)
                if gen != self.gen:
                    return
                self.k += 1
                interval += add
            self._apply(env.now, count)
            self.seg = None
            self.steps_run += count
            ideal += plan[k][0] * count + add * (count * (count - 1) // 2)
            ends.append(env.now)
        self.active = False

    def _fast(self, gen, plan):
        env = self.env
        t0 = env.now
        ideal = t0
        shift = 0
        ends = []
        for k, (interval, count, add) in enumerate(plan):
            start = ideal + shift
            avail = self._available(k, ends, t0)
            if avail > start:
                shift = avail - ideal
                start = avail
            if shift:
                self._late(ideal, start, count)
            span = interval * count + add * (count * (count - 1) // 2)
            self.seg = (start, interval, count, add)
            self.seg_applied = 0
            self.applied_t = start
            yield env.timeout(start + span - env.now)
            if gen != self.gen:
                return
            self._apply(start + span, count)
            self.steps_run += count
            self.seg = None
            ideal += span
            ends.append(start + span)
        self.active = False

    def _lazy(self, gen, plan):
        """Fast mode without per-segment events: the same segments as _fast, set up and
        applied by _begin and _catch_up; the process only wakes where the last segment's
        end is scheduled (the end of the one before it) and at that end."""
        env = self.env
        self.plan = plan
        self.pk = 0
        self.ideal = self.t0 = env.now
        self.shift = 0
        self.ends = []
        self._begin()
        last = len(plan) - 1
        if last > 0:
            yield env.timeout(self._end_of(last - 1) - env.now)
            if gen != self.gen:
                return
            self._catch_up(env.now)
        yield env.timeout(self.seg_end - env.now)
        if gen != self.gen:
            return
        end = self.seg_end
        self._apply(end, self.seg[2])
        self.steps_run += self.seg[2]
        self.seg = None
        self.active = False

    def _end_of(self, k):
        """When segment k will end: the queue's refills are known ahead (interrupt)."""
        ends = list(self.ends)
        ideal, shift = self.ideal, self.shift
        for j in range(self.pk, k + 1):
            interval, count, add = self.plan[j]
            start = ideal + shift
            avail = self._available(j, ends, self.t0)
            if avail > start:
                shift = avail - ideal
                start = avail
            span = interval * count + add * (count * (count - 1) // 2)
            ends.append(start + span)
            ideal += span
        return ends[k]

    def _begin(self):
        """Set up segment pk as _fast does when the one before it ends."""
        k = self.pk
        interval, count, add = self.plan[k]
        start = self.ideal + self.shift
        avail = self._available(k, self.ends, self.t0)
        if avail > start:
            self.shift = avail - self.ideal
            start = avail
        if self.shift:
            self._late(self.ideal, start, count)
        span = interval * count + add * (count * (count - 1) // 2)
        self.seg = (start, interval, count, add)
        self.seg_applied = 0
        self.applied_t = start
        self.seg_end = start + span

    def _catch_up(self, t):
        """Apply every segment but the last that ended by t, as its event would have."""
        last = len(self.plan) - 1
        while self.pk < last and self.seg_end <= t:
            end = self.seg_end
            start, _, count, _ = self.seg
            self._apply(end, count)
            self.steps_run += count
            self.ideal += end - start
            self.ends.append(end)
            self.pk += 1
            self._begin()

    def _steps_by(self, t):
        """Steps of the current segment whose time is at or before t: a short walk on from
        the steps already applied, a bisection when far."""
        start, interval, count, add = self.seg
        k = self.seg_applied
        tk = start + k * interval + add * (k * (k - 1) // 2)  # time of step k (k=0: start)
        iv = interval + add * (k - 1) if k > 0 else interval - add
        for _ in range(16):
            if k >= count:
                return k
            iv += add
            if tk + iv > t:
                return k
            tk += iv
            k += 1
        lo, hi = k, count
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if start + mid * interval + add * (mid * (mid - 1) // 2) <= t:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _apply(self, t, k):
        n = k - self.seg_applied
        if n > 0:
            hz = self.clock.hz
            self.sink.ramp(self.applied_t / hz, t / hz, n, self.direction)
            self.done += n
            self.seg_applied = k
            self.applied_t = t

    def sync(self):
        """Apply the steps of the running segment made by now (exact mode counts them as
        their events fire; fast mode works them out)."""
        if self.seg is not None and self.active:
            now = self.env.now
            if self.lazy:
                self._catch_up(now)
            if now > self.applied_t:
                self._apply(now, self.k if self.exact else self._steps_by(now))

    def moving(self):
        self.sync()
        return self.active

    def steps_done(self):
        self.sync()
        return self.done
