"""When the firmware raises: the gun is made safe first (both axes stopped, pressure relieved,
needle retracted, or if even that fails the drivers released), alarms, writes one line to a
bounded crash log, and latches a fault when the crashes come in a loop.

boot.py hands every exception out of the app and the link to CrashGuard.crashed(); a gun
that cannot even be built goes to build_failed(). A paired gun never leaves for the REPL
because something failed: only a signed MAINT opens it.
"""

from firmware import ticks
from firmware.compat import const
from firmware.hal import AXIS_CARRIAGE, AXIS_PLUNGER, OUT_ALARM
from firmware.wire import faults
from firmware.wire.states import FAULT, SAFING

LOG = "crash.log"
OLD = "crash.log.1"  # the log before the last rotation: at most 2 x LOG_MAX bytes in all
LOG_MAX = const(2048)
LOOP_CRASHES = const(3)  # this many crashes within LOOP_MS is a crash loop
LOOP_MS = const(600000)
SAFE_MARGIN_US = const(2000000)  # beyond the safe moves' own time, before the drivers go


def make_safe(hal, app):
    """Stop both axes, relieve and retract through the machine's own safe state, latching
    faults.CRASH. True if the needle came out that way; False if the drivers had to be
    released instead (nothing can push then, and nothing retracts either)."""
    for axis in (AXIS_PLUNGER, AXIS_CARRIAGE):
        try:
            hal.stop(axis)
        except Exception:  # noqa: BLE001, S110 - stopping the other axis matters more
            pass
    try:
        hal.output(OUT_ALARM, True)
        m = app.machine
        mask = hal.tick_mask
        now = hal.ticks()
        if m.state != FAULT:
            m.trip(faults.CRASH, now)
        end = ticks.add(m.until, SAFE_MARGIN_US, mask)
        while m.state == SAFING:
            now = hal.ticks()
            if ticks.diff(now, end, mask) >= 0:
                raise OSError("safe moves did not end")
            hal.feed_watchdog()
            hal.idle(m.poll(now))
        return True
    except Exception:  # noqa: BLE001 - the machine itself may be what broke
        try:
            hal.stop(AXIS_PLUNGER)
            hal.stop(AXIS_CARRIAGE)
        except Exception:  # noqa: BLE001, S110 - the drivers are released next
            pass
        hal.enable(False)
        hal.output(OUT_ALARM, True)
        return False


def append_log(files, line):
    """One line into the crash log, rotating it past LOG_MAX (never fails the caller)."""
    try:
        data = files.read_file(LOG) or b""
        if len(data) + len(line) > LOG_MAX:
            files.write_file_atomic(OLD, data)
            files.write_file_atomic(LOG, line)
        else:
            files.append_file(LOG, line)
    except Exception:  # noqa: BLE001, S110 - a full flash must not stop the gun being safe
        pass


def describe(exc):
    return "%s: %s" % (type(exc).__name__, exc)


class CrashGuard:
    """Crashes of one running gun; now_ms() is a clock that does not wrap (boot.uptime_ms)."""

    def __init__(self, hal, app, now_ms):
        self.hal = hal
        self.app = app
        self.now_ms = now_ms
        self.times = []  # ms of the crashes within the last LOOP_MS
        self.crashes = 0
        self.looping = False

    def crashed(self, exc):
        """Make the gun safe, alarm, log once; latch CRASH_LOOP when they repeat. True if
        the gun was made safe by its own moves."""
        self.acknowledged()
        safe = make_safe(self.hal, self.app)
        t = self.now_ms()
        self.times = [x for x in self.times if t - x < LOOP_MS]
        self.times.append(t)
        self.crashes += 1
        if not self.looping:
            append_log(self.hal, ("%d ms: %s; %s\n" % (
                t, describe(exc), "made safe" if safe else "drivers released")).encode())
        if len(self.times) >= LOOP_CRASHES and not self.looping:
            # Latched until acknowledged (ACK_FAULT, signed on a paired gun): whatever keeps
            # failing must not run shots meanwhile; the log is not flooded either.
            self.looping = True
            self.app.machine.latch(faults.CRASH_LOOP)
            append_log(self.hal, ("%d ms: crash loop: %d crashes in %d s; latched\n" % (
                t, len(self.times), LOOP_MS // 1000)).encode())
        return safe

    def acknowledged(self):
        """After ACK_FAULT: a new count starts."""
        if self.looping and self.app.machine.fault == faults.NONE:
            self.looping = False
            self.times = []


def build_failed(exc, paired, files, wait):
    """The gun could not be built. Open gun: the error goes up (to the REPL). Paired gun:
    log it and stay in wait(), no REPL, until the power goes or the watchdog resets it."""
    if not paired:
        raise exc
    if files is not None:
        append_log(files, ("build failed: %s\n" % describe(exc)).encode())
    while True:
        wait()
