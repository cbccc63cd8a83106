"""Flash and verify: deploy a build into a new folder, check every hash, switch, reboot.

The gun boots the folder named in `active`. A flash writes everything into a fresh folder
and checks it on the device before `active` is rewritten (one rename), so a flash cut short
at any point leaves the previous firmware booting.
"""

import time

from firmware import manifest
from host.flash.device import Device
from host.flash.errors import FlashError
from host.link.errors import LinkError
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
    """Write build to the gun on port and switch to it; return the folder it boots."""
    dev = Device.open(port)
    try:
        old_folder, _ = dev.manifest()
        folder = build.folder
        if folder == old_folder:
            folder += "-b"  # never write into the folder that boots
        say("deploying %d files (%d bytes) into %s" % (
            len(build.files), sum(len(d) for d in build.files.values()), folder))
        dev.makedirs([folder] + [folder + "/" + d for d in _folders_of(build)])
        for path in sorted(build.files):
            dev.write(folder + "/" + path, build.files[path])
        dev.write(folder + "/" + manifest.NAME, build.manifest_bytes)
        loader_new = dev.hashes([manifest.LOADER])[manifest.LOADER] != build.manifest[
            "loader_sha256"]
        if loader_new:
            dev.write(manifest.LOADER + ".new", build.loader)
        # Every byte checked on the device before anything boots it.
        want = {folder + "/" + p: h for p, h in build.manifest["files"].items()}
        if loader_new:
            want[manifest.LOADER + ".new"] = build.manifest["loader_sha256"]
        got = dev.hashes(sorted(want))
        bad = [p for p in sorted(want) if got.get(p) != want[p]]
        if bad:
            raise FlashError("the device holds different bytes for %s; the previous firmware "
                            "stays active" % ", ".join(bad))
        say("verified %d files on the device (SHA-256)" % len(want))
        if loader_new:
            dev.run("import os\nos.rename(%r, %r)" % (manifest.LOADER + ".new", manifest.LOADER))
        dev.replace(manifest.ACTIVE, folder)
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
        except LinkError as e:
            if time.monotonic() > end:
                raise FlashError("the gun did not answer after the reboot: %s" % e)
            time.sleep(0.2)
            continue
        try:
            return s.identity
        finally:
            s.close()


def verify(port):
    """(folder, manifest, problems) comparing the gun's files with its manifest."""
    dev = Device.open(port)
    try:
        folder, m = dev.manifest()
        if folder is None:
            return None, None, [("active", "missing: this board was never flashed")]
        if m is None:
            return folder, None, [(folder + "/" + manifest.NAME, "missing or unreadable")]
        present = [p for p in dev.listing(folder) if p != manifest.NAME]
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
        dev.reboot()
    except BaseException:
        dev.close()
        raise
    return folder, m, problems
