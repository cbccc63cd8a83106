"""Runs a sweep's jobs on a local process pool or an existing Dask cluster, with retries.

Both executors are concurrent.futures executors (a Dask Client gives one through
get_executor), so one loop drives them: it keeps a window of jobs in flight, retries a run
that raised or lost its worker once, and reports it failed after that. When a pool process
dies every job in flight fails with it, so those jobs are rerun one at a time: only a job
that kills its worker alone is charged. Ctrl-C stops submitting and lets the runs in progress
finish (their rows are kept); a second Ctrl-C drops them.
"""

import concurrent.futures as cf
import contextlib
import os
import signal
from collections import deque
from concurrent.futures.process import BrokenProcessPool

from sim.sweep.job import ignore_sigint, run_job

ATTEMPTS = 2  # a run is tried twice at most: once, and once again
POLL_S = 0.5  # how often the loop looks at a Ctrl-C while runs are in progress


class Pool:
    """A local process pool; rebuilt after one of its processes died."""

    def __init__(self, workers, quiet=contextlib.nullcontext):
        self.workers = workers
        self.window = workers  # no job waits in the pool's queue: all in flight are running
        self.label = "%d local worker%s" % (workers, "" if workers == 1 else "s")
        self.quiet = quiet  # a context without other threads (the progress bar's paused)
        self._new()

    def _new(self):
        # Fork with no other thread running: a lock another thread held at the fork would stay
        # held in the child for ever. Under fork the first job starts every worker.
        with self.quiet():
            self.ex = cf.ProcessPoolExecutor(self.workers, initializer=ignore_sigint)
            self.ex.submit(os.getpid).result()

    def submit(self, fn, job):
        return self.ex.submit(fn, job)

    def died(self, exc):
        return isinstance(exc, BrokenProcessPool)

    def rebuild(self):
        self.ex.shutdown(wait=True, cancel_futures=True)
        self._new()

    def close(self, kill=False):
        if kill:  # the second Ctrl-C: stop the runs in progress too
            for p in list(getattr(self.ex, "_processes", {}).values()):
                p.terminate()
        self.ex.shutdown(wait=True, cancel_futures=True)


class Cluster:
    """An existing Dask cluster, reached through its scheduler."""

    def __init__(self, address, timeout_s=10):
        from distributed import Client

        self.client = Client(address, timeout=timeout_s)
        threads = sum(self.client.nthreads().values())
        self.window = max(2, 2 * threads)  # keep every worker thread fed
        self.label = "Dask scheduler %s (%d worker threads)" % (address, threads)
        # pure=False: a retried run is a new task, not the erred one again.
        self.ex = self.client.get_executor(pure=False)

    def submit(self, fn, job):
        return self.ex.submit(fn, job)

    def died(self, exc):
        return False  # the scheduler reschedules a task whose worker died, then says so

    def rebuild(self):
        pass

    def close(self, kill=False):
        self.ex.shutdown(wait=not kill)
        self.client.close()


class Driver:
    """Feeds jobs to an executor; done(job, report, attempts) and failed(job, error,
    attempts) hear about each run once, in the order they finish."""

    def __init__(self, executor, done, failed, fn=run_job, stopping=None):
        self.ex = executor
        self.stopping = stopping  # told at the first Ctrl-C
        self.done = done
        self.failed = failed
        self.fn = fn
        self.stop_asked = False
        self.inflight = {}  # after a second Ctrl-C: the runs in progress that were dropped

    def _sigint(self, signum, frame):
        if self.stop_asked:
            raise KeyboardInterrupt
        self.stop_asked = True
        if self.stopping:
            self.stopping(len(self.inflight))

    def run(self, jobs):
        """Every job, or until Ctrl-C (stop_asked tells): each settled job is heard of once."""
        queue = deque((job, 0) for job in jobs)
        before = None
        try:
            before = signal.signal(signal.SIGINT, self._sigint)
        except ValueError:  # not the main thread: Ctrl-C is not ours to handle
            pass
        kill = True
        try:
            self._loop(queue)
            kill = False
        except KeyboardInterrupt:
            pass
        finally:
            if before is not None:
                signal.signal(signal.SIGINT, before)
            self.ex.close(kill=kill)

    def _loop(self, queue):
        isolate = deque()  # jobs in flight when a pool process died: rerun one by one
        self.inflight = inflight = {}
        while inflight or ((queue or isolate) and not self.stop_asked):
            if not self.stop_asked:
                if isolate:
                    if not inflight:
                        job, n = isolate.popleft()
                        inflight[self.ex.submit(self.fn, job)] = (job, n)
                else:
                    while queue and len(inflight) < self.ex.window:
                        job, n = queue.popleft()
                        inflight[self.ex.submit(self.fn, job)] = (job, n)
            finished, _ = cf.wait(list(inflight), timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
            # Runs that came back first: a dead pool process must not take their rows along.
            for fut in sorted(finished, key=lambda f: self.ex.died(_exception(f))):
                if fut in inflight:
                    job, n = inflight.pop(fut)
                    self._settle(fut, job, n, queue, isolate, inflight)

    def _settle(self, fut, job, n, queue, isolate, inflight):
        exc = _exception(fut)
        if exc is not None and self.ex.died(exc):
            self._pool_died(job, n, inflight, isolate, queue)
        elif exc is not None:
            self._attempt(job, n + 1, "worker lost: %s: %s" % (type(exc).__name__, exc), queue)
        elif "error" in fut.result():
            self._attempt(job, n + 1, fut.result()["error"], queue)
        else:
            self.done(job, fut.result()["report"], n + 1)

    def _pool_died(self, job, n, inflight, isolate, queue):
        suspects = [(job, n)]
        for fut, (j, m) in list(inflight.items()):
            if fut.done() and not self.ex.died(_exception(fut)):
                self._settle(fut, j, m, queue, isolate, {})  # it had finished: keep it
            else:
                suspects.append((j, m))
        inflight.clear()
        self.ex.rebuild()
        if len(suspects) == 1:  # it was alone: it killed its worker
            self._attempt(job, n + 1, "worker process died", isolate)
        else:
            isolate.extend(suspects)

    def _attempt(self, job, n, error, queue):
        if n < ATTEMPTS:
            queue.appendleft((job, n))
        else:
            self.failed(job, error, n)


def _exception(fut):
    try:
        return fut.exception()
    except cf.CancelledError as e:
        return e
