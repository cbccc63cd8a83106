"""The flash filesystem image emu/chip.py lays into the emulated Pico: a littlefs2 of the
Pico's geometry holding exactly the files given, as the rp2 port will mount it."""

import os
import subprocess
import sys

from emu.chip import FS_BLOCK, FS_BYTES, lfs_image

MICROPYTHON = os.path.join(os.path.dirname(sys.executable), "micropython")

# Mounted as the rp2 port's _boot mounts its flash (littlefs2, progsize 256), read back.
READ = """
import sys, vfs
data = open(sys.argv[1], "rb").read()
class Dev:
    def readblocks(self, b, buf, off=0):
        at = b * %(block)d + off
        buf[:] = data[at:at + len(buf)]
    def writeblocks(self, b, buf, off=None):
        raise OSError("read only")
    def ioctl(self, op, arg):
        return {4: len(data) // %(block)d, 5: %(block)d}.get(op, 0)
vfs.mount(vfs.VfsLfs2(Dev(), progsize=256), "/f", readonly=True)
def walk(p):
    for name, kind, *_ in __import__("os").ilistdir(p):
        if kind == 0x4000:
            walk(p + "/" + name)
        else:
            print(p[2:] + "/" + name, open(p + "/" + name, "rb").read().hex())
walk("/f")
""" % {"block": FS_BLOCK}


def test_the_image_holds_the_files_at_the_picos_geometry(tmp_path):
    files = {"firmware/app.mpy": b"M\x06\x00\x1f" + bytes(range(256)) * 20,
             "boards/pico.mpy": b"pico", "t/chip_mp.mpy": b"", "top.txt": b"x" * 5000}
    img = lfs_image(files, str(tmp_path / "fs.img"))
    assert os.path.getsize(img) == FS_BYTES
    out = subprocess.run([MICROPYTHON, "-c", READ, img], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    got = {}
    for line in out.stdout.splitlines():
        name, _, hexdata = line.partition(" ")
        got[name.lstrip("/")] = bytes.fromhex(hexdata)
    assert got == files
