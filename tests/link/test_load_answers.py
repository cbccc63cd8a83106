"""Over the real link to a virtual device: a protocol with a wrong-typed mode, or JSON
nested 8000 deep, gets its LOAD_RESULT naming what is wrong, never a bare ERROR that leaves
the host waiting."""

import json

import pytest

from firmware.wire import messages as M
from host import protocol
from host.link.errors import DeviceError
from host.link.session import Session
from tests.link.conftest import write_protocol


def test_bad_values_over_the_wire_get_a_load_result(device, tmp_path):
    dev = device()
    core = protocol.load(str(write_protocol(tmp_path / "p.toml", points=3))).core()
    s = Session.open(dev.port)
    try:
        s.handshake()
        for bad in (["point"], {"kind": "point"}):
            core["zone"][0]["mode"] = bad
            with pytest.raises(DeviceError) as e:
                s.load(json.dumps(core).encode(), M.TARGET_RUN)
            msg = str(e.value)
            assert "(outside the limits)" in msg and "zone[0].mode" in msg, msg
            assert "point, burst, continuous, perfusion" in msg, msg
        with pytest.raises(DeviceError) as e:
            s.load(b"[" * 8000 + b"]" * 8000, M.TARGET_RUN)
        assert "(not a protocol)" in str(e.value) and "nested more than" in str(e.value)
    finally:
        s.close()
