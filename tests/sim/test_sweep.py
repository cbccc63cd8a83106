"""`meso sim sweep`: the same reports as `meso sim run`, the same rows on a process pool and on a
Dask cluster, thresholds, retries, Ctrl-C and --resume."""

import json
import os
import signal
import subprocess
import sys
import time

import distributed  # the sweep extra is part of dev: missing, these tests fail, not skip
import pyarrow.parquet as pq
import pytest

from host.cli import main
from sim.sweep.grid import Grid
from sim.sweep.job import run_job
from sim.sweep.sweep import Sweep
from sim.sweep.thresholds import ThresholdError, threshold

SHORT = os.path.join(os.path.dirname(__file__), "data", "short.toml")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRID = ["--seeds", "2-3", "--param", "backlash_um=9,14", "--dosing", "both"]


def sweep(out, *extra):
    workers = [] if "--scheduler" in extra else ["--workers", "2"]
    return main(["sim", "sweep", SHORT, "--out", str(out), "--no-progress", *workers, *extra])


def rows(out, name, drop=("wall_seconds",)):
    t = pq.read_table(os.path.join(str(out), name))
    return [{k: v for k, v in r.items() if k not in drop} for r in t.to_pylist()]


def without_wall(text):
    return "\n".join(x for x in text.splitlines() if '"wall_seconds"' not in x)


@pytest.fixture(scope="module")
def pool_sweep(tmp_path_factory):
    """The grid swept on the local pool once, with every run's JSON report kept."""
    d = tmp_path_factory.mktemp("pool")
    assert sweep(d / "out", *GRID, "--reports", str(d / "reports"), "--csv",
                 "--plot", str(d / "plots")) == 0
    return d


def test_each_run_reports_what_meso_sim_run_reports_byte_for_byte(pool_sweep, tmp_path, capsys):
    reports = sorted(os.listdir(pool_sweep / "reports"))
    assert len(reports) == 8  # 2 dose models x 2 values x 2 seeds
    shots = rows(pool_sweep / "out", "shots.parquet")
    for dosing in ("naive", "compensated"):
        for backlash in (9, 14):
            for seed in (2, 3):
                name = "short-%s-backlash_um=%s-seed%d.json" % (dosing, float(backlash), seed)
                j = tmp_path / name
                assert main(["sim", "run", SHORT, "--seed", str(seed), "--dosing", dosing,
                             "--param", "backlash_um=%d" % backlash, "--json", str(j)]) == 0
                mine = (pool_sweep / "reports" / name).read_text()
                assert without_wall(mine) == without_wall(j.read_text())
                # and the table holds that report's shots, one row each, in order
                rep = json.loads(mine)
                got = [r for r in shots if r["seed"] == seed and r["dosing"] == dosing
                       and r["param_backlash_um"] == backlash]
                assert [r["shot"] for r in got] == list(range(1, len(rep["shots"]) + 1))
                for row, shot in zip(got, rep["shots"]):
                    assert {k: row[k] for k in shot} == shot
    assert os.path.getsize(pool_sweep / "out" / "shots.csv") > 0
    capsys.readouterr()


def test_plots_are_written_for_the_protocol_each_swept_parameter_and_the_zones(pool_sweep):
    import matplotlib.image

    names = sorted(os.listdir(pool_sweep / "plots"))
    assert names == ["dose_error_hist.png", "error_vs_backlash_um.png", "zones.png"]
    for n in names:
        img = matplotlib.image.imread(str(pool_sweep / "plots" / n))
        assert img.shape[0] > 300 and img.shape[1] > 800
        assert img[..., :3].std() > 0.05  # something is drawn, not a blank canvas


def test_pool_and_a_dask_cluster_give_identical_rows(pool_sweep, tmp_path):
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        assert sweep(tmp_path, *GRID, "--scheduler", cluster.scheduler_address) == 0
    finally:
        cluster.close()
    for name in ("runs.parquet", "shots.parquet"):
        dask_rows = rows(tmp_path, name)
        assert dask_rows == rows(pool_sweep / "out", name)
    runs = rows(tmp_path, "runs.parquet")
    keys = [(r["dosing"], r["param_backlash_um"], r["seed"]) for r in runs]
    assert keys == sorted(keys) and len(set(keys)) == 8
    assert all(r["status"] == "ok" and r["attempts"] == 1 for r in runs)


def test_a_threshold_met_exits_3_with_the_failing_figures_on_one_line(tmp_path, capsys):
    code = sweep(tmp_path / "a", "--seeds", "1", "--fail-if", "p99_dose_error_pct>0.001",
                 "--fail-if", "incomplete>0", "--fail-if", "shots < 12")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1 and "p99_dose_error_pct" in err[0]
    assert "incomplete" not in err[0] and "shots" not in err[0].split(":", 1)[1]
    assert sweep(tmp_path / "b", "--seeds", "1", "--fail-if", "p99_dose_error_pct>50",
                 "--fail-if", "incomplete>0") == 0


@pytest.mark.parametrize("expr, says", [
    ("p99>2", "no figure 'p99'"),
    ("p99_dose_error_pct>>2", "write FIGURE OP NUMBER"),
    ("p99_dose_error_pct>two", "write FIGURE OP NUMBER"),
])
def test_a_bad_threshold_is_refused_before_anything_runs(expr, says, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        sweep(tmp_path, "--seeds", "1", "--fail-if", expr)
    assert e.value.code == 2
    assert says in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "runs.parquet")
    with pytest.raises(ThresholdError):
        threshold(expr)


@pytest.mark.parametrize("args, says", [
    (["--seeds", "1", "--param", "bogus_ms=1,2"], "unknown simulation parameter 'bogus_ms'"),
    (["--seeds", "1", "--param", "stopper_brand=stiff,rubber"], "stopper_brand"),
    (["--seeds", "1", "--param", "backlash_um=8,oops"], "expected float"),
    (["--seeds", "5-2"], "below the first"),
    (["--seeds", "1..4"], "write A-B"),
])
def test_a_bad_grid_is_refused_with_what_is_allowed(args, says, tmp_path, capsys):
    assert sweep(tmp_path, *args) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    if "bogus_ms" in says:
        assert "backlash_um" in err  # the known names are listed


def flaky(job):
    """Seed 2's run raises on both tries, seed 3's on the first only; seed 4 kills its
    worker process each time."""
    marker = os.path.join(os.environ["SWEEP_TEST_DIR"], "tried-%d" % job["seed"])
    first = not os.path.exists(marker)
    open(marker, "a").close()
    if job["seed"] == 4:
        os._exit(3)
    if job["seed"] == 2 or (job["seed"] == 3 and first):
        job = dict(job, params={"no_such_parameter": 1})  # Run raises ParamError
    return run_job(job)


def test_a_run_that_raises_or_kills_its_worker_is_retried_once_then_reported(
        tmp_path, monkeypatch):
    from host import protocol

    monkeypatch.setenv("SWEEP_TEST_DIR", str(tmp_path))
    grid = Grid([(SHORT, protocol.checked(SHORT, "sim").core())], [1, 2, 3, 4, 5])
    out = Sweep(grid, str(tmp_path / "out"), workers=2, fn=flaky).run(progress=False)
    runs = {r["seed"]: r for r in rows(tmp_path / "out", "runs.parquet")}
    assert sorted(runs) == [1, 2, 3, 4, 5]  # none dropped
    assert runs[1]["status"] == runs[5]["status"] == "ok"
    assert runs[1]["attempts"] == runs[5]["attempts"] == 1  # not charged for seed 4
    assert runs[2]["status"] == "failed" and runs[2]["attempts"] == 2
    assert "ParamError" in runs[2]["error"] and "no_such_parameter" in runs[2]["error"]
    assert runs[3]["status"] == "ok" and runs[3]["attempts"] == 2 and runs[3]["shots"] == 12
    assert runs[4]["status"] == "failed" and runs[4]["error"] == "worker process died"
    assert sorted(w for w, _, _ in out.failed) == [SHORT + " compensated seed 2",
                                                   SHORT + " compensated seed 4"]
    assert out.figs["failed"] == 2 and out.figs["incomplete"] == 2
    shots = rows(tmp_path / "out", "shots.parquet")
    assert sorted({r["seed"] for r in shots}) == [1, 3, 5]


def test_ctrl_c_keeps_the_rows_so_far_and_resume_finishes_the_sweep(tmp_path):
    out, reports = tmp_path / "out", tmp_path / "reports"
    cmd = [sys.executable, "-m", "host.cli", "sim", "sweep", SHORT, "--seeds", "1-12",
           "--workers", "1", "--out", str(out), "--reports", str(reports), "--no-progress"]
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True, text=True)
    try:
        deadline = time.monotonic() + 300  # a bound for a loaded machine, not a measurement
        while not (reports.exists() and len(os.listdir(reports)) >= 2):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
        stderr = child.communicate(timeout=300)[1]
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    kept = rows(out, "runs.parquet", drop=())
    assert 2 <= len(kept) < 12 and all(r["status"] == "ok" for r in kept)
    assert len(rows(out, "shots.parquet")) == 12 * len(kept)

    assert main(["sim", "sweep", SHORT, "--seeds", "1-12", "--workers", "2", "--out", str(out),
                 "--resume", "--no-progress"]) == 0
    final = rows(out, "runs.parquet", drop=())
    assert [r["seed"] for r in final] == list(range(1, 13))
    before = {r["seed"]: r for r in kept}
    assert all(r == before[r["seed"]] for r in final if r["seed"] in before)  # not run again
    assert len(rows(out, "shots.parquet")) == 12 * 12


def test_resume_refuses_a_table_of_another_sweep(tmp_path, capsys):
    assert sweep(tmp_path, "--seeds", "1-2") == 0
    assert sweep(tmp_path, "--seeds", "1-2") == 1
    assert "--resume" in capsys.readouterr().err
    assert sweep(tmp_path, "--seeds", "2-3", "--resume") == 1
    assert "seed 1" in capsys.readouterr().err
    assert sweep(tmp_path, "--seeds", "1-2", "--dosing", "naive", "--resume") == 1
    capsys.readouterr()


def test_without_the_sweep_extra_the_command_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed: import fails
    assert sweep(tmp_path, "--seeds", "1") == 1
    err = capsys.readouterr().err
    assert "pyarrow" in err and "pip install 'mesogun[sweep]'" in err
    assert not os.path.exists(tmp_path / "runs.parquet")


def test_the_summary_of_one_run_agrees_with_that_run_s_report(tmp_path):
    from host import protocol
    from sim.sweep.job import session

    proto = protocol.checked(SHORT, "sim").core()
    grid = Grid([(SHORT, proto)], [4], faults=["occlusion#5"])
    figs = Sweep(grid, str(tmp_path), workers=1).run(progress=False).figs
    rep = session(next(grid.jobs()))
    s = rep["summary"]
    assert figs["runs"] == 1 and figs["failed"] == 0
    assert figs["shots"] == s["shots"] and figs["faulted_shots"] == s["shots"] - s["shots_ok"] == 1
    assert figs["faults"] == len(rep["faults"]) == 1
    assert figs["mean_dose_error_pct"] == pytest.approx(s["dose_error_pct_mean"], abs=1e-5)
    assert figs["p99_dose_error_pct"] == pytest.approx(s["dose_error_pct_p99_abs"], abs=1e-5)
    assert figs["max_depth_error_mm"] == pytest.approx(s["depth_error_mm_max"], abs=1e-5)
    assert figs["drip_ul"] == s["drip_ul_total"]
    assert figs["incomplete"] == (0 if s["ended_by"] == "session complete" else 1)


def interrupts_at_seed_3(job):
    """Seed 3's run presses Ctrl-C on the driver as it starts, then runs to its end."""
    if job["seed"] == 3:
        os.kill(os.getppid(), signal.SIGINT)
    return run_job(job)


def test_at_ctrl_c_the_run_in_progress_finishes_and_is_kept_and_no_other_starts(tmp_path):
    from host import protocol

    grid = Grid([(SHORT, protocol.checked(SHORT, "sim").core())], list(range(1, 9)))
    out = Sweep(grid, str(tmp_path), workers=1, fn=interrupts_at_seed_3).run(progress=False)
    assert out.interrupted and out.dropped == 0 and out.failed == []
    runs = rows(tmp_path, "runs.parquet")
    assert [(r["seed"], r["status"], r["attempts"]) for r in runs] == [
        (1, "ok", 1), (2, "ok", 1), (3, "ok", 1)]
    assert len(rows(tmp_path, "shots.parquet")) == 3 * 12


def test_the_tables_on_disk_follow_the_sweep_while_it_runs(tmp_path):
    from host import protocol

    grid = Grid([(SHORT, protocol.checked(SHORT, "sim").core())], [1, 2, 3, 4])
    seen = []

    def tick(done, failed):  # before this run's checkpoint: the table has the runs before it
        if done > 1:
            seen.append((done, len(rows(tmp_path, "runs.parquet"))))

    Sweep(grid, str(tmp_path), workers=1, checkpoint_s=0).run(progress=False, tick=tick)
    assert seen == [(2, 1), (3, 2), (4, 3)]


def test_resume_refuses_a_protocol_edited_since_the_sweep_began(tmp_path, capsys):
    proto = tmp_path / "p.toml"
    with open(SHORT) as f:
        text = f.read()
    proto.write_text(text)
    args = ["sim", "sweep", str(proto), "--seeds", "1", "--out", str(tmp_path / "o"),
            "--workers", "1", "--no-progress"]
    assert main(args) == 0
    proto.write_text(text.replace("points = 4", "points = 3"))
    assert main(args + ["--resume"]) == 1
    assert "p.toml has changed since this sweep began" in capsys.readouterr().err
