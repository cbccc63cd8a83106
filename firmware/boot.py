"""Boot of a flashed gun: check the firmware against its manifest, then run the app and link.

The loader (main.py at the flash root) calls start(folder). A file that differs from the
manifest, is missing or is extra keeps the gun from arming and is named in the identity
(`meso info`). Paired guns are in clinical mode: the app owns the serial, guarded commands
are signed, and a crash (made safe first, firmware/crash.py) restarts the app loop instead
of opening a REPL. MAINT (signed when paired) ends the app and gives the serial back to the
REPL, for flashing.
"""

import os
import time

from binascii import hexlify

from firmware import VERSION, board, crash, mainloop, manifest, trial
from firmware.app import App
from firmware.gun import Gun
from firmware.wire.files import DATA, ID_FILE, KEY_FILE

# What this boot found; the identity carries it and a REPL (maintenance) can read it.
STATUS = {"ok": False, "problems": [], "folder": "", "mode": "", "version": VERSION}


class CheckedApp(App):
    """The App, refusing to arm while the firmware does not match its manifest."""

    def arm(self):
        if not STATUS["ok"]:
            return False
        return App.arm(self)


def device_id(hal):
    """The board's unique id, or one made at first boot and kept in the data folder."""
    unique_id = getattr(hal, "unique_id", None)  # board HALs read the MCU's own id
    if unique_id is not None:
        return unique_id()
    got = hal.read_file(ID_FILE)
    if got:
        return got.decode()
    made = "vb-" + hexlify(os.urandom(6)).decode()
    hal.write_file_atomic(ID_FILE, made.encode())
    return made


_clock = [None, 0]  # last ticks_ms seen, milliseconds counted


def uptime_ms():
    """Milliseconds since the first call that never wrap (ticks_ms wraps after 12 days on
    the RP2040). MicroPython only: the host imports this module but never calls it."""
    t = time.ticks_ms()
    if _clock[0] is not None:
        _clock[1] += time.ticks_diff(t, _clock[0])
    _clock[0] = t
    return _clock[1]


class PortError(ImportError):
    """A board names a port that this firmware does not hold."""


def port_hal(b):
    """The HAL class of the port the board names: firmware/ports/<port>/hal.py, by name."""
    package = "firmware.ports." + b.port
    try:
        __import__(package)
    except ImportError:
        raise PortError("board %r names port %r, but this firmware has no firmware/ports/%s/"
                        % (b.name, b.port, b.port))
    # Past here an ImportError is the port's own (a module its MCU lacks): it goes up as is.
    return __import__(package + ".hal", None, None, ["HAL"]).HAL


def make_hal(b, own_usb):
    return port_hal(b)(b, own_usb=own_usb)


def check(folder):
    problems = manifest.check(folder)
    m = manifest.load(folder) or {}
    STATUS["ok"] = not problems
    STATUS["problems"] = ["%s: %s" % p for p in problems]
    STATUS["folder"] = folder
    STATUS["commit"] = m.get("commit", "unknown")
    STATUS["dirty"] = m.get("dirty")
    return m


def build(folder):
    """Check the firmware and put the gun together: (hal, app, link)."""
    m = check(folder)
    b = board.by_name(m.get("board") or "unix")
    hal = make_hal(b, True)
    app = CheckedApp(hal, b)
    gun = Gun(hal, app, b, device_id(hal), os.urandom, uptime_ms)
    STATUS["mode"] = gun.mode
    STATUS["problems"] += gun.problems
    gun.folder, gun.firmware_ok = folder, STATUS["ok"]
    gun.describe(firmware_ok=STATUS["ok"], firmware_problems=STATUS["problems"],
                 commit=STATUS["commit"], dirty=STATUS["dirty"], folder=folder)
    if trial.on_trial(folder):  # booted once by the loader: confirmed at the handshake
        trial.confirm_at_handshake(gun, folder, lambda: STATUS["ok"])
    return hal, app, gun.link


def paired(folder):
    """A key file is there (even a bad one: a gun that cannot tell fails closed)."""
    try:
        os.stat(DATA + KEY_FILE)
        return True
    except OSError:
        return False


def start(folder):
    """Run the gun until maintenance is asked for (then return to the REPL)."""
    try:
        hal, app, link = build(folder)
    except Exception as e:  # noqa: BLE001 - a paired gun stays shut, it never opens the REPL
        crash.build_failed(e, paired(folder), None, lambda: time.sleep_ms(1000))
        raise
    guard = crash.CrashGuard(hal, app, uptime_ms)
    first = True
    while True:
        try:
            if first and STATUS["ok"]:
                first = False
                link.start()
            mainloop.run(hal, app, link, stop=lambda: link.maintenance_due(hal.ticks()))
            break
        except Exception as e:  # noqa: BLE001 - the gun must outlive a bug in one command
            first = False
            guard.crashed(e)  # safe first, whatever the mode
            if STATUS["mode"] == "open":  # locked and pairing guns keep the serial too
                hal.release_console()
                raise
    app.abort()
    hal.release_console()
    STATUS["mode"] = "maintenance"
    print("maintenance: REPL open until reboot")
