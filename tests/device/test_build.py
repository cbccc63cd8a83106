"""Reproducible builds: the same source gives the same bytes and the same firmware id."""

import json
import subprocess
import time

from host.flash import build as build_mod


def test_two_builds_of_the_same_tree_are_identical(unix_build):
    started = time.time()
    while int(time.time()) == int(started):  # a build a clock second later, at least
        time.sleep(0.05)
    again = build_mod.build("unix")
    assert again.files == unix_build.files
    assert again.manifest_bytes == unix_build.manifest_bytes
    assert again.build_id == unix_build.build_id and again.folder == unix_build.folder
    m = json.loads(again.manifest_bytes)
    assert "build_time" not in m
    assert list(m["files"]) == sorted(m["files"])


def test_manifest_records_the_source_commit(unix_build):
    m = unix_build.manifest
    head = subprocess.run(["git", "-C", build_mod.ROOT, "rev-parse", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    assert m["commit"] == head and len(head) == 40
    rels = build_mod.sources(unix_build.board)
    changed = subprocess.run(["git", "-C", build_mod.ROOT, "status", "--porcelain", "--",
                              "main.py"] + rels, capture_output=True, text=True)
    assert m["dirty"] is bool(changed.stdout.strip())
    assert m["compiler"].startswith("MicroPython v") and "mpy-cross" in m["compiler"]


def test_without_git_the_commit_is_unknown(monkeypatch):
    monkeypatch.setattr(build_mod, "_git", lambda *args: None)
    assert build_mod.source_state(["firmware/boot.py"]) == ("unknown", None)
