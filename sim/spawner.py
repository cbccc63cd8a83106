"""Starts the virtual board's interpreters from a helper process that holds no port.

A child forked by the host's own process holds, until its exec, a copy of every descriptor
the host has open, locks included: pyserial's exclusive lock (flock) on a port the host has
open then outlives the host's close, and the host's next open finds the port "in use by
another program". The helper is started before the board's port exists, with every other
descriptor closed, so the interpreters it forks can hold no lock of the host's.
"""

import json
import os
import socket
import subprocess
import sys

_HELPER = r"""
import json, os, signal, socket, sys, termios
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the interpreters
sock = socket.socket(fileno=int(sys.argv[1]))
while True:
    msg = sock.recv(1 << 20)
    if not msg:
        break
    req = json.loads(msg)
    # Closed by the child's exec (os.pipe is close-on-exec): the terminal is handed over
    # only once the interpreter runs, never in a state of the child's own set-up.
    execd_r, execd_w = os.pipe()
    pid, fd = os.forkpty()
    if pid == 0:
        try:
            os.close(execd_r)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.chdir(req["cwd"])
            # The terminal passes bytes untouched, set in one call. ISIG stays on (the board
            # takes ISIG off as the sign that the interpreter reads its terminal) but no
            # character makes a signal: the board decides what a host's 0x03 is (sim/board.py).
            a = termios.tcgetattr(0)
            a[0] &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP
                      | termios.IXON)
            a[1] &= ~termios.OPOST
            a[2] = (a[2] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
            a[3] = (a[3] & ~(termios.ECHO | termios.ICANON | termios.IEXTEN)) | termios.ISIG
            for c in (termios.VINTR, termios.VQUIT, termios.VSUSP):
                a[6][c] = 0  # _POSIX_VDISABLE
            a[6][termios.VMIN] = 1
            a[6][termios.VTIME] = 0
            termios.tcsetattr(0, termios.TCSANOW, a)
            os.execve(req["argv"][0], req["argv"], req["env"])
        finally:
            os._exit(127)
    os.close(execd_w)
    while os.read(execd_r, 64):
        pass
    os.close(execd_r)
    socket.send_fds(sock, [b"%d" % pid], [fd])
    os.close(fd)
"""

class Spawner:
    """spawn(argv, env, cwd) -> (pid, master fd of the interpreter's terminal), returned
    once the interpreter has been exec'd."""

    def __init__(self):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = mine
        self.proc = subprocess.Popen([sys.executable, "-c", _HELPER, str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], close_fds=True)
        theirs.close()

    def spawn(self, argv, env, cwd):
        try:
            self.sock.sendall(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode())
            msg, fds, _, _ = socket.recv_fds(self.sock, 32, 1)
        except OSError:
            fds = []
        if not fds:
            raise RuntimeError("the virtual board's helper process ended")
        os.set_inheritable(fds[0], False)
        return int(msg), fds[0]

    def close(self):
        self.sock.close()  # the helper ends at end of file
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
