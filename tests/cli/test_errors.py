"""A user's mistakes through the real `meso` process: one line `meso: ...`, no traceback.

Every case runs `python -m host.cli` as a child process. The cases run side by side (the
port cases mostly wait for a handshake that never comes), then each is checked on its own.
"""

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import tty

import pytest

from host import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FACE = os.path.join(ROOT, "examples", "face.toml")
WAIT_S = 120  # generous for a loaded machine; a passing test never waits this long
NOPE = "/dev/ttyNOPE"
TINY = """[protocol]
name = "tiny"
syringe_ml = 3
needle_mm = 4
needle_gauge = 32
viscosity_mpas = 1

[[zone]]
name = "z"
mode = "point"
points = 3
depth_mm = 1.0
dose_ul = 10
pace_ms = 600
"""
# Two errors at once: a syringe the board has not, and a depth past the needle.
WRONG = TINY.replace("syringe_ml = 3", "syringe_ml = 7").replace("depth_mm = 1.0", "depth_mm = 9")


RUNTIME = tempfile.mkdtemp(prefix="meso-runtime-")  # no served gun registers here


def env():
    e = dict(os.environ)
    for k in ("MESO_PORT", "MESO_DEBUG"):
        e.pop(k, None)
    e["MESO_RUNTIME_DIR"] = RUNTIME  # `--port auto` sees no gun of another test's
    return e


def meso(*argv, timeout=30, **kw):
    return subprocess.run([sys.executable, "-m", "host.cli", *argv], cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def xfail(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


def case(name, argv, *needles, code=1, lines=1, absent=None, marks=()):
    """argv and needles may name {tmp}, {pty}, {tiny}, {wrong}, {log}; absent: a path that
    must not exist afterwards (no half-written output)."""
    return pytest.param(argv, needles, code, lines, absent, id=name, marks=marks)


USAGE = 2  # argparse's own usage errors
PORT_COMMANDS = (("info",), ("status",), ("abort",), ("logs",), ("upload", "{tiny}"),
                 ("run", "{tiny}", "--screened-by", "qa"), ("calibrate",))

CASES = [
    # files
    case("validate-missing", ["validate", "{tmp}/none.toml"], "{tmp}/none.toml",
         "No such file"),
    case("plan-directory", ["plan", "{tmp}"], "{tmp}", "Is a directory"),
    case("plan-broken-link", ["plan", "{tmp}/broken.toml"], "{tmp}/broken.toml"),
    case("plan-not-toml", ["plan", "{tmp}/junk.toml"], "{tmp}/junk.toml:1: syntax"),
    case("plan-binary", ["plan", "{tmp}/binary.toml"], "not UTF-8"),
    case("plan-wrong", ["plan", "{wrong}"], "syringe_ml", "depth_mm", lines=2),
    case("validate-wrong", ["validate", "{wrong}"], "{wrong}: invalid (2 errors)", lines=None),
    case("validate-board", ["validate", FACE, "--board", "nope"], "board nope"),
    case("preview-no-folder", ["preview", "{tiny}", "-o", "{tmp}/no/p.png"], "{tmp}/no/p.png",
         absent="{tmp}/no"),
    case("preview-bad-format", ["preview", "{tiny}", "-o", "{tmp}/p.txt"], "{tmp}/p.txt",
         ".png", absent="{tmp}/p.txt"),
    case("report-missing", ["report", "{tmp}/none.json"], "{tmp}/none.json"),
    case("report-not-a-log", ["report", "{tmp}/other.json", "-o", "{tmp}/r.html"],
         '"shots"', absent="{tmp}/r.html"),
    case("report-no-folder", ["report", "{log}", "-o", "{tmp}/no/r.html"], "{tmp}/no/r.html"),
    case("course-date", ["course", "--start", "2026-13-01", "--age", "35"], "month"),
    case("course-ics-no-folder", ["course", "--start", "2026-01-01", "--age", "35", "--ics",
                                  "{tmp}/no/c.ics"], "{tmp}/no/c.ics"),
    case("presets-unknown", ["presets", "nope"], "no preset 'nope'"),
    case("sim-run-missing", ["sim", "run", "{tmp}/none.toml"], "{tmp}/none.toml"),
    case("sim-run-wrong", ["sim", "run", "{wrong}"], "syringe_ml", lines=2),
    case("sim-run-fault", ["sim", "run", "{tiny}", "--fault", "bogus"], "fault 'bogus'"),
    case("sim-run-param", ["sim", "run", "{tiny}", "--param", "nope=1"], "'nope'"),
    case("sim-run-json-no-folder", ["sim", "run", "{tiny}", "--json", "{tmp}/no/r.json"],
         "{tmp}/no/r.json"),
    case("sim-run-seed-negative", ["sim", "run", "{tiny}", "--seed", "-1"], "--seed",
         code=USAGE, lines=None),
    case("sim-serve-speed", ["sim", "serve", "--speed", "-1"], "--speed"),
    case("sim-serve-speed-inf", ["sim", "serve", "--speed", "inf"], "--speed"),
    case("sim-serve-chaos", ["sim", "serve", "--chaos", "drop=2"], "--chaos"),
    case("sim-serve-fitted-wrong", ["sim", "serve", "--fitted", "{wrong}"], "syringe_ml",
         lines=None),
    case("sim-serve-state-is-file", ["sim", "serve", "--state", "{tiny}"], "{tiny}"),
    case("sim-board-flash-is-file", ["sim", "board", "--flash", "{tiny}"], "{tiny}"),
    # ports
    case("no-port", ["info"], "no mesogun found"),
    case("port-directory", ["info", "--port", "{tmp}"], "{tmp}"),
    case("port-regular-file", ["status", "--port", "{tiny}"], "{tiny}"),
    case("baud-zero", ["info", "--port", NOPE, "--baud", "0"], "baud", code=USAGE, lines=None),
    case("ports-nope", ["ports", NOPE, "--no-probe"], code=0, lines=None),
    case("ports-pty", ["ports", "{pty}"], code=0, lines=None),
    case("verify-pty", ["verify", "--port", "{pty}"], "no REPL on {pty}"),
    case("pair-pty", ["pair", "--port", "{pty}"], "no mesogun device answers on {pty}"),
    case("calibrate-masses", ["calibrate", "--port", NOPE, "--masses-mg", "abc"], "--masses-mg"),
    case("calibrate-shots-zero", ["calibrate", "--port", NOPE, "--shots", "0"], "--shots",
         code=USAGE, lines=None),
    case("calibrate-gauge", ["calibrate", "--port", NOPE, "--needle-gauge", "40"],
         "--needle-gauge", "choose from 25", code=USAGE, lines=None),
    case("calibrate-backlash", ["calibrate", "--port", NOPE, "--backlash-um", "900"],
         "--backlash-um", "900 µm is outside 0..500", code=USAGE, lines=None),
    # argparse's own usage errors
    case("unknown-command", ["bogus"], "invalid choice", code=USAGE, lines=None),
    case("unknown-option", ["validate", FACE, "--bogus"], "--bogus", code=USAGE, lines=None),
    case("seed-abc", ["sim", "run", FACE, "--seed", "abc"], "'abc'", code=USAGE, lines=None),
    case("speed-abc", ["demo", "--speed", "abc"], "'abc'", code=USAGE, lines=None),
    case("sim-unknown", ["sim", "bogus"], "invalid choice", code=USAGE, lines=None),
    case("logs-last-abc", ["logs", "--last", "abc"], "'abc'", code=USAGE, lines=None),
]
for words in PORT_COMMANDS:
    CASES.append(case("%s-no-such-port" % words[0], [*words, "--port", NOPE],
                      "no such port: " + NOPE))
    CASES.append(case("%s-not-a-device" % words[0], [*words, "--port", "{pty}"],
                      "no mesogun device answers on {pty}"))
for words in (("verify",), ("pair",)):  # (flash goes the same way, after building)
    CASES.append(case("%s-no-such-port" % words[0], [*words, "--port", NOPE],
                      "no such port: " + NOPE))


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "tiny.toml").write_text(TINY)
    (tmp / "wrong.toml").write_text(WRONG)
    (tmp / "junk.toml").write_text("this is not toml [[[\n")
    (tmp / "binary.toml").write_bytes(b"\x00\xff\xfe binary")
    (tmp / "other.json").write_text('{"not": "a log"}')
    (tmp / "broken.toml").symlink_to(tmp / "gone")
    log = tmp / "tiny.json"
    done = meso("sim", "run", str(tmp / "tiny.toml"), "--json", str(log))
    assert done.returncode == 0, done.stderr
    return {"tmp": str(tmp), "tiny": str(tmp / "tiny.toml"), "wrong": str(tmp / "wrong.toml"),
            "log": str(log)}


@pytest.fixture(scope="module")
def results(places):
    """Every case's (CompletedProcess, its places), twelve at a time: the port cases, first,
    mostly wait for an answer."""
    runs, fds = {}, []
    waiting_first = sorted(CASES, key=lambda p: not any("{pty}" in a or NOPE in a
                                                        for a in p.values[0]))
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        for p in waiting_first:
            mine = dict(places)
            if any("{pty}" in a for a in p.values[0]):
                master, slave = os.openpty()  # a serial port with nothing behind it, its own
                tty.setraw(slave)
                fds += [master, slave]
                mine["pty"] = os.ttyname(slave)
            runs[p.id] = (pool.submit(meso, *[a.format(**mine) for a in p.values[0]]), mine)
        done = {k: (f.result(), mine) for k, (f, mine) in runs.items()}
    for fd in fds:
        os.close(fd)
    return done


@pytest.mark.parametrize("argv, needles, code, lines, absent", CASES)
def test_user_mistake(request, results, argv, needles, code, lines, absent):
    done, places = results[request.node.callspec.id]
    said = done.stdout + done.stderr
    assert "Traceback" not in said and "internal error" not in said, said
    assert done.returncode == code, said
    err = done.stderr.strip().splitlines()
    if code == 0:
        assert "not a mesogun" in done.stdout or NOPE in done.stdout, said
    elif code == USAGE:
        assert err and err[-1].startswith("meso") and ": error: " in err[-1], said
    elif lines is not None:
        assert len(err) == lines and err[0].startswith("meso: "), said
    for n in needles:
        assert n.format(**places) in said, said
    if absent:
        assert not os.path.exists(absent.format(**places))


def test_every_command_has_help(capsys):
    for mod in cli._command_modules():
        words = mod.COMMAND.split()
        # a command lives in the module named after it: `meso WORDS` imports only that one
        assert mod.__name__ == "host.commands." + "_".join(words)
        with pytest.raises(SystemExit) as end:
            cli.main([*words, "--help"])
        out, err = capsys.readouterr()
        assert end.value.code == 0 and err == ""
        assert out.startswith("usage: meso %s " % " ".join(words))
        assert mod.HELP in " ".join(out.split())
    assert cli.main(["sim"]) == 2
    out, err = capsys.readouterr()
    assert all(w in out for w in ("board", "run", "serve"))


def test_an_unexpected_error_is_one_line_unless_debugging():
    """A bug in a command: `meso: internal error: ...`, exit 70; MESO_DEBUG=1 shows where."""
    code = ("import sys, host.commands.presets as p\n"
            "def run(args):\n    raise KeyError('boom')\n"
            "p.run = run\nfrom host import cli\nsys.exit(cli.main(['presets']))\n")
    quiet = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env(),
                           capture_output=True, text=True, timeout=30)
    assert quiet.returncode == cli.EXIT_INTERNAL
    assert quiet.stderr.strip().splitlines() == [
        "meso: internal error: KeyError: 'boom' (please report; MESO_DEBUG=1 shows the "
        "traceback)"]
    loud = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(env(), MESO_DEBUG="1"),
                          capture_output=True, text=True, timeout=30)
    assert loud.returncode == cli.EXIT_INTERNAL
    assert loud.stderr.startswith("Traceback") and 'line 3, in run\nKeyError' in loud.stderr
    assert loud.stderr.strip().splitlines()[-1] == "meso: internal error: KeyError: 'boom' " \
                                                   "(please report)"


def test_closed_pipe_is_quiet():
    p = subprocess.Popen([sys.executable, "-m", "host.cli", "presets"], cwd=ROOT, env=env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # `meso presets | head -0`
    err = p.stderr.read().decode()
    p.stderr.close()
    assert p.wait(30) == 1 and err == ""


def ctrl_c_reaches():
    """In the child: Ctrl-C as in a terminal, even when this run was started with SIGINT
    ignored (a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(proc, ready):
    """Ctrl-C once the child printed a line for which ready(line) holds (a shot given: the run
    is under way however loaded the machine); (stdout, stderr) at its end."""
    head = []
    end = time.monotonic() + WAIT_S
    while True:
        line = proc.stdout.readline()
        if not line or time.monotonic() > end:
            proc.kill()
            rest = proc.communicate(timeout=30)
            raise AssertionError("never ready:\n" + "".join(head) + rest[0] + rest[1])
        head.append(line)
        if ready(line):
            break
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    try:
        out, err = proc.communicate(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return "".join(head) + out, err


def a_shot(line):
    return line.startswith("shot ")


def spawn(*argv):
    return subprocess.Popen([sys.executable, "-m", "host.cli", *argv], cwd=ROOT, env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=ctrl_c_reaches)


# Loaded through PYTHONPATH: Ctrl-C arrives exactly while meso imports a command module.
CTRL_C_IN_IMPORT = """import os, signal, sys
class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "host.commands.validate":
            os.kill(os.getpid(), signal.SIGINT)
sys.meta_path.insert(0, CtrlC())
"""


def test_ctrl_c_while_starting(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(CTRL_C_IN_IMPORT)
    done = subprocess.run([sys.executable, "-m", "host.cli", "validate", FACE], cwd=ROOT,
                          env=dict(env(), PYTHONPATH=str(tmp_path)), capture_output=True,
                          text=True, timeout=30, preexec_fn=ctrl_c_reaches)
    assert done.returncode == cli.EXIT_INTERRUPTED and done.stderr == "meso: interrupted\n", \
        done.stderr
    assert done.stdout == ""


def test_ctrl_c_during_a_simulated_session():
    proc = spawn("sim", "run", FACE, "--exact", "--json", os.devnull)  # about 3 s
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # numpy mapped: the simulation is starting
        with open("/proc/%d/maps" % proc.pid) as f:
            if "numpy" in f.read():
                break
        time.sleep(0.005)
    time.sleep(0.3)  # into the simulation (a Ctrl-C still in the imports says the same)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == cli.EXIT_INTERRUPTED and err == "meso: interrupted\n", err


@pytest.fixture
def virtual_device(tmp_path):
    fitted = tmp_path / "fitted.toml"
    fitted.write_text(TINY)  # water: the flows of TINY and face.toml pass its needle
    dev = subprocess.Popen([sys.executable, "-m", "host.cli", "sim", "serve", "--speed", "20",
                            "--state", str(tmp_path / "device"), "--fitted", str(fitted)],
                           cwd=ROOT, env=env(),
                           stdout=subprocess.PIPE, text=True, start_new_session=True)
    port = dev.stdout.readline().strip()
    yield port
    dev.terminate()
    dev.wait(10)


def test_ctrl_c_during_run_aborts_and_keeps_the_log(virtual_device, tmp_path):
    # (20x real time: at 100x on a busy machine the virtual device answers ABORT late)
    log = tmp_path / "s.json"
    proc = spawn("run", FACE, "--port", virtual_device, "--screened-by", "qa", "--log", str(log),
                 "-v")
    out, err = interrupt(proc, a_shot)
    assert proc.returncode == 1 and err == "meso: run stopped: aborted: Ctrl-C\n", err
    assert "Ctrl-C: sending ABORT" in out
    summary = json.loads(log.read_text())["summary"]
    assert summary["outcome"] == "aborted" and summary["shots"] < summary["planned"]
    status = meso("status", "--port", virtual_device)
    assert "fault abort" in status.stdout, status.stdout + status.stderr


def test_ctrl_c_during_demo_aborts():
    proc = spawn("demo", "--speed", "20", "-v")
    out, err = interrupt(proc, a_shot)
    assert "Traceback" not in out + err
    assert err == "meso: run stopped: aborted: Ctrl-C\n", err


def test_run_refuses_an_unwritable_log_before_any_shot(virtual_device, tmp_path):
    done = meso("run", str(tmp_path / "none.toml"), "--port", virtual_device)
    assert done.returncode == 1  # (the device answers: a sanity check of the fixture)
    proto = tmp_path / "p.toml"
    proto.write_text(TINY)
    done = meso("run", str(proto), "--port", virtual_device, "--screened-by", "qa", "--log",
                str(tmp_path / "no" / "s.json"))
    assert done.returncode == 1 and str(tmp_path / "no" / "s.json") in done.stderr
    status = meso("status", "--port", virtual_device)
    assert " 0 shots" in status.stdout, status.stdout
