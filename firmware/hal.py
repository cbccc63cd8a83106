"""The HAL interface: the only door between the pure core and a board, simulator or test.

The core (firmware/ outside ports/) never imports machine, rp2, simpy or serial. It is
handed one object with the methods below. Implementations, one package per port under
firmware/ports/: rp2 (RP2040, PIO fed by DMA), esp32s3 (RMT), pyboard (STM32 timers), unix
(the virtual board), sim (a proxy to sim/, the SimPy world); tests (a fake clocked by the test).

Rules every implementation keeps:
- No method sleeps. The core calls them from `poll(now)` and expects them back at once.
- Methods the shot path calls (ticks, move, moving, steps_done, stop, inputs, pressure_kpa,
  output, feed_watchdog) allocate nothing: the shot runs under micropython.heap_lock().
  So does write_at(), which the core calls between shots for the journal and the progress,
  so that a whole session's shot cycles allocate nothing either.
- Step segments. A move is `nseg` segments in `segs` (an array('i'), 3 words each):
  (interval, count, add) in step-clock ticks (board `step_clock_hz`). Executing a segment:
      repeat count times: t += interval; step at t; interval += add
  with t starting at the instant the move starts (the first step of a move fires `interval`
  ticks after the start). Only integer adds: a PIO program, a hard IRQ or the simulator
  can execute it exactly. Direction is fixed for the whole move.
"""

from firmware.compat import const

# Axes.
AXIS_PLUNGER = const(0)
AXIS_CARRIAGE = const(1)

# Direction of a move: +1 moves the plunger forward (dispense) or the needle out (deeper);
# -1 moves back towards home.
FORWARD = const(1)
BACKWARD = const(-1)

# Input bits returned by inputs(); raw levels, debounced by the core (firmware/inputs.py).
IN_TRIGGER = const(1)
IN_CONTACT = const(2)  # skin contact at the nose cone
IN_PLUNGER_HOME = const(4)
IN_PLUNGER_END = const(8)  # plunger at the end of the syringe: empty
IN_CARRIAGE_HOME = const(16)
IN_STALL_PLUNGER = const(32)  # TMC2209 DIAG of the plunger driver
IN_STALL_CARRIAGE = const(64)
IN_PEDAL = const(128)

# Outputs.
OUT_BUZZER = const(0)
OUT_LED = const(1)
OUT_ENABLE = const(2)  # stepper drivers enabled
OUT_ALARM = const(3)  # alarm indication (buzzer pattern or LED, the board decides)

# Value of pressure_kpa() when the board has no pressure sensor.
NO_PRESSURE = const(-1)


class HAL:
    """Base class documenting the interface; every method must be overridden."""

    # Ticks of the main-loop clock wrap at a power of two (2**30 on RP2040, 2**62 on unix);
    # the code takes it as its mask, period - 1: on a 31-bit port 2**30 itself is no small
    # int, so any arithmetic on it would allocate (firmware/ticks.py).
    tick_mask = (1 << 30) - 1
    # Ticks of ticks() per second (the main-loop clock counts microseconds).
    ticks_per_s = 1000000
    # Rate of the step clock in which segments are expressed.
    step_clock_hz = 125000000

    # -- clock ----------------------------------------------------------------
    def ticks(self):
        """Main-loop clock in µs, wrapping at tick_mask + 1 (time.ticks_us on a board)."""
        raise NotImplementedError

    def idle(self, deadline):
        """Wait until the deadline tick or an input edge, whichever comes first.

        Any change of inputs() must end the wait within 1 ms: while a move runs the core asks
        to be polled only at its end (and for pressure readings), trusting idle() to bring
        contact loss, stalls and switches to it at once.

        Only the board's main loop (firmware/mainloop.py) calls it, never the core; on a board
        it may lightsleep or wfi, in the simulator it yields to the event queue."""
        raise NotImplementedError

    # -- motion ---------------------------------------------------------------
    def move(self, axis, direction, segs, nseg):
        """Start executing nseg segments of segs on axis, in direction. The axis is idle.

        The implementation may keep a reference to segs until the move ends: the core does
        not touch that buffer while the axis moves."""
        raise NotImplementedError

    def moving(self, axis):
        """True while the axis still has steps to execute."""
        raise NotImplementedError

    def steps_done(self, axis):
        """Steps executed so far by the current (or last) move of axis."""
        raise NotImplementedError

    def stop(self, axis):
        """Stop the axis now and discard what is queued; steps_done() stays readable."""
        raise NotImplementedError

    def enable(self, on):
        """Energise (True) or release (False) both stepper drivers."""
        raise NotImplementedError

    # -- inputs and outputs ---------------------------------------------------
    def inputs(self):
        """Raw input levels as a bit mask of IN_* (1 = active)."""
        raise NotImplementedError

    def pressure_kpa(self):
        """Line pressure in kPa as an int, or NO_PRESSURE without a sensor."""
        raise NotImplementedError

    def output(self, which, on):
        """Set an OUT_* output."""
        raise NotImplementedError

    def feed_watchdog(self):
        """Feed the hardware watchdog; the main loop calls it every pass."""
        raise NotImplementedError

    # -- storage (not on the shot path) ---------------------------------------
    def read_file(self, name):
        """Whole file as bytes, or None if it does not exist."""
        raise NotImplementedError

    def write_file_atomic(self, name, data):
        """Replace a file so that a power cut leaves the old or the new content, never a mix."""
        raise NotImplementedError

    def append_file(self, name, data):
        """Append bytes to a file (the shot-log journal), flushed before returning."""
        raise NotImplementedError

    def remove_file(self, name):
        """Remove a file if it exists (the physical recovery, a committed pairing)."""
        raise NotImplementedError

    def open_file(self, name):
        """Open a file (made empty if it does not exist) for write_at() and keep it open.
        Allocates: the core calls it once, before the session, for each file it writes in
        place (the shot-log journal, the session progress)."""
        raise NotImplementedError

    def write_at(self, name, at, buf, start, n):
        """Write n bytes of buf from index start at byte at of a file kept open (at < 0: at
        its end), flushed to flash before returning. Allocates nothing (a file not yet open
        is opened first, which does). A power cut during it may leave those n bytes torn;
        bytes outside them stay as they were."""
        raise NotImplementedError

    # -- byte stream to the host (not on the shot path) -----------------------
    def read_bytes(self, buf):
        """Read what is available into buf without blocking; return the count (0 if none)."""
        raise NotImplementedError

    def write_bytes(self, data):
        """Queue bytes for the host; never blocks for long."""
        raise NotImplementedError
