"""The contraindication checklist: all "no" passes, any "yes" stops with the reason."""

import json

import pytest

from host import screening
from host.errors import MesoError


def answers(*replies):
    it = iter(replies)
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return next(it)
    return ask, asked


def test_all_no_is_recorded():
    ask, asked = answers(*["n"] * len(screening.CHECKLIST))
    said = []
    record = screening.screen(ask=ask, out=said.append)
    assert len(asked) == len(screening.CHECKLIST)
    assert record["method"] == "asked"
    assert record["answers"] == {k: False for k, _, _ in screening.CHECKLIST}
    json.dumps(record)  # goes into the session log as it is
    assert said[-1] == "No contraindication reported."


@pytest.mark.parametrize("index", range(len(screening.CHECKLIST)))
def test_any_yes_stops_with_its_reason(index):
    ask, asked = answers(*(["no"] * index + ["yes"]))
    with pytest.raises(screening.Contraindicated) as e:
        screening.screen(ask=ask, out=lambda s: None)
    key, _, reason = screening.CHECKLIST[index]
    assert reason in str(e.value)
    assert isinstance(e.value, MesoError)
    assert e.value.record["answers"][key] is True
    assert len(asked) == index + 1  # stops at the first yes


def test_unclear_answers_are_asked_again_then_refused():
    ask, asked = answers("maybe", "Y", *["n"] * 7)
    said = []
    with pytest.raises(screening.Contraindicated, match="pregnancy"):
        screening.screen(ask=ask, out=said.append)
    assert "Please answer y or n." in said
    ask, _ = answers("?", "", "perhaps")
    with pytest.raises(MesoError, match="no clear answer"):
        screening.screen(ask=ask, out=lambda s: None)


def test_end_of_input_refuses():
    def ask(prompt):
        raise EOFError
    with pytest.raises(MesoError, match="cannot start unscreened"):
        screening.screen(ask=ask, out=lambda s: None)


def test_screened_elsewhere():
    def ask(prompt):
        raise AssertionError("must not ask")
    record = screening.screen(ask=ask, out=lambda s: None, screened_by="Dr Lee")
    assert record["method"] == "external" and record["screened_by"] == "Dr Lee"
    with pytest.raises(MesoError, match="needs the name"):
        screening.screen(ask=ask, out=lambda s: None, screened_by="  ")
