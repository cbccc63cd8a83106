"""One sweep from start to end: tables to start from, the executor, the progress bar, the
checkpoints, and what came out (figures, failed runs, whether it was interrupted)."""

import contextlib
import os
import time

from sim.sweep import summary
from sim.sweep import table as tables
from sim.sweep.drive import Cluster, Driver, Pool
from sim.sweep.grid import SweepError, describe, key

CHECKPOINT_S = 60.0  # a hard kill loses at most this much work; Ctrl-C loses none


class Outcome:
    def __init__(self, figs, groups, failed, interrupted, dropped, label, runs, shots):
        self.figs = figs
        self.groups = groups
        self.failed = failed  # (job description, error, attempts)
        self.interrupted = interrupted
        self.dropped = dropped
        self.label = label
        self.runs = runs
        self.shots = shots


class Sweep:
    def __init__(self, grid, out_dir, workers=1, scheduler=None, resume=False, overwrite=False,
                 reports_dir=None, csv=False, fn=None, checkpoint_s=CHECKPOINT_S,
                 report_head=None):
        self.grid = grid
        self.out_dir = out_dir
        self.workers = workers
        self.scheduler = scheduler
        self.csv = csv
        self.checkpoint_s = checkpoint_s
        self.fn = fn  # the job function (tests wrap the real one to break runs on purpose)
        old_runs = old_shots = None
        if tables.exists(out_dir):
            if resume:
                old_runs, old_shots = tables.load(out_dir, grid)
            elif not overwrite:
                raise SweepError("%s already holds a sweep: --resume to continue it, "
                                 "--overwrite to replace it, or another --out" % out_dir)
        elif resume:
            raise SweepError("%s holds no sweep to resume (no %s)" % (out_dir, tables.RUNS))
        os.makedirs(out_dir, exist_ok=True)  # a folder that cannot be written fails now
        if reports_dir:
            os.makedirs(reports_dir, exist_ok=True)
        self.tables = tables.Tables(out_dir, grid.shared(), reports_dir, old_runs, old_shots,
                                    report_head)
        done = {tables.row_key(r, grid.names) for r in self.tables.runs}
        self.todo = [j for j in grid.jobs() if key(j) not in done]
        self.resumed = len(done)
        self.failed = []

    def _executor(self, bar):
        if self.scheduler:
            try:
                return Cluster(self.scheduler)
            except (OSError, ValueError) as e:
                raise SweepError("cannot reach the Dask scheduler at %s: %s"
                                 % (self.scheduler, e))
        return Pool(self.workers, bar.paused if bar else contextlib.nullcontext)

    def run(self, progress=True, tick=None):
        """Runs what is left; the Outcome. tick(done, failed) hears of each run settled."""
        t0 = time.perf_counter()
        last = [t0]
        bar = _Bar(len(self.todo), self.resumed) if progress else None
        ex = self._executor(bar)
        if bar:
            bar.start(ex.label)

        def settled():
            if bar:
                bar.advance(len(self.failed))
            if tick:
                tick(self.tables.new_runs, len(self.failed))
            if time.perf_counter() - last[0] >= self.checkpoint_s:
                self.tables.save()
                last[0] = time.perf_counter()

        def done(job, report, attempts):
            self.tables.add(job, report, attempts)
            settled()

        def failed(job, error, attempts):
            self.tables.fail(job, error, attempts)
            self.failed.append((describe(job), error, attempts))
            settled()

        def stopping(n):
            msg = ("stopping: %d runs in progress finish and are kept (Ctrl-C again drops them)"
                   % n)
            if bar:
                bar.note(msg)
            else:
                os.write(2, (msg + "\n").encode())

        kw = {"fn": self.fn} if self.fn else {}
        driver = Driver(ex, done, failed, stopping=stopping, **kw)
        try:
            driver.run(self.todo)
        finally:
            if bar:
                bar.stop()
            runs, shots = self.tables.save(csv=self.csv)
        wall_s = time.perf_counter() - t0
        figs = summary.figures(runs, shots, wall_s, self.tables.new_runs)
        interrupted = self.tables.new_runs < len(self.todo)
        return Outcome(figs, summary.by_group(shots), self.failed, interrupted,
                       len(driver.inflight) if interrupted else 0, ex.label, runs, shots)


class _Bar:
    """The rich progress bar, on stderr."""

    def __init__(self, total, resumed):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.p = Progress(TextColumn("[bold]sweep[/] {task.fields[note]}"), BarColumn(),
                          MofNCompleteColumn(), TextColumn("{task.fields[failed]}"),
                          TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                          console=Console(stderr=True))
        self.total = total
        self.resumed = resumed

    def start(self, label):
        note = label + (", %d resumed" % self.resumed if self.resumed else "")
        self.task = self.p.add_task("sweep", total=self.total, note=note, failed="")
        self.p.start()

    @contextlib.contextmanager
    def paused(self):
        """The bar's refresh thread stopped for a while (a pool forking its workers)."""
        running = self.p.live.is_started
        if running:
            self.p.stop()
        try:
            yield
        finally:
            if running:
                self.p.start()

    def advance(self, failed):
        self.p.update(self.task, advance=1, failed="%d failed" % failed if failed else "")

    def note(self, text):
        self.p.update(self.task, note=text)

    def stop(self):
        self.p.stop()
