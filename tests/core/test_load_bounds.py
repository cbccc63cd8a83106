"""Every protocol upload gets a LOAD_RESULT: a wrong-typed mode names the key and the modes
allowed, deep or huge JSON is refused before it is parsed, and mutated protocols never
raise out of the load path (firmware/link_store.py, firmware/jsonbound.py)."""

import hashlib
import json

from rig import Rig, burst_zone, point_zone, protocol
from wirekit import Lcg

from firmware import jsonbound
from firmware.link_store import Upload
from firmware.wire import messages as M


def finish(app, data):
    up = Upload(M.TARGET_RUN, len(data), hashlib.sha256(data).digest())
    assert up.chunk(0, data)
    return up.finish(app, app.hal)


def load_json(proto):
    return finish(Rig().app, json.dumps(proto).encode())


def test_a_mode_that_is_a_list_or_a_table_gets_a_load_result_naming_it():
    for bad in (["point"], {"a": 1}, 3, None):
        zone = point_zone()
        zone["mode"] = bad
        code, text, proto = load_json(protocol([zone]))
        assert code == M.E_LIMITS and proto is None, (bad, code, text)
        assert "zone[0].mode" in text and "point, burst, continuous, perfusion" in text, text


def test_json_nested_8000_deep_is_refused_before_parsing():
    data = b"[" * 8000 + b"]" * 8000
    assert jsonbound.check(data) is not None
    code, text, proto = finish(Rig().app, data)
    assert code == M.E_FORMAT and "nested more than" in text and proto is None, text
    # Brackets inside strings do not count; the core form itself passes.
    assert jsonbound.check(b'{"protocol": {"name": "[[[[[[[[[[\\"[[["}}') is None
    assert jsonbound.check(json.dumps(protocol([point_zone(), burst_zone()])).encode()) is None


def test_too_many_values_are_refused_before_parsing():
    data = ("[" + ",".join(["1"] * (jsonbound.VALUES_MAX + 1)) + "]").encode()
    code, text, proto = finish(Rig().app, data)
    assert code == M.E_FORMAT and "values" in text, text


JUNK = (None, True, -1, 0, 1.5, 1e308, "", "point", "x" * 300, [], [1, 2], {}, {"a": 1},
        [[["deep"]]], {"b": {"c": [1]}}, -1e308, 2 ** 40)


def mutate(proto, rng):
    """A copy of proto with one value replaced, one key dropped or one key added."""
    proto = json.loads(json.dumps(proto))
    tables = [proto, proto["protocol"]] + proto["zone"]
    table = tables[rng.next(len(tables))]
    keys = sorted(table)
    what = rng.next(4)
    if what == 0 and keys:
        del table[keys[rng.next(len(keys))]]
    elif what == 1:
        table["extra_%d" % rng.next(3)] = JUNK[rng.next(len(JUNK))]
    elif keys:
        table[keys[rng.next(len(keys))]] = JUNK[rng.next(len(JUNK))]
    return proto


def test_mutated_protocols_always_get_an_answer_and_never_raise():
    base = protocol([point_zone(), burst_zone()])
    rng = Lcg(11)
    app = Rig().app
    assert finish(app, json.dumps(base).encode())[0] == M.E_OK
    codes = {}
    for _ in range(300):
        code, text, proto = finish(app, json.dumps(mutate(base, rng)).encode())
        assert code in (M.E_OK, M.E_LIMITS, M.E_FORMAT), (code, text)
        assert code == M.E_OK or text, code
        assert "cannot be checked" not in text, text  # the limits answered, not the catch
        codes[code] = codes.get(code, 0) + 1
    assert codes.get(M.E_LIMITS, 0) > 100 and codes.get(M.E_OK, 0) > 0, codes
