"""`meso sim board`: start a virtual board and print its port, to rehearse flashing."""

import os
import signal
import sys
import tempfile
import threading

from host.errors import MesoError

COMMAND = "sim board"
HELP = "run a virtual board (MicroPython unix port on a pseudo-terminal); prints its port first"


def add_arguments(parser):
    parser.add_argument(
        "--jig", action="store_true",
        help="a calibration jig: contact held on a container, trigger pulsed (meso calibrate)")
    parser.add_argument(
        "--flash", metavar="DIR", help="folder used as the board's flash (default: a new temporary one)"
    )


def run(args):
    from sim.board import VirtualBoard

    tmp = None
    flash_dir = args.flash
    if flash_dir and os.path.exists(flash_dir) and not os.path.isdir(flash_dir):
        raise MesoError("--flash %s: not a folder (it stands for the board's flash)" % flash_dir)
    if not flash_dir:
        tmp = tempfile.TemporaryDirectory(prefix="meso-board-")
        flash_dir = tmp.name
    try:
        board = VirtualBoard(flash_dir, jig=args.jig)
    except RuntimeError as e:
        raise MesoError(str(e))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    port = board.start()
    try:
        print(port, flush=True)
        print("flash folder: %s (Ctrl-C stops the board)" % flash_dir, file=sys.stderr, flush=True)
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        board.stop()
        if tmp:
            tmp.cleanup()
    return 0
