"""firmware/ports/frozen_manifest.py freezes exactly what `meso flash` ships for the unix board.

The manifest is run as MicroPython's manifest runner runs it (from its own folder, given
package()), recording the files it names; a module added to the firmware and not to the
manifest (or named there and gone) fails here, not in a frozen build.
"""

import os

from firmware import board
from host.flash import build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(ROOT, "firmware", "ports", "frozen_manifest.py")


def frozen_files(path=MANIFEST):
    """Repository-relative paths of the files the manifest freezes."""
    here = os.path.dirname(path)
    named = []

    def package(name, files=None, base_path="."):
        assert files is not None, "the manifest must list its files, not a whole folder"
        for rel in files:
            full = os.path.normpath(os.path.join(here, base_path, name, rel))
            assert os.path.isfile(full), "%s names %s, which does not exist" % (path, full)
            named.append(os.path.relpath(full, ROOT).replace(os.sep, "/"))

    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), {"package": package})
    return named


def test_the_manifest_freezes_the_unix_boards_build():
    named = frozen_files()
    assert len(named) == len(set(named)), "a file is frozen twice"
    assert sorted(named) == sorted(build.sources(board.by_name("unix")))


def test_a_module_missing_from_the_manifest_is_caught(tmp_path):
    with open(MANIFEST, encoding="utf-8") as f:
        text = f.read()
    assert " settle " in text
    cut = tmp_path / "frozen_manifest.py"
    # The copy sits elsewhere: its ROOT is this repository, as seen from firmware/ports/.
    text = text.replace(" settle ", " ").replace('ROOT = "../.."', "ROOT = %r" % ROOT)
    cut.write_text(text, encoding="utf-8")
    named = frozen_files(str(cut))
    assert "firmware/settle.py" not in named
    assert sorted(named) != sorted(build.sources(board.by_name("unix")))
