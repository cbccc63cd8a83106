"""`meso ui` under a real browser: the server as a child process, Debian's Chromium driven by
Playwright, guns served by the simulator on pseudo-terminals of this process."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Waits are for what the page shows, bounded only so a hung run ends (a loaded machine is slow).
PATIENCE_MS = 60000

sync_api = pytest.importorskip("playwright.sync_api", reason="the ui extra's playwright")


class Server:
    """`meso ui --no-browser` in a child process; url carries the token."""

    def __init__(self, folder, logs):
        cmd = [sys.executable, "-m", "host.cli", "ui", "--no-browser", "--folder", str(folder),
               "--logs", str(logs)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                     start_new_session=True)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:") and "?token=" in self.url, self.url
        self.base, self.token = self.url.split("/?token=")

    def at(self, path):
        join = "&" if "?" in path else "?"
        return "%s%s%stoken=%s" % (self.base, path, join, self.token)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def server(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "logs").mkdir()
    s = Server(tmp_path / "mine", tmp_path / "logs")
    s.folder, s.logs = tmp_path / "mine", tmp_path / "logs"
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("no chromium (make venv installs it)")
    profile = tempfile.mkdtemp(prefix="meso-ui-chromium-")
    with sync_api.sync_playwright() as pw:
        # A persistent context is the only way to hand Chromium its own fresh profile folder.
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM,
                                                    args=ARGS, headless=True)
        ctx.set_default_timeout(PATIENCE_MS)
        yield ctx
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    p = browser.new_page()
    yield p
    p.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }") if not p.is_closed() \
        and p.url.startswith("http") else None
    p.close()


@pytest.fixture(scope="session")
def shots_dir():
    """Screenshots go here, outside the repository."""
    d = os.environ.get("MESO_UI_SHOTS") or tempfile.mkdtemp(prefix="meso-ui-shots-")
    os.makedirs(d, exist_ok=True)
    return d
