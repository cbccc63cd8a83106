"""The file store of the MicroPython boards and the virtual board: files under one folder,
replaced atomically, and files kept open for writes in place that allocate nothing.

A replace writes name.tmp, syncs, then renames it over name (littlefs renames over a file
atomically). FAT cannot: there the complete name.tmp is first renamed to name.new, and only
a name.new is ever finished after a cut (a .tmp may be torn, so it is never taken).

open_file() opens a file once (that allocates: the file object and, on littlefs, its cache)
and keeps it; write_at() then seeks, writes from the caller's buffer with MicroPython's
write(buf, start, n), which takes no slice, and flushes: each of those calls allocates
nothing on the posix, littlefs and FAT file systems (tests/mpy/test_heaplock.py checks it
under heap_lock()). The flush is the commit: littlefs writes the change copy-on-write and
makes it current at the sync, FAT writes the sectors and syncs the device. What a cut in
the middle leaves is the writer's business (firmware/progress.py keeps two slots for it).
"""

import os


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _sync():
    # The unix port has no os.sync(): there a file's flush() is its fsync.
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


class FileStore:
    """Files under folder; kept: the files held open for write_at, by name."""

    def __init__(self, folder):
        self.folder = folder
        self.kept = {}
        if not _exists(folder):
            os.mkdir(folder)

    def path(self, name):
        return self.folder + "/" + name

    def read_file(self, name):
        path = self.path(name)
        done = path + ".new"
        if not _exists(path) and _exists(done):
            # Cut between removing the old file and renaming the new one on FAT: name.new is
            # complete. A name.tmp may be torn and is never promoted.
            os.rename(done, path)
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def write_file_atomic(self, name, data):
        self.close_file(name)  # the file is replaced: a kept handle would write the old one
        path = self.path(name)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
        _sync()
        try:
            os.rename(tmp, path)  # littlefs and posix replace atomically
        except OSError:
            # FAT refuses to rename over a file: mark the new one complete (name.new), remove
            # the old; read_file() finishes the job if the power goes now.
            if _exists(path + ".new"):
                os.remove(path + ".new")  # a cut left it beside the old file: outdated now
            os.rename(tmp, path + ".new")
            _sync()
            os.remove(path)
            os.rename(path + ".new", path)
        _sync()

    def remove_file(self, name):
        self.close_file(name)
        for path in (self.path(name), self.path(name) + ".new", self.path(name) + ".tmp"):
            if _exists(path):
                os.remove(path)
        _sync()

    def append_file(self, name, data):
        with open(self.path(name), "ab") as f:
            f.write(data)
            f.flush()
        _sync()

    def open_file(self, name):
        f = self.kept.get(name)
        if f is None:
            path = self.path(name)
            if not _exists(path):
                with open(path, "wb") as made:
                    made.flush()
                _sync()
            f = open(path, "r+b")  # noqa: SIM115 - kept open on purpose, closed by close_file
            self.kept[name] = f
        return f

    def write_at(self, name, at, buf, start, n):
        f = self.kept.get(name)
        if f is None:
            f = self.open_file(name)
        if at < 0:
            f.seek(0, 2)
        else:
            f.seek(at)
        f.write(buf, start, n)
        f.flush()

    def close_file(self, name):
        f = self.kept.pop(name, None)
        if f is not None:
            f.close()


class StoredFiles:
    """A HAL's storage methods (firmware.hal.HAL) served by its FileStore, self.files: put
    before hal.HAL among a HAL class's bases."""

    files: FileStore  # set by the HAL's __init__ (an annotation only: no class attribute)

    def read_file(self, name):
        return self.files.read_file(name)

    def write_file_atomic(self, name, data):
        self.files.write_file_atomic(name, data)

    def append_file(self, name, data):
        self.files.append_file(name, data)

    def remove_file(self, name):
        self.files.remove_file(name)

    def open_file(self, name):
        self.files.open_file(name)

    def write_at(self, name, at, buf, start, n):
        self.files.write_at(name, at, buf, start, n)
