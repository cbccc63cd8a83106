"""The firmware installed on a gun, checked from its REPL: files, board and signature."""

import hashlib

from firmware import manifest
from host.flash import target
from host.flash.errors import FlashError


def file_problems(dev, folder, m):
    """(path, what) for each file of folder that is missing, changed or not in m."""
    present = [p for p in dev.listing(folder)
               if p not in (manifest.NAME, manifest.SIG, manifest.SIG_NEW)]
    paths = [folder + "/" + p for p in sorted(m["files"])] + [manifest.LOADER]
    got = dev.hashes(paths)
    problems = []
    for p in sorted(m["files"]):
        h = got[folder + "/" + p]
        if h is None:
            problems.append((p, "missing"))
        elif h != m["files"][p]:
            problems.append((p, "changed (SHA-256 differs from the manifest)"))
    for p in sorted(present):
        if p not in m["files"]:
            problems.append((p, "not in the manifest"))
    if got[manifest.LOADER] != m.get("loader_sha256"):
        problems.append(("/" + manifest.LOADER, "changed or missing"))
    return problems


def board_and_signature(dev, folder, m, key):
    """Problems of the manifest itself: built for another board than the gun's MCU, or (key
    given: the gun is paired) not signed with it, so that the gun's loader refuses it."""
    problems = []
    why = target.board_problem(m.get("board"), m.get("mpy_arch"), dev.facts(), None)
    if why:
        problems.append(("board", "this firmware is for board %s (%s) but %s" % (
            m.get("board"), m.get("mpy_arch"), why)))
    if key is not None:
        want = manifest.signature(key, (dev.read(folder + "/" + manifest.NAME) or "").encode())
        sigs = [(dev.read(folder + "/" + n) or "").strip() for n in (manifest.SIG,
                                                                    manifest.SIG_NEW)]
        if want.decode() not in sigs:
            problems.append((manifest.SIG, "missing or not signed with this gun's key"))
    return problems


def sign_installed(dev, key):
    """Sign the gun's active firmware with a new pairing key, once its files check out, so
    that its loader still boots it when the key takes effect. Call before the key does;
    the signature goes to manifest.sig.new, which the loader accepts beside manifest.sig,
    so a cut before or after the key changes leaves a bootable gun. Returns the folder."""
    folder, m = dev.manifest()
    if folder is None or m is None:
        raise FlashError("the gun on %s holds no complete firmware: flash it (meso flash) before "
                         "pairing" % dev.port)
    problems = file_problems(dev, folder, m) + board_and_signature(dev, folder, m, None)
    if problems:
        raise FlashError("the gun's firmware %s does not match its manifest (%s): flash it "
                         "again before pairing; nothing changed" % (
                             folder, manifest.describe(problems)))
    sig = manifest.signature(key, (dev.read(folder + "/" + manifest.NAME) or "").encode())
    path = folder + "/" + manifest.SIG_NEW
    dev.write(path, sig)
    if dev.hashes([path])[path] != hashlib.sha256(sig).hexdigest():
        raise FlashError("the firmware's signature did not reach the gun intact; nothing changed")
    return folder


def settle_signature(dev, folder):
    """Once the new key is in place: its signature becomes manifest.sig."""
    dev.run("import os\nos.rename(%r, %r)" % (folder + "/" + manifest.SIG_NEW,
                                           folder + "/" + manifest.SIG))
