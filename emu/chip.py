"""A MicroPython rp2 image running on an emulated RP2040 (emu/chip.mjs), driven over its USB
serial with MicroPython's raw REPL.

    with Chip(image="firmware.bin", bootrom="b1.bin") as chip:
        out = chip.exec("import gc; print(gc.mem_free())")

Neither the image nor the bootrom ships with the project: no registry has a MicroPython rp2
image, and the Raspberry Pi bootrom is not in rp2040js's npm package. An engineer who built
them points MESOGUN_RP2_IMAGE and MESOGUN_RP2_BOOTROM at them (docs/DEVICE.md, "The
rp2 port on the emulated chip"). The port's filesystem lives in the emulated flash:
`fs` lays a littlefs2 image there before boot (see lfs_image()), and what the port writes stays
in the flash until the process ends.
"""

import json
import os
import subprocess
import threading
import time

from emu.harness import EmuError, node_command

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "chip.mjs")
# MicroPython v1.28's RPI_PICO board: 2 MB of flash, the last 1408 KB of it the filesystem.
FLASH_BYTES = 2 * 1024 * 1024
FS_BYTES = 1408 * 1024
FS_OFFSET = FLASH_BYTES - FS_BYTES
FS_BLOCK = 4096
# Hang guards only: the emulator runs the chip at a tenth to a third of real time, slower on
# a loaded machine, so these are far above any answer's time.
BOOT_WAIT_S = 300.0
EXEC_WAIT_S = 3600.0


def images():
    """(image, bootrom) from MESOGUN_RP2_IMAGE and MESOGUN_RP2_BOOTROM, or None if unset."""
    image = os.environ.get("MESOGUN_RP2_IMAGE")
    bootrom = os.environ.get("MESOGUN_RP2_BOOTROM")
    if not image or not bootrom:
        return None
    for name, path in (("MESOGUN_RP2_IMAGE", image), ("MESOGUN_RP2_BOOTROM", bootrom)):
        if not os.path.isfile(path):
            raise EmuError("%s=%s: no such file" % (name, path))
    return image, bootrom


class ChipError(EmuError):
    """The chip did not answer as the raw REPL does, or its code raised."""


class Chip:
    def __init__(self, image, bootrom, fs=None, fs_offset=FS_OFFSET):
        cmd = node_command()[:1] + [SCRIPT, "--bootrom", bootrom, "--image", image]
        if fs is not None:
            cmd += ["--fs", fs, "--fs-offset", str(fs_offset)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buf = bytearray()
        self.cv = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.stats = None
        try:
            self._wait(b">>> ", BOOT_WAIT_S, "the REPL's prompt after boot")
            self._raw()
        except BaseException:
            self.close()
            raise

    def _read(self):
        while True:
            data = self.proc.stdout.read1(4096)
            if not data:
                break
            with self.cv:
                self.buf += data
                self.cv.notify_all()
        with self.cv:
            self.cv.notify_all()

    def _send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _wait(self, marker, wait_s, what):
        """Bytes up to and including marker; consumed from the buffer."""
        deadline = time.monotonic() + wait_s
        with self.cv:
            while True:
                at = self.buf.find(marker)
                if at >= 0:
                    out = bytes(self.buf[:at + len(marker)])
                    del self.buf[:at + len(marker)]
                    return out
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    tail = bytes(self.buf[-400:]).decode(errors="replace")
                    err = self.proc.stderr.read().decode(errors="replace") \
                        if self.proc.poll() is not None else ""
                    raise ChipError("the emulated chip gave no %s (after %.0f s); it printed: "
                                    "%r %s" % (what, wait_s, tail, err.strip()))
                self.cv.wait(min(left, 1.0))

    def _raw(self):
        self._send(b"\r\x03\x03")
        time.sleep(0.2)
        with self.cv:
            self.buf.clear()
        self._send(b"\x01")
        self._wait(b"raw REPL; CTRL-B to exit\r\n>", BOOT_WAIT_S, "raw REPL")

    def exec(self, code, wait_s=EXEC_WAIT_S):
        """Run code on the chip; its printed output, or ChipError with its traceback."""
        self._send(code.encode() + b"\x04")
        self._wait(b"OK", wait_s, "OK for the code sent")
        out = self._wait(b"\x04", wait_s, "end of the code's output")[:-1]
        err = self._wait(b"\x04", wait_s, "end of the code's errors")[:-1]
        self._wait(b">", wait_s, "raw REPL prompt")
        if err:
            raise ChipError("on the chip:\n%s%s" % (out.decode(errors="replace"),
                                                    err.decode(errors="replace")))
        return out.decode(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.proc.stderr.read().decode(errors="replace").strip().splitlines()
        if err and err[-1].startswith("{"):
            self.stats = json.loads(err[-1])
        return self.stats

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# Run by the venv's MicroPython (unix port), whose littlefs2 is the port's own: the files of
# a folder copied into a fresh littlefs2 on a RAM block device of the Pico's geometry, and the
# device's bytes written out.
_LFS_MAKE = """
import os, sys, vfs
src, out, blocks = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Dev:
    def __init__(self, n):
        self.data = bytearray(b"\\xff" * (n * %(block)d))
    def readblocks(self, b, buf, off=0):
        at = b * %(block)d + off
        buf[:] = self.data[at:at + len(buf)]
    def writeblocks(self, b, buf, off=None):
        at = b * %(block)d + (off or 0)
        self.data[at:at + len(buf)] = buf
    def ioctl(self, op, arg):
        if op == 4:
            return len(self.data) // %(block)d
        if op == 5:
            return %(block)d
        if op == 6:
            self.data[arg * %(block)d:(arg + 1) * %(block)d] = b"\\xff" * %(block)d
        return 0
dev = Dev(blocks)
vfs.VfsLfs2.mkfs(dev, progsize=256)
vfs.mount(vfs.VfsLfs2(dev, progsize=256), "/lfs")
def copy(rel):
    for name, kind, *_ in os.ilistdir(src + rel):
        if kind == 0x4000:
            os.mkdir("/lfs" + rel + "/" + name)
            copy(rel + "/" + name)
        else:
            with open(src + rel + "/" + name, "rb") as f, open("/lfs" + rel + "/" + name, "wb") as g:
                g.write(f.read())
copy("")
vfs.umount("/lfs")
with open(out, "wb") as f:
    f.write(dev.data)
""" % {"block": FS_BLOCK}


def chip_files(board="pico", extra=()):
    """{path on the chip: bytes}: the board's build as `meso flash` makes it (.mpy for the
    board's arch), and each repository file of extra compiled beside it into /t."""
    from host.flash import build

    b = build.build(board)
    files = dict(b.files)
    tool = build.mpy_cross()
    for rel in extra:
        name = "t/" + os.path.basename(rel)[:-3] + ".mpy"
        files[name] = build.compile_one(tool, b.board.mpy_arch, rel)
    return files


def lfs_image(files, out):
    """Write out a littlefs2 image of the Pico's filesystem holding files ({path: bytes}),
    made by the venv's MicroPython (unix port), whose littlefs2 is the port's own."""
    import sys
    import tempfile

    micropython = os.path.join(os.path.dirname(sys.executable), "micropython")

    with tempfile.TemporaryDirectory() as src:
        for rel, data in files.items():
            path = os.path.join(src, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        res = subprocess.run([micropython, "-X", "heapsize=16M", "-c", _LFS_MAKE, src, out,
                              str(FS_BYTES // FS_BLOCK)], capture_output=True, text=True)
        if res.returncode != 0:
            raise EmuError("making the littlefs2 image failed: " + res.stdout + res.stderr)
    return out
