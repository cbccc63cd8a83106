"""The shot machine is closed: no module outside it sets its fields (read from source)."""

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OWN = {"firmware/shot.py", "firmware/shotcmd.py", "firmware/shotplan.py"}


def machine_writes(path):
    """(line, field) of every assignment to a field of a .machine (or a name bound to one)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "machine":
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    out = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AugAssign) else [])
        for t in targets:
            if not isinstance(t, ast.Attribute):
                continue
            owner = t.value
            if (isinstance(owner, ast.Attribute) and owner.attr == "machine") or (
                    isinstance(owner, ast.Name) and owner.id in aliases):
                out.append((t.lineno, t.attr))
    return out


def test_no_module_sets_the_shot_machines_fields():
    bad = []
    for top in ("firmware", "sim", "host", "bench"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                rel = os.path.relpath(os.path.join(dirpath, f), ROOT)
                if f.endswith(".py") and rel not in OWN:
                    bad += ["%s:%d %s" % (rel, n, a) for n, a in machine_writes(
                        os.path.join(ROOT, rel))]
    assert not bad, "fields of the shot machine set from outside:\n" + "\n".join(bad)


def test_a_field_write_is_caught(tmp_path):
    src = tmp_path / "w.py"
    src.write_text("def f(app):\n    m = app.machine\n    m.state = 0\n    app.machine.ms += 1\n")
    assert sorted(machine_writes(str(src))) == [(3, "state"), (4, "ms")]
