"""The laptop side reads the gun's names from the wire contract (firmware/wire/) and the
pure core (limits, units, board...), never from the gun's shot machine, link or lock."""

import ast
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The gun's own machinery: what runs it, talks for it or guards it.
GUN_ONLY = ("firmware.app", "firmware.shot", "firmware.flow", "firmware.session",
            "firmware.link", "firmware.link_store", "firmware.guard", "firmware.auth",
            "firmware.gun", "firmware.boot", "firmware.mainloop", "firmware.ports")


def firmware_imports(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mod = node.module
            yield from (mod + "." + a.name if mod == "firmware" else mod for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def gun_only(name):
    return any(name == g or name.startswith(g + ".") for g in GUN_ONLY)


def test_host_sources_import_no_gun_machinery():
    bad = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "host")):
        for f in sorted(files):
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                bad += ["%s: %s" % (os.path.relpath(path, ROOT), m)
                        for m in firmware_imports(path) if gun_only(m)]
    assert not bad, "host/ imports the gun's machinery:\n" + "\n".join(bad)


def test_host_layers_pull_in_no_gun_machinery():
    # Imported for real: the pure modules they use must not drag the gun in either.
    code = ("import pkgutil, sys, host\n"
            "for layer in ('link', 'flash', 'protocol', 'report'):\n"
            "    pkg = __import__('host.' + layer, fromlist=['x'])\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        __import__('host.%s.%s' % (layer, m.name))\n"
            "print('\\n'.join(sorted(n for n in sys.modules if n.startswith('firmware'))))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    loaded = p.stdout.split()
    assert "firmware.wire.messages" in loaded
    assert [m for m in loaded if gun_only(m)] == []


def test_a_gun_import_is_caught(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from firmware.shot import STATE_NAMES\nfrom firmware import guard, limits\n")
    assert [m for m in firmware_imports(str(bad)) if gun_only(m)] == [
        "firmware.shot", "firmware.guard"]
