"""One run of a sweep, on whichever worker gets it: the session `meso sim run` runs, with
the same options, and its report (the same report, so the same bytes)."""

import signal
import traceback

from sim.run import Run


def session(job):
    """The report `meso sim run` gives for this job's protocol, seed and options."""
    sim = Run(job["proto"], seed=job["seed"], exact=job["exact"], params=dict(job["params"]),
              fault_specs=list(job["faults"]), firmware=job["firmware"], dosing=job["dosing"])
    return sim.run()


def run_job(job):
    """{"report": ...}, or {"error": ...} when the run raised: an exception is an answer
    here, so that the driver decides about retrying (a worker only runs)."""
    try:
        return {"report": session(job)}
    except Exception as e:  # noqa: BLE001  (any failure of a run is reported with its seed)
        return {"error": "%s: %s" % (type(e).__name__, e), "traceback": traceback.format_exc()}


def ignore_sigint():
    """Pool workers leave Ctrl-C to the driver, which lets the runs in progress finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
