"""`meso` as a child process for the session tests: lines read on a thread, so a test waits
for what the child prints (an event), never for a time; the child is killed on failure."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAIT_S = 120  # generous: the machine may be loaded; a test that passes never waits this long


def env():
    e = {k: v for k, v in os.environ.items() if k not in ("MESO_PORT", "MESO_DEBUG")}
    e["PYTHONUNBUFFERED"] = "1"
    return e


class Child:
    def __init__(self, *argv, cwd=None):
        self.argv = [str(a) for a in argv]
        self.p = subprocess.Popen([sys.executable, "-m", "host.cli", *self.argv], cwd=cwd or ROOT,
                                  env=env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = []
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.q.put(line)
        self.q.put(None)

    def expect(self, test, what):
        """The first new line for which test(line) is true; fails at the child's end."""
        end = time.monotonic() + WAIT_S
        while True:
            try:
                line = self.q.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                line = None
                self.kill()
            if line is None:
                raise AssertionError("meso %s ended before %s:\n%s" % (
                    " ".join(self.argv), what, "".join(self.lines)))
            self.lines.append(line)
            if test(line):
                return line

    def send(self, text):
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def interrupt(self):
        self.p.send_signal(signal.SIGINT)

    def finish(self):
        """(exit status, everything printed)."""
        self.p.stdin.close()
        try:
            self.p.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        while True:
            line = self.q.get(timeout=WAIT_S)
            if line is None:
                break
            self.lines.append(line)
        return self.p.returncode, "".join(self.lines)

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(10)


def meso(*argv, stdin=""):
    """Run meso to its end: (exit status, stdout and stderr together)."""
    c = Child(*argv)
    try:
        c.send(stdin)
        return c.finish()
    finally:
        c.kill()
