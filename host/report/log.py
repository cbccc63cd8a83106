"""A session log (device or simulator JSON) read, checked and summed per zone for the report.

The log is {"shots": [...], "summary": {...}} with optional "protocol" (core form: what was
planned) and "screening" (the checklist record). A shot is {zone, index, commanded_ul,
delivered_ul, depth_mm, actual_depth_mm, t_start_s, t_end_s, fault}; zone is the zone's
index or name. Planned figures come from the protocol when the log carries one (or the
caller passes it), otherwise from what was commanded.
"""

import json

from host.report.errors import ReportError

NUMBERS = ("commanded_ul", "delivered_ul", "depth_mm", "actual_depth_mm", "t_start_s",
           "t_end_s")
REQUIRED = ("zone", "commanded_ul", "delivered_ul")


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def has_fault(shot):
    f = shot.get("fault")
    return f not in (None, "", 0, False, "none", "NONE")


def error_pct(shot):
    """Delivered against commanded, in percent (None for a zero command)."""
    if not shot["commanded_ul"]:
        return None
    return 100.0 * (shot["delivered_ul"] - shot["commanded_ul"]) / shot["commanded_ul"]


class ZoneTotals:
    def __init__(self, name):
        self.name = name
        self.planned_points = None
        self.planned_ul = None
        self.shots = 0
        self.commanded_ul = 0.0
        self.delivered_ul = 0.0
        self.faults = 0
        self.errors_pct = []
        self.depth_errors_mm = []

    @property
    def error_pct(self):
        if not self.commanded_ul:
            return None
        return 100.0 * (self.delivered_ul - self.commanded_ul) / self.commanded_ul

    @property
    def worst_shot_pct(self):
        return max(self.errors_pct, key=abs) if self.errors_pct else None


class SessionLog:
    def __init__(self, data, path, protocol=None):
        self.path = path
        self.summary = data.get("summary") or {}
        self.screening = data.get("screening")
        record = data.get("record")
        self.record = record if isinstance(record, dict) else None  # host/cliutil/record.py
        # Who knows what was delivered: the simulator's plant, or the gun's own estimate.
        self.simulated = "plant" in data
        self.accepted_warnings = [w for w in data.get("accepted_warnings") or []
                                  if isinstance(w, str)]
        logged = data.get("protocol")
        # The simulator's report names the protocol; a device log carries its core form.
        self.protocol = protocol or (logged if isinstance(logged, dict) else None)
        head = (self.protocol or {}).get("protocol") or {}
        self.title = head.get("name") or (logged if isinstance(logged, str) else None)
        events = data.get("faults")
        self.fault_events = [e for e in events if isinstance(e, dict)] if isinstance(
            events, list) else []
        self.shots = [self._shot(i, s) for i, s in enumerate(data["shots"])]
        self.zones = self._zones()

    def _shot(self, i, s):
        where = "%s: shots[%d]" % (self.path, i)
        if not isinstance(s, dict):
            raise ReportError("%s: expected a shot record (a JSON object)" % where)
        for k in REQUIRED:
            if k not in s:
                raise ReportError("%s.%s: missing" % (where, k))
        for k in NUMBERS:
            if s.get(k) is not None and not _num(s[k]):
                raise ReportError("%s.%s: expected a number, got %r" % (where, k, s[k]))
        if not isinstance(s["zone"], (int, str)) or isinstance(s["zone"], bool):
            raise ReportError("%s.zone: expected a zone index or name, got %r" % (where, s["zone"]))
        return s

    def _planned_zones(self):
        """Zone tables of the plan: the protocol's, else the summary's per-zone totals."""
        zones = (self.protocol or {}).get("zone")
        if not zones:
            zones = self.summary.get("zones") if isinstance(self.summary, dict) else None
        return [z for z in zones or [] if isinstance(z, dict)]

    def zone_names(self):
        return [z.get("name", "zone %d" % i) for i, z in enumerate(self._planned_zones())]

    def _zones(self):
        names = self.zone_names()
        totals = {}
        for name, z in zip(names, self._planned_zones()):
            t = totals[name] = ZoneTotals(name)
            points = z.get("points", z.get("planned"))
            if _num(points):
                t.planned_points = points
            if _num(points) and _num(z.get("dose_ul")):
                t.planned_ul = points * z["dose_ul"]
        for s in self.shots:
            key = s["zone"]
            if isinstance(key, int):
                key = names[key] if 0 <= key < len(names) else "zone %d" % key
            t = totals.setdefault(key, ZoneTotals(key))
            t.shots += 1
            t.commanded_ul += s["commanded_ul"]
            t.delivered_ul += s["delivered_ul"]
            t.faults += 1 if has_fault(s) else 0
            e = error_pct(s)
            if e is not None:
                t.errors_pct.append(e)
            if _num(s.get("actual_depth_mm")) and _num(s.get("depth_mm")):
                t.depth_errors_mm.append(s["actual_depth_mm"] - s["depth_mm"])
        return list(totals.values())

    def zone_of(self, shot):
        """The name of a shot's zone."""
        key = shot["zone"]
        if isinstance(key, int):
            names = self.zone_names()
            return names[key] if 0 <= key < len(names) else "zone %d" % key
        return key

    def faults(self):
        return [s for s in self.shots if has_fault(s)]

    def totals(self):
        planned = [z.planned_ul for z in self.zones if z.planned_ul is not None]
        return {
            "shots": len(self.shots),
            "planned_ul": sum(planned) if planned else None,
            "commanded_ul": sum(z.commanded_ul for z in self.zones),
            "delivered_ul": sum(z.delivered_ul for z in self.zones),
            "faults": len(self.faults()),
        }


def load(path, protocol=None):
    """Read a session log; ReportError naming the file and field when it cannot be used."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ReportError("%s: cannot read the log: %s" % (path, e.strerror or e))
    except (ValueError, UnicodeDecodeError) as e:
        raise ReportError("%s: not a JSON session log: %s" % (path, e))
    if not isinstance(data, dict) or not isinstance(data.get("shots"), list):
        raise ReportError('%s: expected a JSON object with a "shots" list' % path)
    proto = data.get("protocol")
    if proto is not None and not isinstance(proto, str) and not (
            isinstance(proto, dict) and isinstance(proto.get("zone"), list)):
        raise ReportError('%s: "protocol" must be the core form {"protocol": ..., "zone": [...]} '
                        "or the protocol's name" % path)
    return SessionLog(data, path, protocol)
