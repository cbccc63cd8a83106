"""firmware.board: every board loads; every bad key is named; floats never change a number."""

import struct

from check import raises

from firmware import board

BOARD_ATTRS = ("tick_period", "step_clock_hz", "flow_nl_s", "hold_ms", "relief_um",
               "safe_speed_um_s", "dose_max_nl", "zone_max_nl", "session_max_nl",
               "burst_depth_max_um", "step_tol_ticks", "needles")
AXIS_ATTRS = ("num", "den", "max_speed_sps", "accel_sps2", "home_speed_sps", "travel_um",
              "travel_steps", "backlash_steps")


def copy(data):
    """Deep copy of plain board data (MicroPython has no copy.deepcopy)."""
    if isinstance(data, dict):
        return {k: copy(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [copy(v) for v in data]
    return data


def board_names():
    import boards

    folder = boards.__file__.rsplit("/", 1)[0]
    import os

    return sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and f[0] != "_")


def pico_data():
    return copy(board.by_name("pico").data)


def test_every_board_file_loads():
    names = board_names()
    assert "pico" in names and "sim" in names
    for name in names:
        b = board.by_name(name)
        assert b.name == name
        assert b.plunger.num > 0 and b.carriage.num > 0
        assert b.syringes and b.needles


def test_unknown_board_is_named():
    e = raises(board.BoardError, board.by_name, "picoo")
    assert "picoo" in str(e)


def test_every_bad_key_is_named_in_one_error():
    data = pico_data()
    data["max_speed"] = 3  # unknown, units missing from the name
    data["plunger"]["lead"] = data["plunger"].pop("lead_mm")  # misspelt
    data["carriage"]["microsteps"] = 300  # out of range
    data["shot"]["hold_ms"] = 1.5  # whole number expected
    data["pins"]["trigger"] = data["pins"]["contact"]  # pin used twice
    data["pins"]["buzzer"] = None  # required pin
    data["limits"].pop("points_max")  # missing
    data["syringes"][1]["bore"] = 8.66  # unknown key inside a list entry
    msg = str(raises(board.BoardError, board.load, data))
    for needle in ("max_speed: unknown key", "plunger.lead: unknown key",
                   "did you mean lead_mm", "plunger.lead_mm: missing",
                   "carriage.microsteps: 300 is outside 1..256",
                   "shot.hold_ms: expected a whole number",
                   "pin 15 is already used by pins.trigger", "pins.buzzer: required",
                   "limits.points_max: missing", "syringes[1].bore: unknown key"):
        assert needle in msg, (needle, msg)
    assert msg.startswith("board pico: ")


def test_a_valid_board_has_no_errors():
    assert board.validate(pico_data()) == []


def test_needle_cap_and_travel_are_checked():
    data = pico_data()
    data["needles"][0]["depth_cap_mm"] = 5  # a 4 mm needle cannot go 5 mm deep
    assert any("longer than the needle" in e for e in board.validate(data))
    data = pico_data()
    data["carriage"]["travel_mm"] = 8  # the 13 mm needle's cap is 9 mm
    assert any(e.startswith("carriage.travel_mm") for e in board.validate(data))


def test_float32_board_data_gives_the_same_integers():
    # An RP2040 parses the board file in single precision; every integer must come out equal.
    def f32(v):
        if isinstance(v, float):
            return struct.unpack("f", struct.pack("f", v))[0]
        if isinstance(v, dict):
            return {k: f32(x) for k, x in v.items()}
        if isinstance(v, list):
            return [f32(x) for x in v]
        return v

    for name in board_names():
        data = board.by_name(name).data
        a, b = board.load(data), board.load(f32(data))
        for attr in BOARD_ATTRS:
            assert getattr(a, attr) == getattr(b, attr), (name, attr)
        for axis in ("plunger", "carriage"):
            for attr in AXIS_ATTRS:
                assert getattr(getattr(a, axis), attr) == getattr(getattr(b, axis), attr)
        for sa, sb in zip(a.syringes, b.syringes):
            assert (sa.bore_um, sa.volume_nl, sa.max_flow_nl_s) == (
                sb.bore_um, sb.volume_nl, sb.max_flow_nl_s)


def test_lookup_of_syringes_and_needles():
    b = board.by_name("pico")
    assert b.syringe(3).bore_um == 8660
    assert b.syringe(2) is None
    assert b.depth_cap_um(13) == 9000
    assert b.depth_cap_um(5) is None
    assert b.depth_cap_um("4") is None
