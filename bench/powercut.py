"""`python -m bench.powercut`: a power cut at every write point of every file the gun writes.

Each file is written the way the gun (or the laptop, over the REPL) writes it, on a model
flash that can lose power after any byte written, any rename, remove or sync: littlefs
(rename over a file is atomic) and FAT (it is refused). The boards' real file store
(firmware/ports/files.py FileStore) runs on it. After each cut the gun's own reading code
reads the file back; the read must give the old content or the new, or "damaged" where the
gun then stays safe and locked. Anything else is a bad read. Prints cut points tried, files
and bad reads per file.
"""

import hashlib
import json
import sys

from firmware import auth, calibration, pairing
from firmware import progress as prog
from firmware.link_store import STORED, read_stored
from firmware.wire import record
from firmware.wire.files import KEY_FILE


class PowerCut(Exception):
    pass


class Flash:
    """Files as bytes by path; budget: write points left before the power goes (None: no cut)."""

    def __init__(self, files, fat):
        self.files = {k: bytearray(v) for k, v in files.items()}
        self.fat = fat
        self.budget = None
        self.points = 0

    def tick(self):
        self.points += 1
        if self.budget is not None:
            if self.budget == 0:
                raise PowerCut()
            self.budget -= 1

    def open(self, path, mode="r"):
        return FlashFile(self, path, mode)


class FlashFile:
    def __init__(self, flash, path, mode):
        self.flash = flash
        self.path = path
        self.mode = mode
        self.pos = 0
        if "w" in mode:
            flash.tick()
            flash.files[path] = bytearray()
        elif "a" in mode:
            flash.tick()
            flash.files.setdefault(path, bytearray())
        elif path not in flash.files:
            raise OSError(2, "no such file")

    def seek(self, offset, whence=0):
        self.pos = offset + (len(self.flash.files[self.path]) if whence == 2 else 0)
        return self.pos

    def write(self, data, start=0, n=None):
        """As MicroPython's stream write(buf[, start, n]); a cut may come after any byte."""
        if isinstance(data, str):
            data = data.encode()
        data = bytes(data)
        data = data[start:] if n is None else data[start:start + n]
        f = self.flash.files[self.path]
        if "a" in self.mode:
            self.pos = len(f)
        for b in data:
            self.flash.tick()
            if self.pos < len(f):
                f[self.pos] = b
            else:
                f.extend(bytes(self.pos - len(f)))
                f.append(b)
            self.pos += 1
        return len(data)

    def read(self):
        data = bytes(self.flash.files[self.path])
        return data if "b" in self.mode else data.decode()

    def flush(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FlashOS:
    """The os functions the file store uses, on a Flash."""

    def __init__(self, flash):
        self.flash = flash

    def stat(self, path):
        f = self.flash.files
        if path in f or any(k.startswith(path + "/") for k in f) or path in ("data", ""):
            return (0,)
        raise OSError(2, "no such file")

    def mkdir(self, path):
        pass

    def sync(self):
        self.flash.tick()

    def remove(self, path):
        self.flash.tick()
        if path not in self.flash.files:
            raise OSError(2, "no such file")
        del self.flash.files[path]

    def rename(self, a, b):
        f = self.flash.files
        if a not in f:
            raise OSError(2, "no such file")
        if self.flash.fat and b in f:
            raise OSError(17, "exists")  # FAT will not rename over a file
        self.flash.tick()
        f[b] = f.pop(a)


class Mounted:
    """The real FileStore of the boards (firmware/ports/files.py) over a Flash (its os and
    open swapped in)."""

    def __init__(self, flash):
        from firmware.ports import files

        self.files = files
        self.flash = flash

    def __enter__(self):
        c = self.files
        self.saved = c.os, c.__dict__.get("open")
        c.os = FlashOS(self.flash)
        c.open = self.flash.open
        return c.FileStore("data")

    def __exit__(self, *exc):
        c = self.files
        c.os = self.saved[0]
        if self.saved[1] is None:
            del c.open
        else:
            c.open = self.saved[1]
        return False


# -- the files, each: (initial files, write(store, flash), read(store, flash) -> verdict) ------

def _rec(shot):
    buf = bytearray(record.SIZE)
    import struct

    struct.pack_into(record.FORMAT, buf, 0, record.MAGIC, shot, 0, shot - 1, 0, 0, 20000, 3560,
                     1000, 10 * shot, 10 * shot + 5, 20000, 7, 0)
    struct.pack_into("<H", buf, record.SIZE - 2, record.crc16(buf, 0, record.SIZE - 2))
    return bytes(buf)


def shot_log(first):
    old = b"" if first else _rec(1) + _rec(2) + _rec(3)
    new_rec = _rec(4)
    want_old = record.read_journal(old)
    want_new = record.read_journal(old + new_rec)

    def write(store, flash):
        store.open_file("shots.log")  # as the app does at power-up
        store.write_at("shots.log", -1, new_rec, 0, len(new_rec))

    def read(store, flash):
        got = record.read_journal(store.read_file("shots.log") or b"")
        return "old" if got == want_old else "new" if got == want_new else "bad"

    return {"data/shots.log": old} if old else {}, write, read


def _progress(shots, pending=0):
    p = prog.Progress()
    p.boot, p.status, p.sha, p.shots, p.point, p.zone_points = 4, prog.RUNNING, b"\x11" * 32, \
        shots, shots, 40
    p.pending = pending
    return p


def progress(first):
    """The save that lets shot 9 start (pending: both slots written in place, one after the
    other), over the file two saves left (shots 6, then 7); a first save makes the file."""
    files = {}
    if not first:
        mem = {}

        class Ram:  # the file as the gun's saves left it, made by the same code
            def write_file_atomic(self, name, data):
                mem[name] = bytearray(data)

            def open_file(self, name):
                pass

            def write_at(self, name, at, buf, start, n):
                mem[name][at:at + n] = buf[start:start + n]

        ram = Ram()
        p = _progress(6)
        prog.save(ram, p)
        p.shots = p.point = 7
        prog.save(ram, p)
        files = {"data/" + prog.FILE: mem[prog.FILE]}
    old_shots = 0 if first else 7

    def write(store, flash):
        p = prog.load(store)
        assert not p.damaged and p.shots == old_shots
        p.status, p.shots, p.point, p.pending = prog.RUNNING, 8, 8, 1
        prog.save(store, p)

    def read(store, flash):
        p = prog.load(store)
        if p.damaged:
            return "damaged"  # the gun comes up interrupted: nothing runs until discarded
        if p.status == prog.RUNNING and p.shots == 8 and p.pending == 1:
            return "new"
        return "old" if p.shots == old_shots and not p.pending else "bad"

    return files, write, read


def settings(first):
    old = None if first else b'{"backlash_um": 40, "cal_ppm": 1004000}'

    def write(store, flash):
        assert calibration.store(store, {"cal_ppm": 1012000}) == []

    def read(store, flash):
        got, problems = calibration.load(store)
        if problems:
            return "bad"  # a damaged file falls back to nominal values: not safe
        if got["cal_ppm"] == 1012000:
            return "new"
        return "old" if got == calibration.parse(old)[0] else "bad"

    return ({"data/" + calibration.NAME: old} if old else {}), write, read


def stored_protocol(first):
    def blob(name):
        body = json.dumps({"protocol": {"name": name}, "zone": []}).encode()
        return hashlib.sha256(body).digest() + body, body

    old, old_body = blob("old") if not first else (None, None)
    new, new_body = blob("new protocol")

    def write(store, flash):
        store.write_file_atomic(STORED, new)

    def read(store, flash):
        body = read_stored(store)
        if body is None:
            return "old" if old is None else "damaged"  # a damaged file is never run
        return "old" if body == old_body else "new" if body == new_body else "bad"

    return ({"data/" + STORED: old} if old else {}), write, read


def _host_rename(flash, a, b):
    """os.rename run over the REPL: on FAT over a file it fails, and the host reports it
    (the file keeps its old content)."""
    try:
        FlashOS(flash).rename(a, b)
    except OSError:
        pass


def auth_key(first):
    """Pairing on the gun (firmware/pairing.py): the key staged as auth.new, then committed to
    auth.key once the laptop proved it (auth.new removed); re-pairing replaces a key."""
    old = None if first else b"\x01" * auth.KEY_BYTES
    new = b"\x02" * auth.KEY_BYTES
    path = "data/" + KEY_FILE

    def write(store, flash):
        pairing.stage(store, new)
        pairing.commit(store, new)

    def read(store, flash):
        mode, key, _staged, _problems = pairing.load(store)
        if mode == pairing.LOCKED:
            return "damaged"  # locked: HELLO and STATUS only, the physical recovery
        if mode in (pairing.OPEN, pairing.PAIRING):
            # Not (re-)paired yet, or a staged key nobody confirmed: the key in force must be
            # the one before (none on a first pairing).
            return "old" if key == old else "bad"
        return "old" if key == old else "new" if key == new else "bad"

    return ({path: old} if old else {}), write, read


def firmware_switch(first):
    """`meso flash`: a new folder with its manifest, then `active` replaced (host/flash)."""
    new_m = json.dumps({"files": {"firmware/app.py": "ab" * 32}, "board": "pico"}).encode()
    old_m = json.dumps({"files": {"firmware/app.py": "cd" * 32}, "board": "pico"}).encode()
    files = {} if first else {"active": b"fw-1", "fw-1/manifest.json": old_m,
                              "fw-1/firmware/app.py": b"old"}

    def write(store, flash):
        for path, data in (("fw-2/firmware/app.py", b"new app"), ("fw-2/manifest.json", new_m)):
            with flash.open(path, "wb") as f:
                f.write(data)
        with flash.open("active.new", "w") as f:  # Device.replace
            f.write("fw-2")
        _host_rename(flash, "active.new", "active")

    def read(store, flash):
        f = flash.files
        if "active" not in f:
            return "old" if first else "bad"  # main.py: "no firmware here", nothing runs
        folder = bytes(f["active"]).decode().strip()  # what main.py boots
        m = f.get(folder + "/manifest.json")
        if folder == "fw-2" and m == bytearray(new_m) and f.get("fw-2/firmware/app.py") == b"new app":
            return "new"
        if folder == "fw-1" and m == bytearray(old_m):
            return "old"
        return "bad"

    return files, write, read


FILES = (
    ("shot log", shot_log),
    ("session progress", progress),
    ("settings/calibration", settings),
    ("stored protocol", stored_protocol),
    ("auth key (two-phase pairing)", auth_key),
    ("manifest + active pointer", firmware_switch),
)


def _once(case, first, fat, budget):
    files, write, read = case(first)
    flash = Flash(files, fat)
    flash.budget = budget
    with Mounted(flash) as store:
        try:
            write(store, flash)
        except PowerCut:
            pass
        flash.budget = None
        return read(store, flash), flash.points


def cut_everywhere(case, first, fat):
    """(cut points tried, verdict counts) of one write of case."""
    _, points = _once(case, first, fat, None)
    counts = {"old": 0, "new": 0, "damaged": 0, "bad": 0}
    for k in range(points + 1):  # k = points written before the cut; points: no cut
        verdict, _ = _once(case, first, fat, k)
        counts[verdict] += 1
    return points + 1, counts


def run():
    """Rows (file, flash, first write or replace, cut points, counts)."""
    rows = []
    for name, case in FILES:
        for fat in (False, True):
            for first in (True, False):
                tried, counts = cut_everywhere(case, first, fat)
                rows.append((name, "FAT" if fat else "littlefs", "first" if first else "replace",
                             tried, counts))
    return rows


def main():
    rows = run()
    print("%-26s %-8s %-8s %6s %5s %5s %8s %4s" % ("file", "flash", "write", "cuts", "old",
                                                   "new", "damaged", "bad"))
    for name, fs, kind, tried, c in rows:
        print("%-26s %-8s %-8s %6d %5d %5d %8d %4d" % (name, fs, kind, tried, c["old"], c["new"],
                                                       c["damaged"], c["bad"]))
    total = sum(r[3] for r in rows)
    bad = sum(r[4]["bad"] for r in rows)
    print("cut points tried %d, files %d, bad reads %d" % (total, len(FILES), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
