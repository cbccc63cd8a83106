"""The gun a flash is about to write to: its board, asked first, and its key when paired."""

import os

from firmware import board as board_mod
from firmware.wire import files
from host.flash.errors import FlashError
from host.link import keys

UNIX_PLATFORMS = ("linux", "darwin")  # sys.platform of MicroPython's unix port


def board_problem(board_name, mpy_arch, facts, recorded):
    """Why firmware for board_name (compiled for mpy_arch) cannot be this gun's, or None.

    facts is (sys.platform, MCU arch) as the gun gives them, recorded the board its current
    manifest names (None on a gun never flashed)."""
    platform, arch = facts
    if recorded and recorded != board_name:
        return "its firmware is for board %s" % recorded
    if mpy_arch == "host":
        if platform not in UNIX_PLATFORMS:
            return "it is not MicroPython's unix port"
    elif platform in UNIX_PLATFORMS:
        return "it is MicroPython's unix port"
    elif arch and arch != mpy_arch:
        return "its MCU runs %s code, not %s" % (arch, mpy_arch)
    return None


def describe_gun(facts, recorded):
    platform, arch = facts
    return "%s (MicroPython on %s, %s)" % (
        "board " + recorded if recorded else "a board never flashed", platform, arch or "arch ?")


def flashable_boards(root):
    """The boards a gun can be flashed with: boards/*.py but the simulator's own (its HAL
    runs only inside the simulated world)."""
    out = []
    for name in sorted(os.listdir(os.path.join(root, "boards"))):
        if name.endswith(".py") and name != "__init__.py":
            b = board_mod.by_name(name[:-3])
            if b.port != "sim":
                out.append(b)
    return out


def gun_board(port, facts, recorded, root):
    """The board to build for when `meso flash` is given none: the one the gun's firmware
    names, else the one board whose MCU matches what its MicroPython says; refused, naming the
    candidates, when that is not one board."""
    if recorded:
        return recorded
    boards = flashable_boards(root)
    fits = [b.name for b in boards if board_problem(b.name, b.mpy_arch, facts, None) is None]
    if len(fits) == 1:
        return fits[0]
    raise FlashError("the gun on %s is %s: %s; name its board with --board (%s); nothing "
                     "written" % (
                         port, describe_gun(facts, None),
                         "no board definition fits it" if not fits else
                         "boards %s all fit it" % ", ".join(fits),
                         ", ".join(fits or [b.name for b in boards])))


def check_board(port, build, facts, recorded):
    """Refuse, naming both boards, a build the gun on port cannot run."""
    why = board_problem(build.board.name, build.board.mpy_arch, facts, recorded)
    if why:
        raise FlashError("this build is for board %s (%s) but the gun on %s is %s: %s; nothing "
                         "written, its firmware stays" % (
                             build.board.name, build.board.mpy_arch, port,
                             describe_gun(facts, recorded), why))


def paired_key(dev):
    """The laptop's key for the gun if it is paired (it holds a key file), else None."""
    key_file = files.DATA + files.KEY_FILE
    if dev.hashes([key_file])[key_file] is None:
        return None
    device_id = (dev.read(files.DATA + files.ID_FILE) or "").strip()
    key = keys.load(device_id) if device_id else None
    if key is None:
        raise FlashError("the gun on %s is paired but this laptop holds no key for %s (in %s): "
                         "its loader boots only firmware signed with it"
                         % (dev.port, device_id or "it", keys.key_dir()))
    return key
