"""Questions to the person at the gun while a session is open, and keys during a run.

The gun stops a streamed session when its host goes quiet, and the host gives up on a gun it
has not heard from, so a prompt that may take minutes (weighing, fitting a syringe) keeps
the link pumping while one reader thread waits on standard input. The reader lives as long
as the process: a question cut short by Ctrl-C leaves no second reader to steal the next
answer. On a terminal, keys() gives single keys between questions (cbreak mode); with no
terminal there are no keys, only answers line by line.
"""

import os
import queue
import sys
import threading

from host.errors import MesoError

_EOF = ""
_chars = queue.Queue()
_reader = None


class NoAnswer(MesoError):
    """Standard input ended before the question was answered."""


def _tty():
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _read_forever(tty):
    fd = sys.stdin.fileno() if tty else None
    while True:
        try:
            data = os.read(fd, 64).decode(errors="replace") if tty else sys.stdin.readline()
        except (OSError, ValueError):
            data = _EOF
        if data == _EOF:
            _chars.put(_EOF)
            return
        for ch in data:
            _chars.put(ch)


def _start():
    global _reader
    if _reader is None:
        _reader = threading.Thread(target=_read_forever, args=(_tty(),), daemon=True)
        _reader.start()


def ask(session, prompt, out=None):
    """The answer to prompt (without surrounding blanks), the link kept alive meanwhile."""
    out = out or sys.stdout
    out.write(prompt)
    out.flush()
    _start()
    if Keys.active is not None:
        Keys.active.take()  # keys pressed before the question do not answer it
    with Keys.suspended():
        line = []
        while True:
            try:
                ch = _chars.get_nowait()
            except queue.Empty:
                session.pump(50000)
                continue
            if ch == _EOF:
                _chars.put(_EOF)  # every later question meets the end of input too
                raise NoAnswer("no answer at the prompt (end of input)")
            if ch == "\n":
                if not _tty():
                    out.write("\n")  # the answer was not echoed: end the question's line
                    out.flush()
                return "".join(line).strip()
            line.append(ch)


class Keys:
    """Single keys from a terminal while a run goes on (none when stdin is not one)."""

    active = None

    def __init__(self):
        self.saved = None
        self.on = _tty()

    def __enter__(self):
        if self.on:
            import termios
            import tty

            fd = sys.stdin.fileno()
            self.saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)  # keys at once, no echo; Ctrl-C still interrupts
            _start()
            Keys.active = self
        return self

    def __exit__(self, *exc):
        self._restore()
        Keys.active = None

    def _restore(self):
        if self.saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self.saved)

    def take(self):
        """Keys pressed since the last call (lower case)."""
        got = []
        while self.on:
            try:
                ch = _chars.get_nowait()
            except queue.Empty:
                break
            if ch == _EOF:
                _chars.put(_EOF)
                break
            got.append(ch.lower())
        return got

    @classmethod
    def suspended(cls):
        return _Suspend(cls.active)


class _Suspend:
    """A question on a terminal in cbreak mode: lines and echo back while it is asked."""

    def __init__(self, keys):
        self.keys = keys

    def __enter__(self):
        if self.keys is not None:
            self.keys._restore()

    def __exit__(self, *exc):
        if self.keys is not None and self.keys.saved is not None:
            import tty

            tty.setcbreak(sys.stdin.fileno())
