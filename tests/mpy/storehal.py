"""The test rig's FakeHAL with the boards' real file store (firmware/ports/files.py), on the
unix port's own file system or on littlefs2 / FAT mounted on a RAM block device, as the
Pico (littlefs2 on its flash) and the pyboard (FAT) keep their files. MicroPython only.

The block device stands in for the flash chip (rp2.Flash on a Pico); its methods allocate
nothing, so that what allocates under heap_lock() is the file system or the store, never it.
"""

import vfs
from fakehal import FakeHAL

from firmware.ports.files import FileStore, StoredFiles

# Block geometry: the Pico's flash erases 4 KB sectors, and its port mounts littlefs2 with
# progsize=256; FAT takes 512-byte sectors.
LFS_BLOCK = 4096
FAT_BLOCK = 512


class RAMFlash:
    """A block device in RAM with MicroPython's extended interface (offsets, erase)."""

    def __init__(self, block_size, blocks):
        self.block_size = block_size
        self.blocks = blocks
        self.data = bytearray(block_size * blocks)
        self.erased = b"\xff" * block_size

    def readblocks(self, block, buf, off=0):
        at = block * self.block_size + off
        data = self.data
        for i in range(len(buf)):  # a slice read would allocate
            buf[i] = data[at + i]

    def writeblocks(self, block, buf, off=None):
        at = block * self.block_size + (off or 0)
        self.data[at:at + len(buf)] = buf  # slice assignment allocates nothing

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.blocks
        if op == 5:  # block size
            return self.block_size
        if op == 6:  # erase a block (littlefs)
            at = arg * self.block_size
            self.data[at:at + self.block_size] = self.erased
            return 0
        return None


def mounted(kind, point):
    """A fresh file system of kind ("lfs2" or "fat") mounted at point; returns point."""
    if kind == "lfs2":
        dev = RAMFlash(LFS_BLOCK, 32)
        vfs.VfsLfs2.mkfs(dev, progsize=256)
        vfs.mount(vfs.VfsLfs2(dev, progsize=256), point)
    else:
        dev = RAMFlash(FAT_BLOCK, 256)
        vfs.VfsFat.mkfs(dev)
        vfs.mount(vfs.VfsFat(dev), point)
    return point


class StoreHAL(StoredFiles, FakeHAL):
    """FakeHAL whose storage is a FileStore under folder (the boards' and the unix port's):
    its storage methods are the boards' own (StoredFiles), ahead of FakeHAL's dict."""

    def __init__(self, board, folder, start_us=0):
        FakeHAL.__init__(self, board, start_us)
        self.board = board
        self.files = FileStore(folder)
