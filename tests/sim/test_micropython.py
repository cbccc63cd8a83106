"""The firmware core under the real MicroPython interpreter gives the in-process shot log."""

import os
import tomllib

from sim.report import to_json
from sim.run import Run

DATA = os.path.join(os.path.dirname(__file__), "data")


def strip_wall(text):
    return "\n".join(x for x in text.splitlines() if "wall_seconds" not in x)


def test_micropython_child_gives_the_same_shot_log_and_report_as_in_process():
    with open(os.path.join(DATA, "short.toml"), "rb") as f:
        proto = tomllib.load(f)
    proto["zone"][0]["points"] = 4
    proto["zone"][1]["points"] = 2
    runs = []
    for fw in ("cpython", "micropython"):
        run = Run(proto, seed=11, firmware=fw, fault_specs=["contact_lost#3"])
        rep = run.run()
        runs.append((run, rep))
    (a, ra), (b, rb) = runs
    assert len(a.records) == 6 and [r for r in a.records] == [r for r in b.records]
    assert [f["code"] for f in ra["faults"]] == ["contact_lost"]
    assert strip_wall(to_json(ra)) == strip_wall(to_json(rb))
    # The journal the child wrote went through the world's flash, byte for byte.
    assert a.world.hal.files == b.world.hal.files


def test_every_hal_call_the_child_reports_is_applied_to_the_worlds_hal():
    """The proxy HAL of firmware/ports/sim reports each call as a line; the parent applies
    every kind it can send (a removed file too: pairing removes a staged key)."""
    import io
    import types

    from firmware.ports.sim import hal as child_hal
    from sim.mpy import Child

    calls = []
    world = types.SimpleNamespace(
        remove_file=lambda name: calls.append(("r", name)),
        open_file=lambda name: calls.append(("f", name)),
        write_at=lambda name, at, buf, start, n: calls.append(("p", name, at, bytes(buf[:n]))))
    proxy = child_hal.HAL.__new__(child_hal.HAL)
    proxy.files, proxy.out = {"auth.new": b"k"}, []
    proxy.remove_file("auth.new")
    proxy.open_file("shots.log")
    proxy.write_at("progress.bin", 0, b"ab", 0, 2)
    child = Child.__new__(Child)
    child.hal, child.records = world, []
    child.proc = types.SimpleNamespace(
        stdin=io.StringIO(), stdout=io.StringIO("\n".join(proxy.out + ["= 0 0 0 0 0 0 0"]) + "\n"))
    child._exchange("P")
    assert calls == [("r", "auth.new"), ("f", "shots.log"), ("p", "progress.bin", 0, b"ab")]
