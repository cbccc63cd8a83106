"""The host's imports point down: commands -> (cliutil, link, flash, report, protocol);
cliutil -> (link, protocol); flash -> link; link, report and protocol use nothing above them.

Every import in every file counts, the ones inside functions too (a lazy import is still a
dependency). A layer missing from ALLOWED fails, so a new host package must be placed.
"""

import ast
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = os.path.join(ROOT, "host")

BASE = {"host.errors", "host.argtypes"}  # leaf modules any layer may use
# host.X (a package or a top-level module) -> the host.Y it may import besides itself.
ALLOWED = {
    "host.errors": set(),
    "host.argtypes": set(),
    "host.presets": {"host.errors"},
    "host.screening": {"host.errors"},
    "host.link": BASE,
    "host.protocol": BASE | {"host.presets"},
    "host.report": BASE,
    "host.flash": BASE | {"host.link"},
    "host.cliutil": BASE | {"host.link", "host.protocol"},
    "host.ui": BASE | {"host", "host.presets", "host.screening", "host.link", "host.protocol",
                       "host.report", "host.cliutil"},
    "host.commands": BASE | {"host", "host.presets", "host.screening", "host.link",
                             "host.protocol", "host.report", "host.flash", "host.cliutil",
                             "host.ui"},
    "host.cli": BASE | {"host.commands", "host.cliutil"},
}
# Only the commands that start a virtual device reach the simulator (docs: DESIGN rule 6).
SIM_USERS = {"host.commands"}


def layer_of(module):
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def host_files():
    for folder, _, names in os.walk(HOST):
        for n in sorted(names):
            if n.endswith(".py"):
                path = os.path.join(folder, n)
                rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                yield path, rel.removesuffix(".__init__")


def imports(path, module):
    """Every module path[module] imports, absolute (relative imports resolved)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                base = ".".join(up[:len(up) - node.level + 1] + ([base] if base else []))
            for a in node.names:  # `from host import protocol` imports host.protocol
                yield node.lineno, base + "." + a.name if base == "host" else base


def violations():
    found = []
    for path, module in host_files():
        mine = layer_of(module)
        if mine not in ALLOWED and module != "host":
            found.append("%s: layer %s is not placed in ALLOWED" % (module, mine))
            continue
        for line, target in imports(path, module):
            where = "%s:%d" % (os.path.relpath(path, ROOT), line)
            if target.split(".")[0] == "sim" and mine not in SIM_USERS:
                found.append("%s: %s imports %s (only commands start the simulator)"
                             % (where, mine, target))
            if target.split(".")[0] != "host" or target == "host":
                continue
            theirs = layer_of(target)
            if theirs != mine and theirs not in ALLOWED.get(mine, set()):
                found.append("%s: %s imports %s" % (where, mine, target))
    return found


def test_host_imports_point_down():
    assert violations() == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The check itself: a link module importing a command, lazily, is caught."""
    bad = tmp_path / "host" / "link"
    bad.mkdir(parents=True)
    (tmp_path / "host" / "__init__.py").write_text("")
    (bad / "__init__.py").write_text("")
    (bad / "x.py").write_text('"""x"""\n\n\ndef f():\n    from host.flash.service import y\n')
    monkeypatch.setattr(sys.modules[__name__], "HOST", str(tmp_path / "host"))
    monkeypatch.setattr(sys.modules[__name__], "ROOT", str(tmp_path))
    assert violations() == ["host/link/x.py:5: host.link imports host.flash.service"]


@pytest.mark.parametrize("layer", ["host.link", "host.report", "host.protocol"])
def test_bottom_layers_import_no_other_layer(layer):
    assert not ALLOWED[layer] & {"host.commands", "host.cliutil", "host.flash", "host.link",
                                 "host.report", "host.protocol", "host.cli"}


def bare_raises(folder):
    """(file:line) of every `raise MesoError(...)` under a layer's folder."""
    found = []
    for path, _ in host_files():
        rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
        if not rel.startswith(folder + "/"):
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and getattr(node.exc.func, "id", None) == "MesoError"):
                found.append("%s:%d" % (rel, node.lineno))
    return found


@pytest.mark.parametrize("folder", ["host/link", "host/flash", "host/report", "host/protocol"])
def test_layers_raise_their_own_error(folder):
    assert bare_raises(folder) == []
