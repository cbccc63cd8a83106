"""Resuming a session: which points were given, where to go on, and the protocol that does.

A session runs in parts. Each part loads the protocol's remainder from the next point not
given: the zones from that point's zone on, that zone cut by the points already given. The
gun numbers the part's zones and points from 0 again; a part's offset maps its records back.
What was given is the union of the session log's shots and the gun's journal records of each
part (the journal holds what the link lost, the log what a power cut took from the journal).
"""

import copy
import hashlib

from firmware.wire import faults
from host.link.stream import encode_protocol


def sha256(proto):
    return hashlib.sha256(encode_protocol(proto)).hexdigest()


def remainder(proto, zone, index):
    """The core protocol from point index of zone on."""
    part = copy.deepcopy(proto)
    part["zone"] = part["zone"][zone:]
    part["zone"][0]["points"] -= index
    return part


def to_original(rec, offset):
    """A part's record (zone, index as the gun numbered them) in the session's numbering."""
    zone, index = offset
    out = dict(rec)
    out["zone"] = rec["zone"] + zone
    if rec["zone"] == 0:
        out["index"] = rec["index"] + index
    return out


def given_in_journal(records):
    """Records of one part (journal order) that gave their point: a shot without a fault, or
    one the gun counted (the next record numbers one shot more, or it delivered something)."""
    out = []
    for i, r in enumerate(records):
        nxt = records[i + 1] if i + 1 < len(records) else None
        if r["fault"] == faults.NONE or r["delivered_nl"] > 0 or (
                nxt is not None and nxt["shot"] == r["shot"] + 1):
            out.append(r)
    return out


def part_records(journal):
    """The records of the part whose journal begins here: up to the next session's first
    shot (a shot numbered 1 after one that was not)."""
    for i in range(1, len(journal)):
        if journal[i]["shot"] == 1 and journal[i - 1]["shot"] != 1:
            return journal[:i]
    return journal


def given_points(log_shots, journal_points):
    """Set of (zone, index) given: log shots (session numbering) that gave their point, and
    journal points (already mapped)."""
    got = set(journal_points)
    for r in log_shots:
        if not r.get("fault") or r.get("delivered_ul", 0) > 0 or r.get("counted"):
            got.add((r["zone"], r["index"]))
    return got


def next_point(proto, given):
    """(zone, index) of the first point after the last one given, or None when all were.

    Points are given in order, so what was given is a prefix; a hole (a point whose record
    was lost both ways) is never filled in: going on past the last point given can miss a
    point but never give one twice."""
    zones = proto["zone"]
    last = max(given, default=None)
    if last is None:
        return (0, 0)
    zone, index = last
    index += 1
    while zone < len(zones) and index >= zones[zone]["points"]:
        zone, index = zone + 1, 0
    return None if zone >= len(zones) else (zone, index)


def missed(proto, given, upto):
    """Points before upto that were not given (holes), in order."""
    out = []
    for z, zone in enumerate(proto["zone"]):
        for i in range(zone["points"]):
            if (z, i) >= upto:
                return out
            if (z, i) not in given:
                out.append((z, i))
    return out
