"""Finding the gun: `--port auto` picks the one attached mesogun, as `mpremote connect auto`.

Candidates are the USB serial ports the system lists and the pseudo-terminals of virtual
guns (`meso sim serve`) registered in the runtime folder; each is asked for a handshake. A
served gun registers itself as a symlink named after its process, pointing at its pty (as
udev names a device); an entry whose process has gone is stale and is removed on sight.
"""

import os
import tempfile

from serial.tools import list_ports

from host.link.errors import LinkError, TransportError

AUTO = "auto"
PROBE_US = 600000


def runtime_dir():
    """Where served guns register: $MESO_RUNTIME_DIR, else $XDG_RUNTIME_DIR/mesogun, else a
    folder of this user's in the temporary folder."""
    d = os.environ.get("MESO_RUNTIME_DIR")
    if not d:
        xdg = os.environ.get("XDG_RUNTIME_DIR")
        d = os.path.join(xdg, "mesogun") if xdg else os.path.join(
            tempfile.gettempdir(), "mesogun-%d" % os.getuid())
    return os.path.join(d, "ports")


def register(path, pid=None):
    """Register a served gun's pty; return the entry (to unregister)."""
    folder = runtime_dir()
    os.makedirs(folder, exist_ok=True)
    entry = os.path.join(folder, "sim-%d" % (pid or os.getpid()))
    if os.path.lexists(entry):
        os.unlink(entry)
    os.symlink(path, entry)
    return entry


def unregister(entry):
    try:
        os.unlink(entry)
    except OSError:
        pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def served():
    """The ptys of served guns whose process is alive (stale entries are removed)."""
    folder = runtime_dir()
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        entry = os.path.join(folder, name)
        try:
            pid = int(name.rsplit("-", 1)[1])
            target = os.readlink(entry)
        except (IndexError, ValueError, OSError):
            continue
        if not _alive(pid) or not os.path.exists(target):
            unregister(entry)
            continue
        out.append(target)
    return out


def usb_ports():
    """Serial ports on USB (with a vendor id): where a real gun appears."""
    return [p.device for p in sorted(list_ports.comports()) if p.vid is not None]


def candidates():
    return usb_ports() + served()


def probe(port):
    """(device id or None, what was found) for one port."""
    from host.link.session import Session
    from host.link.transport import BAUD, Transport

    try:
        s = Session(Transport(port), BAUD)
    except TransportError as e:
        return None, str(e)
    try:
        info = s.handshake(timeout_us=PROBE_US)["info"]
        return info["device_id"], "mesogun %s (board %s)" % (info["device_id"], info["board"])
    except LinkError as e:
        return None, str(e) if "version" in str(e) else "no mesogun answers"
    finally:
        s.close()


def find_gun():
    """The port of the one attached gun; LinkError listing what was found otherwise."""
    seen = [(port,) + probe(port) for port in candidates()]
    guns = [(port, what) for port, dev, what in seen if dev is not None]
    if len(guns) == 1:
        return guns[0][0]
    listing = "; ".join("%s: %s" % (port, what) for port, _, what in seen)
    if not guns:
        raise LinkError("no mesogun found (%s); connect one, or give --port PORT or MESO_PORT"
                        % (listing or "no USB serial port, no served gun"))
    raise LinkError("%d mesoguns found (%s); choose one with --port PORT" % (
        len(guns), "; ".join("%s: %s" % g for g in guns)))


def find_port():
    """The one candidate port, unprobed (a board's REPL does not answer the handshake)."""
    ports = candidates()
    if len(ports) == 1:
        return ports[0]
    if not ports:
        raise TransportError("no USB serial port found; connect the board, or give --port PORT")
    raise TransportError("%d serial ports found (%s); choose one with --port PORT" % (
        len(ports), ", ".join(ports)))
