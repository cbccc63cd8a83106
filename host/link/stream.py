"""Stream mode: load a protocol into the gun, feed zones ahead, collect every shot.

The host releases at most LOOKAHEAD zones beyond the one finished last, so a gun whose host
has gone cannot run far on its own; the device's link-loss watch stops it in any case.
"""

import json

from firmware.wire import faults
from firmware.wire import messages as M
from firmware.wire import record as shotlog
from host.link.errors import LinkError
from host.link.transport import now_us

LOOKAHEAD = 2


def encode_protocol(proto):
    """The core form as compact JSON bytes, keys sorted so the same protocol hashes the same."""
    return json.dumps(proto, separators=(",", ":"), sort_keys=True).encode()


def shot_record(rec):
    """A device shot-log record (dict from firmware.shotlog) as a session-log record.

    actual_depth_mm is None: the gun commands depth by steps and does not measure it."""
    fault = rec["fault"]
    return {
        "zone": rec["zone"],
        "index": rec["index"],
        "commanded_ul": rec["commanded_nl"] / 1000,
        "delivered_ul": rec["delivered_nl"] / 1000,
        "depth_mm": rec["depth_um"] / 1000,
        "actual_depth_mm": None,
        "t_start_s": rec["t_start_ms"] / 1000,
        "t_end_s": rec["t_end_ms"] / 1000,
        "fault": None if fault == faults.NONE else faults.name(fault),
    }


class StreamRun:
    """One streamed run. on_shot(record, raw), on_zone(zone), on_tick() are optional hooks."""

    def __init__(self, session, proto, on_shot=None, on_zone=None, on_tick=None,
                 before_zone=None, lookahead=LOOKAHEAD, on_refill=None, on_fault=None,
                 journal_start=None):
        """before_zone(i), if given, is called before zone i > 0 is released (lookahead 1
        then holds the gun at the zone's start until it returns). on_refill(text) is called
        when the gun's syringe cannot give the next dose; when it returns a full syringe is
        on the gun (REFILLED goes out). Without it the run ends "syringe empty".
        on_fault(text), if given, is called when the gun latches a fault and may take its
        time (the practitioner puts right what caused it); True: acknowledge it and go on
        (acknowledge()), else the run ends "fault". journal_start: bytes in the gun's journal before this run (its records
        follow), for the backfill."""
        self.s = session
        self.on_fault = on_fault
        self.journal_start = journal_start
        self.on_refill = on_refill
        self.before_zone = before_zone
        self.lookahead = lookahead
        self.proto = proto
        self.zones = len(proto["zone"])
        self.on_shot = on_shot
        self.on_zone = on_zone
        self.on_tick = on_tick
        self.shots = []  # session-log records
        self.raw = []  # device records as they came
        self.zones_done = 0
        self.fed = 0
        self.outcome = None  # "done", "fault", "aborted", "link lost", "syringe empty"
        self.reason = ""

    def run(self):
        s = self.s
        s.load(encode_protocol(self.proto), M.TARGET_RUN)
        self._feed()
        while self.outcome is None:
            s.pump()
            s.check_error()
            self.collect()
            if self.on_tick:
                self.on_tick()
        if self.outcome == "done" and self.incomplete():
            self.backfill()
        if self.outcome == "done":
            s.send(M.END_SESSION)
            s.flush()
        return self.outcome

    def planned(self):
        return sum(z["points"] for z in self.proto["zone"])

    def incomplete(self):
        """True if shot records are missing: fewer than planned, or a gap in the numbers."""
        counted = [r for r in self.raw if r["fault"] == faults.NONE]
        return len(counted) < self.planned() or any(
            b["shot"] > a["shot"] + 1 for a, b in zip(self.raw, self.raw[1:]))

    def backfill(self):
        """Records the device logged but the link did not bring (its telemetry ring is
        overrun when the host falls behind) are taken from the device's journal, so the
        session log always holds every shot."""
        if self.journal_start is not None:
            from host.link import control, resume

            mine = resume.part_records(control.read_journal_from(self.s, self.journal_start))
        else:
            journal = shotlog.read_journal(self.s.read_log())
            # This session's records are the journal's tail from its last first shot.
            start = len(journal)
            for i, r in enumerate(journal):
                if r["shot"] == 1 and (i == 0 or journal[i - 1]["shot"] != 1):
                    start = i
            mine = journal[start:]
        if len(mine) <= len(self.raw):
            return
        self.raw = mine
        self.shots = [shot_record(r) for r in mine]

    def _feed(self):
        while self.fed < self.zones and self.fed < self.zones_done + self.lookahead:
            if self.fed and self.before_zone is not None:
                self.before_zone(self.fed)
            self.s.send(M.RUN_ZONE, (self.fed,))
            self.fed += 1

    def acknowledge(self):
        """Continue after a fault the practitioner acknowledged: the shots logged up to it
        are collected, ACK_FAULT goes out (signed on a paired gun), and the run goes on with
        the next point not given; the gun kept its place in the zone and the zones released
        to it, and homes its carriage before the next shot. Raises DeviceError if the gun
        holds no fault."""
        from host.link import control

        self.collect()
        control.ack_fault(self.s)

    def collect(self):
        """Take what the gun reported (shots, zones done, events) from the session's inbox;
        called between pumps, and by a hook that waited (a pause, a fault) before it goes on."""
        s = self.s
        while True:
            got = s.take((M.SHOT, M.ZONE_DONE, M.EVENT))
            if got is None:
                return
            mid, _, payload = got
            if mid == M.SHOT:
                rec = shotlog.decode(payload)
                if rec is None:
                    raise LinkError("link lost: a shot record from the device is corrupt")
                self.raw.append(rec)
                self.shots.append(shot_record(rec))
                if self.on_shot:
                    self.on_shot(self.shots[-1], rec)
            elif mid == M.ZONE_DONE:
                f = M.unpack(mid, payload)[1]
                self.zones_done = f["zone"] + 1
                if self.on_zone:
                    self.on_zone(f["zone"])
                self._feed()
            else:
                f = M.unpack(mid, payload)[1]
                code = f["code"]
                self.reason = f["text"].decode(errors="replace")
                if code == M.EV_DONE:
                    self.outcome = "done"
                elif code == M.EV_FAULT:
                    if self.on_fault is not None and self.on_fault(self.reason):
                        self.acknowledge()
                    else:
                        self.outcome = "fault"
                elif code == M.EV_ABORTED:
                    self.outcome = "aborted"
                elif code == M.EV_LINK_LOST:
                    self.outcome = "link lost"
                elif code == M.EV_REFILL:
                    if self.on_refill is None:
                        self.outcome = "syringe empty"
                    else:
                        self.on_refill(self.reason)
                        self.s.send(M.REFILLED)

    def abort(self):
        """Ctrl-C: ABORT goes out at once, ahead of anything queued."""
        st = self.s.abort()
        end = now_us() + 500000
        while now_us() < end:  # collect the shots logged up to the abort
            try:
                self.s.pump(10000)
            except LinkError:
                break
            self.collect()
        return st


def summary(proto, shots, outcome, reason=""):
    """Totals of a run, per zone and overall, for printing and --json."""
    zones = []
    for i, z in enumerate(proto["zone"]):
        mine = [r for r in shots if r["zone"] == i]
        zones.append({
            "zone": i, "name": z["name"], "planned": z["points"], "shots": len(mine),
            "commanded_ul": round(sum(r["commanded_ul"] for r in mine), 3),
            "delivered_ul": round(sum(r["delivered_ul"] for r in mine), 3),
            "faults": sum(1 for r in mine if r["fault"]),
        })
    return {
        "protocol": proto["protocol"]["name"],
        "outcome": outcome,
        "reason": reason,
        "shots": len(shots),
        "planned": sum(z["points"] for z in proto["zone"]),
        "commanded_ul": round(sum(r["commanded_ul"] for r in shots), 3),
        "delivered_ul": round(sum(r["delivered_ul"] for r in shots), 3),
        "faults": sum(1 for r in shots if r["fault"]),
        "zones": zones,
    }
