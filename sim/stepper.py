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

from simpy.events import URGENT, Event


class _Start(Event):
    """Starts a run at once, before anything else due now, as simpy starts a process."""

    def __init__(self, env, callback):
        self.env = env
        self.callbacks = [callback]
        self._value = None
        self._ok = True
        env.schedule(self, URGENT)


class _FastRun:
    """Fast mode, one event a segment: each segment's end is a timeout's callback,
    scheduled and fired where a process's timeout would be (no generator to resume)."""

    def __init__(self, ex, gen, plan):
        self.ex = ex
        self.gen = gen
        self.plan = plan
        self.k = 0
        self.ends = []
        self.shift = 0
        self.t0 = self.ideal = self.end = self.span = self.count = 0
        _Start(ex.env, self._first)

    def _first(self, _):
        self.t0 = self.ideal = self.ex.env.now
        self._next()

    def _next(self):
        ex = self.ex
        k = self.k
        if k >= len(self.plan):
            ex.active = False
            return
        interval, count, add = self.plan[k]
        start = self.ideal + self.shift
        avail = ex._available(k, self.ends, self.t0)
        if avail > start:
            self.shift = avail - self.ideal
            start = avail
        if self.shift:
            ex._late(self.ideal, start, count)
        span = interval * count + add * (count * (count - 1) // 2)
        ex.seg = (start, interval, count, add)
        ex.seg_applied = 0
        ex.applied_t = start
        self.end = start + span
        self.span = span
        self.count = count
        env = ex.env
        env.timeout(self.end - env.now).callbacks.append(self._done)

    def _done(self, _):
        ex = self.ex
        if self.gen != ex.gen:
            return
        ex._apply(self.end, self.count)
        ex.steps_run += self.count
        ex.seg = None
        self.ideal += self.span
        self.ends.append(self.end)
        self.k += 1
        self._next()


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
        self.plan = None  # lazy: the move's segments, their times, the one in self.seg
        self.sched = None
        self.pk = 0
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
        self.total = sum(segs[1:3 * nseg:3])
        self.done = 0
        self.active = self.total > 0
        self.seg = None
        if self.active:
            if self.lazy:
                self.env.process(self._lazy(self.gen, plan))
            elif self.exact:
                self.env.process(self._exact(self.gen, plan))
            else:
                _FastRun(self, self.gen, plan)

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

    def _lazy(self, gen, plan):
        """Fast mode without per-segment events: the same segments as _FastRun, laid out at
        once (the interrupt's refills are known ahead) and applied by _catch_up; the process
        only wakes where the last segment's end is scheduled (the end of the one before
        it) and at that end."""
        env = self.env
        t0 = env.now
        depth, irq = self.depth, self.irq_ticks
        ideal = t0
        shift = 0
        sched = []  # (start, end, ideal start) of each segment, as _FastRun works them out
        ends = []
        for k, (interval, count, add) in enumerate(plan):
            start = ideal + shift
            avail = t0 if k < depth else ends[k - depth] + irq  # _available, interrupt
            if avail > start:
                shift = avail - ideal
                start = avail
            span = interval * count + add * (count * (count - 1) // 2)
            sched.append((start, start + span, ideal))
            ends.append(start + span)
            ideal += span
        self.plan = plan
        self.sched = sched
        self.pk = 0
        self._begin()
        last = len(plan) - 1
        if last > 0:
            yield env.timeout(sched[last - 1][1] - env.now)
            if gen != self.gen:
                return
            self._catch_up(env.now)
        yield env.timeout(self.seg_end - env.now)
        if gen != self.gen:
            return
        count = self.seg[2]
        self._apply(self.seg_end, count)
        self.steps_run += count
        self.seg = None
        self.active = False

    def _begin(self):
        """Set up segment pk as _FastRun does when the one before it ends."""
        k = self.pk
        interval, count, add = self.plan[k]
        start, end, due = self.sched[k]
        if start > due:
            self._late(due, start, count)
        self.seg = (start, interval, count, add)
        self.seg_applied = 0
        self.applied_t = start
        self.seg_end = end

    def _catch_up(self, t):
        """Apply every segment but the last that ended by t, as its event would have."""
        last = len(self.plan) - 1
        if self.pk >= last or self.seg_end > t:
            return
        # _apply() and _begin() written out: this runs once a segment.
        hz = self.clock.hz
        ramp = self.sink.ramp
        plan, sched = self.plan, self.sched
        while self.pk < last and self.seg_end <= t:
            end = self.seg_end
            count = self.seg[2]
            n = count - self.seg_applied
            if n > 0:
                ramp(self.applied_t / hz, end / hz, n, self.direction)
                self.done += n
            self.steps_run += count
            k = self.pk = self.pk + 1
            interval, count, add = plan[k]
            start, self.seg_end, due = sched[k]
            if start > due:
                self._late(due, start, count)
            self.seg = (start, interval, count, add)
            self.seg_applied = 0
            self.applied_t = start

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
