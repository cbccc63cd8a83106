"""One flow rule and one laptop check: meso run/upload check a protocol against the
firmware's limits once (the gun checks it again), runnable modes included."""

import os

import pytest

from firmware import board as boards
from firmware import limits
from firmware.session import Session
from host import protocol
from host.cliutil import protocol_file
from host.protocol import plan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FACE = os.path.join(ROOT, "examples", "face.toml")


def test_core_for_checks_the_limits_once(monkeypatch):
    calls = []
    real = limits.check_protocol

    def counting(board, core):
        calls.append(1)
        return real(board, core)

    monkeypatch.setattr(limits, "check_protocol", counting)
    proto = protocol_file.load(FACE)
    core = protocol_file.core_for(proto, "pico", out=open(os.devnull, "w"))
    assert core["zone"] and len(calls) == 1


def test_a_mode_the_firmware_cannot_run_is_refused_by_the_protocol_check(monkeypatch):
    monkeypatch.setattr(limits, "RUNNABLE", ("burst", "continuous", "perfusion"))
    proto = protocol_file.load(FACE)
    core = proto.core(boards.by_name("pico"))
    assert core["zone"][0]["mode"] == "point"
    got = [p.message() for p in limits.check_protocol(boards.by_name("pico"), core)]
    assert ("zone[0].mode = 'point': this firmware cannot run that mode (allowed: burst, "
            "continuous, perfusion)") in got
    # The gun's session refuses it by the same check; the laptop names it as well.
    assert Session(boards.by_name("pico")).load(core)
    with pytest.raises(protocol.ProtocolError) as e:
        protocol_file.core_for(proto, "pico")
    assert "cannot run that mode" in str(e.value)


def test_the_laptop_plans_each_zone_at_the_flow_the_gun_doses():
    b = boards.by_name("pico")
    proto = protocol.checked(FACE, "pico")
    core = proto.core(b)
    s = Session(b)
    assert s.load(core) == []
    syringe = b.syringe(core["protocol"]["syringe_ml"])
    for z, fw in zip(core["zone"], s.zones):
        assert limits.zone_flow_nl_s(b, syringe, z, core["protocol"]) == fw.flow_nl_s
    assert [zp.mode for zp in plan.Plan(proto, b).zones] == [z["mode"] for z in core["zone"]]
