"""Which board `meso flash` builds for when it is not told: the gun's own, or a clear refusal."""

import pytest

from host.flash.build import ROOT
from host.flash.errors import FlashError
from host.flash.target import flashable_boards, gun_board


@pytest.mark.parametrize("facts, want", [
    (("rp2", "armv6m"), "pico"),
    (("esp32", "xtensawin"), "esp32s3"),
    (("pyboard", "armv7emsp"), "pyboard"),
    (("linux", "x64"), "unix"),
])
def test_a_gun_never_flashed_gets_the_board_its_mcu_runs(facts, want):
    assert gun_board("/dev/ttyACM0", facts, None, ROOT) == want


def test_a_flashed_gun_keeps_the_board_its_firmware_names():
    assert gun_board("/dev/ttyACM0", ("rp2", "armv6m"), "pico", ROOT) == "pico"


def test_the_simulators_board_is_never_flashed():
    names = [b.name for b in flashable_boards(ROOT)]
    assert "sim" not in names and "unix" in names and "pico" in names


def test_an_mcu_no_board_runs_is_refused_naming_the_boards():
    with pytest.raises(FlashError) as e:
        gun_board("/dev/ttyACM0", ("samd", "armv7m"), None, ROOT)
    msg = str(e.value)
    assert "no board definition fits it" in msg and "--board" in msg
    assert "pico" in msg and "esp32s3" in msg and "nothing written" in msg
