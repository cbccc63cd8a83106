"""A sweep's tables: one row per run (runs.parquet) and one per shot (shots.parquet).

Rows are sorted by protocol file, dose model, swept parameters and seed (then shot), so the
same sweep gives the same tables whichever executor ran it and in whatever order runs
finished. Files are replaced atomically, shots first: a table on disk never names a run
whose shots are missing. Every key of a run's report goes into its rows as it is, so a
figure the simulator adds to its report shows up in the tables without a change here.
"""

import json
import os

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from sim.report import DECIMALS, to_json
from sim.sweep.grid import SweepError, describe, key

RUNS = "runs.parquet"
SHOTS = "shots.parquet"
META = b"mesogun.sweep"
KEY_COLUMNS = ("protocol_file", "protocol_sha", "dosing")
_KEY_READ = KEY_COLUMNS + ("seed",)


def _key_columns(job):
    row = {"protocol_file": job["file"], "protocol": job["proto"]["protocol"]["name"],
           "protocol_sha": job["sha"], "dosing": job["dosing"]}
    for name in sorted(job["params"]):
        row["param_" + name] = job["params"][name]
    row["seed"] = job["seed"]
    return row


def run_row(job, report, attempts, error=None):
    row = _key_columns(job)
    row["status"] = "failed" if report is None else "ok"
    row["error"] = error
    row["attempts"] = attempts
    if report is not None:
        row.update(report["summary"])
        row["complete"] = report["summary"]["ended_by"] == "session complete"
        row["faults"] = len(report["faults"])
        row["fault_codes"] = ",".join(f["code"] for f in report["faults"])
        row["calibration_ppm"] = report["calibration_ppm"]
        for k, v in sorted(report["plant"].items()):
            row["plant_" + k] = v
    return row


def shot_rows(job, report):
    base = _key_columns(job)
    zones = job["proto"]["zone"]
    rows = []
    for i, shot in enumerate(report["shots"], 1):
        row = dict(base)
        row["shot"] = i
        z = shot["zone"]
        row["zone_name"] = zones[z].get("name", str(z)) if 0 <= z < len(zones) else str(z)
        row.update(shot)
        row["dose_error_pct"] = round((shot["delivered_ul"] - shot["commanded_ul"])
                                      / shot["commanded_ul"] * 100.0, DECIMALS) \
            if shot["commanded_ul"] else None
        rows.append(row)
    return rows


def _table(rows):
    """A table from dicts whose keys may differ (a failed run has no figures)."""
    cols = {}
    for r in rows:
        for k in r:
            cols.setdefault(k, None)
    return pa.table({k: pa.array([r.get(k) for r in rows]) for k in cols})


def _sort_keys(table, names, extra=()):
    keys = list(KEY_COLUMNS) + ["param_" + n for n in names] + ["seed"] + list(extra)
    return [(k, "ascending") for k in keys if k in table.column_names]


class Tables:
    """The rows of a sweep so far (those of a resumed table first), saved on demand."""

    def __init__(self, out_dir, shared, reports_dir=None, old_runs=None, old_shots=None,
                 report_head=None):
        self.out_dir = out_dir
        self.shared = shared
        self.reports_dir = reports_dir
        # Keys the command adds to every report, as `meso sim run --json` does (command,
        # meso_version), so a sweep's report is that command's, byte for byte.
        self.report_head = dict(report_head or {})
        self.runs = old_runs.to_pylist() if old_runs is not None else []
        self.shots = [old_shots] if old_shots is not None and old_shots.num_rows else []
        self.new_runs = 0

    def add(self, job, report, attempts):
        self.runs.append(run_row(job, report, attempts))
        rows = shot_rows(job, report)
        if rows:
            self.shots.append(_table(rows))
        self.new_runs += 1
        if self.reports_dir:
            name = report_name(job)
            with open(os.path.join(self.reports_dir, name), "w") as f:
                f.write(to_json(dict(report, **self.report_head)))

    def fail(self, job, error, attempts):
        self.runs.append(run_row(job, None, attempts, error))
        self.new_runs += 1

    def tables(self):
        names = self.shared["params"]
        runs = _table(self.runs)
        runs = runs.sort_by(_sort_keys(runs, names)) if runs.num_rows else runs
        meta = {META: json.dumps(self.shared, sort_keys=True).encode()}
        runs = runs.replace_schema_metadata(meta)
        if self.shots:
            shots = pa.concat_tables(self.shots, promote_options="permissive")
            shots = shots.sort_by(_sort_keys(shots, names, ("shot",)))
            self.shots = [shots]  # keep it in one piece: the next save sorts less
        else:
            shots = pa.table({})
        return runs, shots.replace_schema_metadata(meta)

    def save(self, csv=False):
        runs, shots = self.tables()
        os.makedirs(self.out_dir, exist_ok=True)
        for name, table in ((SHOTS, shots), (RUNS, runs)):
            path = os.path.join(self.out_dir, name)
            pq.write_table(table, path + ".tmp")
            os.replace(path + ".tmp", path)
            if csv:
                pcsv.write_csv(table, path[: -len(".parquet")] + ".csv.tmp")
                os.replace(path[: -len(".parquet")] + ".csv.tmp",
                           path[: -len(".parquet")] + ".csv")
        return runs, shots


def report_name(job):
    stem = os.path.splitext(os.path.basename(job["file"]))[0]
    parts = [stem, job["dosing"]] + ["%s=%s" % (n, job["params"][n]) for n in sorted(job["params"])]
    parts.append("seed%d" % job["seed"])
    return "-".join(p.replace(os.sep, "_") for p in parts) + ".json"


def exists(out_dir):
    return os.path.exists(os.path.join(out_dir, RUNS))


def load(out_dir, grid):
    """(runs, shots) of a sweep to resume in grid: its finished runs, their shots; failed
    runs are dropped, so they run again. A table of another sweep is refused."""
    path = os.path.join(out_dir, RUNS)
    try:
        runs = pq.read_table(path)
        shots = pq.read_table(os.path.join(out_dir, SHOTS))
    except (OSError, pa.ArrowException) as e:
        raise SweepError("%s: cannot read the sweep's tables to resume: %s" % (out_dir, e))
    meta = json.loads((runs.schema.metadata or {}).get(META, b"{}"))
    shared = grid.shared()
    if meta != shared:
        diff = [k for k in sorted(set(meta) | set(shared)) if meta.get(k) != shared.get(k)]
        raise SweepError("%s holds another sweep (%s: %s there, %s here): resume with the same "
                         "options, or write to another --out"
                         % (out_dir, diff[0], meta.get(diff[0]), shared.get(diff[0])))
    wanted = {key(j) for j in grid.jobs()}
    shas = {j["file"]: j["sha"] for j in grid.jobs()}
    keep = []
    for i, row in enumerate(runs.to_pylist()):
        k = row_key(row, grid.names)
        if shas.get(row["protocol_file"], row["protocol_sha"]) != row["protocol_sha"]:
            raise SweepError("%s: %s has changed since this sweep began: its runs would not "
                             "be comparable; write to another --out"
                             % (out_dir, row["protocol_file"]))
        if k not in wanted:
            raise SweepError("%s holds a run this sweep does not have (%s): resume with the "
                             "same protocols, seeds and values, or a wider grid"
                             % (out_dir, describe(_job_of(row, grid.names))))
        if row["status"] == "ok":
            keep.append(i)
    runs = runs.take(keep)
    done = {row_key(r, grid.names) for r in runs.to_pylist()}
    mask = [row_key(r, grid.names) in done
            for r in shots.select([c for c in shots.column_names
                                   if c in _KEY_READ or c.startswith("param_")]).to_pylist()]
    return runs, shots.filter(pa.array(mask, pa.bool_())) if shots.num_rows else shots


def _job_of(row, names):
    return {"file": row["protocol_file"], "sha": row["protocol_sha"], "dosing": row["dosing"],
            "params": {n: row["param_" + n] for n in names}, "seed": row["seed"]}


def row_key(row, names):
    return key(_job_of(row, names))
