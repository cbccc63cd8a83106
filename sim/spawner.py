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
import json, os, signal, socket, sys, termios, tty
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the interpreters
sock = socket.socket(fileno=int(sys.argv[1]))
while True:
    msg = sock.recv(1 << 20)
    if not msg:
        break
    req = json.loads(msg)
    pid, fd = os.forkpty()
    if pid == 0:  # the terminal passes bytes untouched but ^C still interrupts
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.chdir(req["cwd"])
            tty.setraw(0)
            attrs = termios.tcgetattr(0)
            attrs[3] |= termios.ISIG
            termios.tcsetattr(0, termios.TCSANOW, attrs)
            os.execve(req["argv"][0], req["argv"], req["env"])
        finally:
            os._exit(127)
    socket.send_fds(sock, [b"%d" % pid], [fd])
    os.close(fd)
"""


class Spawner:
    """spawn(argv, env, cwd) -> (pid, master fd of the interpreter's terminal)."""

    def __init__(self):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = mine
        self.proc = subprocess.Popen([sys.executable, "-c", _HELPER, str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], close_fds=True)
        theirs.close()

    def spawn(self, argv, env, cwd):
        self.sock.sendall(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode())
        msg, fds, _, _ = socket.recv_fds(self.sock, 32, 1)
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
