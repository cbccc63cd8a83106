"""`meso flash [--board NAME] --port P`: build, deploy, verify and boot a gun's firmware."""

import time

from firmware.manifest import source_text
from host.cliutil.port import add_port_arguments, require_port
from host.flash import build as build_mod
from host.flash import deploy
from host.flash.errors import FlashError

COMMAND = "flash"
HELP = ("compile the firmware for a board, check it is the gun's board, deploy it with mpremote, "
        "verify it, boot it on trial and confirm it")


def add_arguments(p):
    p.add_argument("--board", help="board definition (boards/NAME.py); default: the gun's own, "
                   "as its firmware names it or its MCU tells")
    add_port_arguments(p, repl=True)


def run(args):
    require_port(args.port)
    t0 = time.monotonic()

    def make(board_name):
        b = build_mod.build(board_name)
        print("built %s firmware %s for %s (%s), source %s" % (
            b.folder, b.manifest["version"], b.board.name, b.board.mpy_arch,
            source_text(b.manifest["commit"], b.manifest["dirty"])))
        return b

    # Without --board, the gun is asked first (its board decides what is compiled).
    folder = deploy.deploy(args.port, make(args.board) if args.board else make)
    ident = deploy.handshake(args.port)
    info = ident["info"]
    if info.get("folder") != folder:
        raise FlashError("the new firmware %s did not reach its handshake: the gun rolled back "
                         "to %s" % (folder, info.get("folder")))
    if not info.get("firmware_ok", False):
        raise FlashError("the gun reports a firmware mismatch: %s"
                        % "; ".join(info.get("firmware_problems", [])))
    if info.get("trial"):
        raise FlashError("the new firmware %s answered but did not confirm itself; the previous "
                         "one boots at the next reset" % folder)
    print("booted and confirmed: device %s, firmware %s, board %s, mode %s (%.1f s)" % (
        info["device_id"], info["firmware"], info["board"], info.get("mode", "?"),
        time.monotonic() - t0))
    return 0
