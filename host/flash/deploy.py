"""Flash and verify: deploy a build into a new folder, check every hash, boot it on trial.

The gun's board is checked before anything is written. A flash writes everything into a
fresh folder (with manifest.sig, the manifest signed with the pairing key, on a paired gun)
and checks it on the device before `trial` names it (one rename). The loader boots a trial
once; the firmware confirms it into `active` at its handshake. A flash cut short, or a new
firmware that never reaches its handshake, leaves the previous firmware booting.
"""

import hashlib
import time

from firmware import manifest
from host.flash import installed, target
from host.flash.build import ROOT
from host.flash.device import Device
from host.flash.errors import FlashError
from host.link.errors import LinkError, TransportError
from host.link.session import Session

HANDSHAKE_WAIT_S = 10.0


def _folders_of(build):
    dirs = set()
    for path in build.files:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return sorted(dirs)


def deploy(port, build, say=print):
    """Write build to the gun on port and boot it on trial; return the folder it boots.

    build is a Build, or a function of a board name that makes one: then the board is the
    gun's own (target.gun_board), asked before anything is compiled."""
    dev = Device.open(port)
    try:
        old_folder, old = dev.manifest()
        facts, recorded = dev.facts(), (old or {}).get("board")
        if callable(build):
            build = build(target.gun_board(port, facts, recorded, ROOT))
        target.check_board(port, build, facts, recorded)
        key = target.paired_key(dev)
        folder = build.folder
        if folder == old_folder:
            folder += "-b"  # never write into the folder that boots
        if folder in dev.folders():
            dev.remove_tree(folder)  # a stale copy (an unconfirmed trial): start clean
        say("deploying %d files (%d bytes) into %s" % (
            len(build.files), sum(len(d) for d in build.files.values()), folder))
        dev.makedirs([folder] + [folder + "/" + d for d in _folders_of(build)])
        for path in sorted(build.files):
            dev.write(folder + "/" + path, build.files[path])
        dev.write(folder + "/" + manifest.NAME, build.manifest_bytes)
        want = {folder + "/" + p: h for p, h in build.manifest["files"].items()}
        want[folder + "/" + manifest.NAME] = hashlib.sha256(build.manifest_bytes).hexdigest()
        if key is not None:  # the loader of a paired gun boots only what its key signed
            sig = manifest.signature(key, build.manifest_bytes)
            dev.write(folder + "/" + manifest.SIG, sig)
            want[folder + "/" + manifest.SIG] = hashlib.sha256(sig).hexdigest()
        loader_new = dev.hashes([manifest.LOADER])[manifest.LOADER] != build.manifest[
            "loader_sha256"]
        if loader_new:
            dev.write(manifest.LOADER + ".new", build.loader)
            want[manifest.LOADER + ".new"] = build.manifest["loader_sha256"]
        got = dev.hashes(sorted(want))  # every byte checked on the device before it boots
        bad = [p for p in sorted(want) if got.get(p) != want[p]]
        if bad:
            raise FlashError("the device holds different bytes for %s; the previous firmware "
                            "stays active" % ", ".join(bad))
        say("verified %d files on the device (SHA-256)" % len(want))
        if loader_new:
            dev.run("import os\nos.rename(%r, %r)" % (manifest.LOADER + ".new", manifest.LOADER))
        dev.replace(manifest.TRIAL, folder)  # booted once; `active` changes at its handshake
        # Keep the previous firmware as a fallback; older ones go.
        for name in dev.folders():
            if name.startswith("fw-") and name not in (folder, old_folder):
                dev.remove_tree(name)
        dev.reboot()
    except BaseException:
        dev.close()
        raise
    return folder


def handshake(port, wait_s=HANDSHAKE_WAIT_S):
    """The identity of the freshly booted gun, retrying while it starts."""
    end = time.monotonic() + wait_s
    while True:
        try:
            s = Session.open(port)
        except (LinkError, TransportError) as e:  # a board's USB port comes back after a reset
            if time.monotonic() > end:
                raise FlashError("the gun did not answer after the reboot: %s; a new firmware "
                                 "stays unconfirmed and the previous one boots at the next "
                                 "reset" % e)
            time.sleep(0.2)
            continue
        try:
            return s.identity
        finally:
            s.close()


def verify(port):
    """(folder, manifest, problems): the gun's board, signature (paired) and files against
    its manifest."""
    dev = Device.open(port)
    try:
        folder, m = dev.manifest()
        if folder is None:
            return None, None, [("active", "missing: this board was never flashed")]
        if m is None:
            return folder, None, [(folder + "/" + manifest.NAME, "missing or unreadable")]
        key = target.paired_key(dev)
        problems = installed.board_and_signature(dev, folder, m, key)
        problems += installed.file_problems(dev, folder, m)
        dev.reboot()
    except BaseException:
        dev.close()
        raise
    return folder, m, problems
