"""Each board's freeze manifest (firmware/ports/frozen_manifest*.py) freezes exactly what
`meso flash` ships for that board.

A manifest is run as MicroPython's manifest runner runs it (from its own folder, given
include() and package()), recording the files it names and the port manifests it includes;
a module added to the firmware and not to the manifests (or named there and gone) fails
here, not in a frozen build.
"""

import os

import pytest

from firmware import board
from host.flash import build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORTS = os.path.join(ROOT, "firmware", "ports")
MANIFESTS = {"unix": os.path.join(PORTS, "frozen_manifest.py"),
             "pico": os.path.join(PORTS, "frozen_manifest_pico.py")}


def frozen_files(path):
    """(repository-relative paths of the files the manifest freezes, port manifests it
    includes by MicroPython's path variables)."""
    named, ports = [], []

    def run(path):
        here = os.path.dirname(path)

        def package(name, files=None, base_path="."):
            assert files is not None, "the manifest must list its files, not a whole folder"
            for rel in files:
                full = os.path.normpath(os.path.join(here, base_path, name, rel))
                assert os.path.isfile(full), "%s names %s, which does not exist" % (path, full)
                named.append(os.path.relpath(full, ROOT).replace(os.sep, "/"))

        def include(rel):
            if rel.startswith("$("):
                ports.append(rel)
            else:
                run(os.path.normpath(os.path.join(here, rel)))

        with open(path, encoding="utf-8") as f:
            exec(compile(f.read(), path, "exec"), {"package": package, "include": include})

    run(path)
    return named, ports


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_each_boards_manifest_freezes_its_build(name):
    named, _ = frozen_files(MANIFESTS[name])
    assert len(named) == len(set(named)), "a file is frozen twice"
    assert sorted(named) == sorted(build.sources(board.by_name(name)))


def test_the_picos_manifest_keeps_the_ports_own_frozen_modules():
    # A FROZEN_MANIFEST replaces the port's: without its _boot no filesystem is mounted.
    _, ports = frozen_files(MANIFESTS["pico"])
    assert ports == ["$(PORT_DIR)/boards/manifest.py"]


def test_a_module_missing_from_the_manifest_is_caught(tmp_path):
    core = os.path.join(PORTS, "frozen_core.py")
    with open(core, encoding="utf-8") as f:
        text = f.read()
    assert " settle " in text
    # The copies sit elsewhere: their ROOT is this repository, as seen from firmware/ports/.
    for src in (core, MANIFESTS["pico"]):
        with open(src, encoding="utf-8") as f:
            body = f.read()
        if src == core:
            body = body.replace(" settle ", " ")
        (tmp_path / os.path.basename(src)).write_text(
            body.replace('ROOT = "../.."', "ROOT = %r" % ROOT), encoding="utf-8")
    named, _ = frozen_files(str(tmp_path / "frozen_manifest_pico.py"))
    assert "firmware/settle.py" not in named
    assert sorted(named) != sorted(build.sources(board.by_name("pico")))
