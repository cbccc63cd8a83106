"""`meso ui` on the command line: the URL it prints, and the address it refuses."""

import os
import signal
import subprocess
import sys
import urllib.request

from host.cli import main
from tests.ui.conftest import ROOT


def test_another_host_needs_the_explicit_flag(capsys, tmp_path):
    code = main(["ui", "--no-browser", "--listen", "0.0.0.0", "--logs", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "--allow-remote" in err and "127.0.0.1" in err and "Traceback" not in err


def test_with_the_flag_it_warns_and_serves(tmp_path):
    cmd = [sys.executable, "-m", "host.cli", "ui", "--no-browser", "--listen", "0.0.0.0",
           "--allow-remote", "--logs", str(tmp_path), "--folder", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, start_new_session=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://0.0.0.0:") and "?token=" in url, url
        local = url.replace("0.0.0.0", "127.0.0.1")
        assert urllib.request.urlopen(local, timeout=30).status == 200
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert "WARNING" in proc.stderr.read()


def test_without_no_browser_it_opens_the_browser_at_its_url(tmp_path):
    # The system's browser is whatever $BROWSER names (Python's webbrowser): here a script
    # that writes down the URL it is opened at.
    seen = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text('#!/bin/sh\nprintf "%%s" "$1" > %s\n' % seen)
    script.chmod(0o755)
    env = dict(os.environ, BROWSER=str(script))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "host.cli", "ui", "--logs", str(tmp_path), "--folder",
           str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
                            start_new_session=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "?token=" in url, url
        # The page answers at the URL the browser was given (the server runs once the
        # browser command has returned).
        assert urllib.request.urlopen(url, timeout=30).status == 200
        assert seen.read_text() == url
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
