"""Flash time of the whole firmware over the virtual board: `python -m bench.flash`.

Prints build time (mpy-cross of every file), a first flash onto an empty board, a re-flash
through maintenance (the app running), verify, and the boot after a power cycle open and
paired (the loader then checks the manifest's signature and every file's hash before it
imports any), each the median of --runs.
"""

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time

from host.cli import main as cli_main
from host.flash import deploy
from host.flash.build import build
from sim.board import VirtualBoard


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def one_run():
    with tempfile.TemporaryDirectory() as flash_dir:
        board = VirtualBoard(flash_dir)
        board.start()
        try:
            t_build, b = timed(lambda: build("unix"))
            t_first, _ = timed(lambda: deploy.deploy(board.port, b, say=lambda *a: None))
            t_boot, _ = timed(lambda: deploy.handshake(board.port))
            t_again, _ = timed(lambda: deploy.deploy(board.port, b, say=lambda *a: None))
            deploy.handshake(board.port)
            t_verify, (_, _, problems) = timed(lambda: deploy.verify(board.port))
            assert not problems, problems
            deploy.handshake(board.port)
            t_open = power_cycle_to_handshake(board)
            with tempfile.TemporaryDirectory() as keys_dir:
                os.environ["MESO_KEYS"] = keys_dir
                with contextlib.redirect_stdout(io.StringIO()):
                    assert cli_main(["pair", "--port", board.port]) == 0
                t_paired = power_cycle_to_handshake(board)
        finally:
            os.environ.pop("MESO_KEYS", None)
            board.stop()
    size = sum(len(d) for d in b.files.values())
    return {"build_s": t_build, "first_flash_s": t_first, "boot_to_handshake_s": t_boot,
            "reflash_s": t_again, "verify_s": t_verify, "open_boot_s": t_open,
            "paired_boot_s": t_paired, "files": len(b.files), "bytes": size}


def power_cycle_to_handshake(board):
    board.power_cycle()
    return timed(lambda: deploy.handshake(board.port))[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    runs = [one_run() for _ in range(args.runs)]
    print("firmware for the unix board: %d files, %d bytes of .mpy" % (
        runs[0]["files"], runs[0]["bytes"]))
    for key, what in (("build_s", "build (mpy-cross, every file)"),
                      ("first_flash_s", "deploy + on-device SHA-256 check, empty board"),
                      ("boot_to_handshake_s", "reboot to handshake"),
                      ("reflash_s", "re-flash through maintenance (app running)"),
                      ("verify_s", "meso verify (maintenance, hashes, reboot)"),
                      ("open_boot_s", "power cycle to handshake, open gun"),
                      ("paired_boot_s", "power cycle to handshake, paired (loader checks)")):
        vals = [r[key] for r in runs]
        print("  %-48s median %.2f s  (min %.2f, max %.2f)" % (
            what, statistics.median(vals), min(vals), max(vals)))
    total = [r["build_s"] + r["first_flash_s"] + r["boot_to_handshake_s"] for r in runs]
    print("  %-48s median %.2f s" % ("whole flash (build + deploy + boot)", statistics.median(total)))
    print("  %-48s %.2f" % ("paired / open boot", statistics.median(
        [r["paired_boot_s"] / r["open_boot_s"] for r in runs])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
