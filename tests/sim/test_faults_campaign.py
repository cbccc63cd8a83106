"""The fault campaign (python -m bench.faults): every kind of sim/faults.py's registry, in
every mode, reaches the safe state and never gives a point twice."""

from bench import faults as campaign
from sim import faults as sim_faults


def test_the_quick_campaign_passes_and_lists_every_kind(capsys):
    assert campaign.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for kind in sim_faults.KINDS:
        assert "\n%s " % kind in out, kind
    assert "modes point, burst, continuous, perfusion" in out


def test_a_kind_added_to_the_registry_is_run_and_wrong_modes_are_caught(monkeypatch):
    monkeypatch.setattr(sim_faults, "KINDS", {"stall": "a stall", "nothing": "does nothing"})
    rows = campaign.campaign(1, (2,), out=lambda text: None)
    assert [r["kind"] for r in rows] == ["stall", "nothing"]
    assert rows[1]["runs"] == 4 and rows[1]["tripped"] == 0 and rows[1]["injected"] == 4
    assert campaign.failures(rows) == []
    # A burst row whose records are point shots would be reported.
    monkeypatch.setitem(campaign.ZONES, "burst", dict(campaign.ZONES["point"]))
    rows = campaign.campaign(1, (2,), out=lambda text: None)
    assert any("records of another mode in burst#2" in f for f in campaign.failures(rows))
