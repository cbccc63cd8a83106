"""Questions to the person at the gun while a session is open, and keys during a run.

The gun stops a streamed session when its host goes quiet, and the host gives up on a gun it
has not heard from, so a prompt that may take minutes (weighing, fitting a syringe) keeps
the link pumping while input() waits on a thread of its own. A question cut short by Ctrl-C
leaves its reader to the next question, so no second reader steals an answer. On a
terminal, Keys gives single keys between questions (cbreak mode); with no terminal there
are no keys, only answers line by line.
"""

import os
import select
import sys
import threading

from host.errors import MesoError


class NoAnswer(MesoError):
    """Standard input ended before the question was answered."""


class _Reader:
    """input() on a thread of its own; one at a time, so a question cut short by Ctrl-C
    hands its reader (and the answer it will read) to the next question."""

    pending = None

    def __init__(self, prompt):
        self.got = []
        self.thread = threading.Thread(target=self._read, args=(prompt,), daemon=True)
        self.thread.start()

    def _read(self, prompt):
        try:
            self.got.append(input(prompt))
        except BaseException as e:  # noqa: BLE001 - handed to the asking thread
            self.got.append(e)


def _tty():
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def ask(session, prompt, out=None):
    """input(prompt) with the link kept alive; the answer without surrounding blanks."""
    if Keys.active is not None:
        Keys.active.take()  # keys pressed before the question do not answer it
    with Keys.suspended():  # lines and echo back before the question is shown
        reader = _Reader.pending
        if reader is None:
            reader = _Reader(prompt)
        else:
            out = out or sys.stdout
            out.write(prompt)
            out.flush()
        _Reader.pending = reader
        while reader.thread.is_alive():
            session.pump(50000)
    _Reader.pending = None
    got = reader.got[0]
    if not _tty() and not isinstance(got, BaseException):
        print(file=out or sys.stdout, flush=True)  # the answer was not echoed: end the line
    if isinstance(got, EOFError):
        raise NoAnswer("no answer at the prompt (end of input)")
    if isinstance(got, BaseException):
        raise got
    return got.strip()


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
        """Keys pressed since the last call (lower case); none while a question waits."""
        if not self.on or _Reader.pending is not None:
            return []
        fd = sys.stdin.fileno()
        got = ""
        while select.select([fd], [], [], 0)[0]:
            data = os.read(fd, 64)
            if not data:
                self.on = False  # the terminal went away
                break
            got += data.decode(errors="replace")
        return list(got.lower())

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
