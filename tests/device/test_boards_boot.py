"""Every board in boards/ boots through the real boot path up to the link handshake.

Each board's firmware is built as `meso flash` builds it and laid out as on its flash; boot
checks it against the manifest, imports the port the board names and answers a HELLO over
the console. Boards built for an MCU boot under CPython, with fakes of the MCU's modules
that record what the port configures (tests/device/fake_mcu.py); boards built for the host
boot under the real MicroPython on a virtual board. A board added to boards/ is covered here without editing this file.
"""

import builtins
import importlib
import io
import json
import os
import sys
import time

import pytest

from firmware import board as board_mod
from firmware import boot, manifest
from firmware.wire import PROTOCOL_VERSION
from firmware.wire import messages as M
from firmware.wire.endpoint import Endpoint
from host.errors import MesoError
from host.flash import build as flash_build

from .conftest import flash_with
from .fake_mcu import Log, modules

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOARDS = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "boards"))
                if f.endswith(".py") and not f.startswith("_"))
PERIOD = 1 << 30


@pytest.fixture(scope="module")
def builds():
    """The flash image of each board, built once for the module."""
    made = {}

    def get(name):
        if name not in made:
            made[name] = flash_build.build(name)
        return made[name]

    return get


def lay_out(root, b):
    """The flash of a gun flashed with build b: loader, active, firmware folder."""
    for rel, data in b.files.items():
        path = os.path.join(root, b.folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    with open(os.path.join(root, b.folder, manifest.NAME), "wb") as f:
        f.write(b.manifest_bytes)
    with open(os.path.join(root, manifest.LOADER), "wb") as f:
        f.write(b.loader)
    with open(os.path.join(root, "active"), "w") as f:
        f.write(b.folder)


class Clock:
    """MicroPython's ticks functions on a clock the test moves, for the real time module."""

    def __init__(self):
        self.us = 0

    def install(self, monkeypatch):
        def sleep_us(n):
            self.us += max(0, int(n))

        for name, fn in (("ticks_us", lambda: self.us % PERIOD),
                         ("ticks_ms", lambda: (self.us // 1000) % PERIOD),
                         ("ticks_diff", lambda a, b: (a - b + PERIOD // 2) % PERIOD - PERIOD // 2),
                         ("ticks_add", lambda a, d: (a + d) % PERIOD),
                         ("sleep_us", sleep_us), ("sleep_ms", lambda n: sleep_us(1000 * n))):
            monkeypatch.setattr(time, name, fn, raising=False)


class Console:
    """The gun's stdin and stdout as real pipes (the ports poll stdin with select)."""

    def __init__(self, monkeypatch):
        r, self.to_gun = os.pipe()
        self.from_gun, w = os.pipe()
        os.set_blocking(self.from_gun, False)
        self.stdin = io.TextIOWrapper(open(r, "rb", buffering=0))
        self.stdout = io.TextIOWrapper(open(w, "wb", buffering=0), write_through=True)
        monkeypatch.setattr(sys, "stdin", self.stdin)
        monkeypatch.setattr(sys, "stdout", self.stdout)

    def read(self):
        try:
            return os.read(self.from_gun, 65536)
        except BlockingIOError:
            return b""

    def close(self):
        self.stdin.close()
        self.stdout.close()
        os.close(self.to_gun)
        os.close(self.from_gun)


def handshake(clock, console, hal, app, link):
    """HELLO for each part of the gun's identity, as meso does; return the identity."""
    got = []
    host = Endpoint(lambda d: os.write(console.to_gun, bytes(d)),
                    lambda mid, tag, p, n, fresh: got.append((mid, bytes(p[:n]))),
                    mask=PERIOD - 1)
    host.reset(clock.us)
    parts, total = [], 1
    while len(parts) < total:
        for _ in range(100):
            host.send_rt(M.HELLO, len(parts), (0x1234, len(parts)))
            host.poll(clock.us)
            now = hal.ticks()
            app.poll(now)
            link.poll(now)
            clock.us += 1000
            data = console.read()
            if data:
                host.feed(bytearray(data), len(data), clock.us)
            ids = [M.unpack(mid, p)[1] for mid, p in got if mid == M.IDENTITY]
            if ids and ids[-1]["part"] == len(parts):
                break
        else:
            pytest.fail("no identity part %d from the gun" % len(parts))
        assert host.peer_version == PROTOCOL_VERSION
        if not parts:
            host.reset(clock.us)
        total = ids[-1]["parts"]
        parts.append(ids[-1]["info"])
        got.clear()
    return json.loads(b"".join(parts))


@pytest.fixture
def fake_mcu(monkeypatch, tmp_path):
    """The fake MCU modules and a test clock; the port's modules are
    imported afresh against the fakes and dropped afterwards."""
    log = Log()
    for name, mod in modules(log).items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.setattr(builtins, "ptr32", sys.modules["micropython"].ptr32, raising=False)
    before = {k for k in sys.modules if k.startswith("firmware.ports")}
    for k in before:
        monkeypatch.delitem(sys.modules, k)
    clock = Clock()
    clock.install(monkeypatch)
    monkeypatch.setitem(boot.STATUS, "problems", [])
    yield log, clock
    for k in [k for k in sys.modules if k.startswith("firmware.ports")]:
        del sys.modules[k]


@pytest.mark.parametrize("name", BOARDS)
def test_board_boots_to_the_handshake_under_cpython(name, builds, fake_mcu, tmp_path,
                                                    monkeypatch, request):
    log, clock = fake_mcu
    b = builds(name)
    if b.board.mpy_arch == "host":
        pytest.skip("built for the host: boots under the real MicroPython (test below)")
    # Set in the test itself: pytest puts its own capture back on sys.stdout at each phase.
    console = Console(monkeypatch)
    request.addfinalizer(console.close)
    flash = tmp_path / "flash"
    lay_out(str(flash), b)
    monkeypatch.chdir(flash)
    # The board's /data is the test's folder: the port's HAL keeps its files there.
    hal_cls = importlib.import_module("firmware.ports.%s.hal" % b.board.port).HAL
    defaults = hal_cls.__init__.__defaults__
    if defaults and isinstance(defaults[-1], str):
        monkeypatch.setattr(hal_cls.__init__, "__defaults__",
                            defaults[:-1] + (str(flash / "data"),))
    if not hasattr(hal_cls, "stream"):
        # The sim port's HAL talks to the SimPy kernel, not a console: lend it one.
        from firmware.ports.stream import Stream

        monkeypatch.setattr(hal_cls, "read_bytes", lambda self, buf: self.console.read_bytes(buf))
        monkeypatch.setattr(hal_cls, "write_bytes", lambda self, d: self.console.write_bytes(d))
        monkeypatch.setattr(hal_cls, "console", Stream(False), raising=False)
    hal, app, link = boot.build(b.folder)
    assert boot.STATUS["ok"], boot.STATUS["problems"]
    assert type(hal) is hal_cls
    info = handshake(clock, console, hal, app, link)
    assert info["board"] == name and info["firmware_ok"] is True
    assert info["folder"] == b.folder
    pins = b.board.pins
    if b.board.port in ("rp2", "esp32s3"):  # GPIO numbers: every pin the board names is set up
        configured = {c[0] for c in log.of("pin")}
        assert {v for v in pins.values() if v is not None} - configured == set()
    if log.calls:
        assert (-1,) in log.of("kbd_intr")  # the app owns the console
    if b.board.port == "rp2":
        assert [c[1] for c in log.of("state_machine")] == [b.board.step_clock_hz] * 2
    if b.board.port == "esp32s3":
        assert [c[2] for c in log.of("rmt")] == [b.board.step_clock_hz] * 2
    if b.board.port == "pyboard":
        assert [c[0] for c in log.of("timer")] == [2, 5]
        assert [c[2] for c in log.of("timer_channel")] == ["A5", "A2"]


@pytest.mark.parametrize("name", BOARDS)
def test_board_boots_to_the_handshake_under_micropython(name, builds, tmp_path):
    b = builds(name)
    if b.board.mpy_arch != "host":
        pytest.skip("built for %s: boots on its MCU (and under CPython above)" % b.board.mpy_arch)
    from sim.board import VirtualBoard

    vb = VirtualBoard(str(tmp_path / "flash"))
    vb.start()
    try:
        flash_with(vb, b)
    finally:
        vb.stop()


def test_a_board_naming_a_missing_port_fails_with_one_message(tmp_path):
    data = dict(board_mod.by_name("pico").data, name="nova", port="nova")
    b = board_mod.load(data)
    with pytest.raises(boot.PortError) as e:
        boot.make_hal(b, True)
    assert str(e.value) == ("board 'nova' names port 'nova', but this firmware has no "
                            "firmware/ports/nova/")
    with pytest.raises(MesoError) as e:
        flash_build.sources(b)
    assert "port 'nova': no firmware/ports/nova/" in str(e.value)


def test_the_build_ships_the_core_wire_and_the_boards_port_only(builds):
    for name in ("pico", "unix"):
        b = builds(name)
        port = b.board.port
        ports = sorted({p.split("/")[2] for p in b.files if p.startswith("firmware/ports/")
                        and p.count("/") == 3})
        assert ports == [port]
        needs = flash_build.port_needs(port)
        shared = sorted(p for p in b.files if p.startswith("firmware/ports/")
                        and p.count("/") == 2 and not p.endswith("__init__.mpy"))
        assert shared == ["firmware/ports/%s.mpy" % n for n in sorted(needs)]
        assert "firmware/boot.mpy" in b.files and "firmware/wire/frame.mpy" in b.files
