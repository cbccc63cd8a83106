"""The virtual board behaves like a board on USB: mpremote drives it, resets respawn it."""

import os
import shutil
import signal
import subprocess
import termios
import time

from tests.device.conftest import BIN, mpremote


def wait_for(pred, timeout_s=5.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_mpremote_exec_cp_ls(board, tmp_path):
    out = mpremote(board.port, "exec", "import sys; print(sys.implementation.name, 6 * 7)")
    assert "micropython 42" in out
    src = tmp_path / "hello.py"
    src.write_bytes(b"GREETING = 'hi'\n" * 50)
    mpremote(board.port, "fs", "mkdir", "lib", "+", "fs", "cp", str(src), ":lib/hello.py")
    listing = mpremote(board.port, "fs", "ls", "lib")
    assert "hello.py" in listing
    # The folder is the flash: the copy landed there byte for byte.
    assert (tmp_path / "flash" / "lib" / "hello.py").read_bytes() == src.read_bytes()
    out = mpremote(board.port, "exec", "import sys; sys.path.append('lib'); import hello; print(hello.GREETING)")
    assert out.strip() == "hi"


def test_soft_reset_respawns_and_runs_boot_not_main(board):
    flash = board.flash_dir
    with open(os.path.join(flash, "boot.py"), "w") as f:
        f.write("open('booted', 'a').write('b')\n")
    with open(os.path.join(flash, "main.py"), "w") as f:
        f.write("open('booted', 'a').write('m')\n")
    before = board.boots
    # mpremote soft-resets on entering the raw REPL: the unix process ends and a new one starts
    # in the raw REPL, running boot.py only (as a board does).
    mpremote(board.port, "exec", "print('x')")
    assert board.boots == before + 1
    assert open(os.path.join(flash, "booted")).read() == "b"
    # A power cycle boots in the friendly REPL: boot.py then main.py.
    board.power_cycle()
    assert wait_for(lambda: open(os.path.join(flash, "booted")).read() == "bbm")


def test_sim_board_command_prints_port_first(tmp_path):
    proc = subprocess.Popen(
        [os.path.join(BIN, "meso"), "sim", "board", "--flash", str(tmp_path / "f")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = proc.stdout.readline().strip()
        assert port.startswith("/dev/")
        assert "3" in mpremote(port, "exec", "print(1 + 2)")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_a_port_the_host_closed_is_never_busy_while_the_board_reboots(board):
    """The interpreter the board starts at each reset must not inherit the host's open,
    locked port (pyserial's exclusive flock): the host's next open would find it busy."""
    from host.link.errors import TransportError
    from host.link.transport import Transport

    busy = opens = 0
    for _ in range(8):
        before = board.boots
        board.power_cycle()
        while board.boots == before or opens % 200:  # open and close across the respawn
            try:
                Transport(board.port).close()
            except TransportError as e:
                assert "device busy" in str(e)
                busy += 1
            opens += 1
    assert busy == 0, "%d of %d opens found the port busy" % (busy, opens)


def test_an_interpreter_is_handed_over_only_once_it_runs(tmp_path):
    """The board holds the host's bytes until the interpreter takes ISIG off its terminal
    (its REPL or the app switching to raw). The spawner's own set-up must never look like
    that: a terminal handed over before the exec showed the child between two settings with
    ISIG off, the board delivered the host's bytes early, and a HELLO's 0x03 then reached a
    booting firmware as SIGINT (a trial reset and rolled back; the handshake never came)."""
    from sim.spawner import Spawner

    sleep = shutil.which("sleep")
    spawner = Spawner()
    try:
        for _ in range(20):
            pid, fd = spawner.spawn([sleep, "30"], dict(os.environ), str(tmp_path))
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    assert f.read().split(b"\0")[0] == sleep.encode(), "handed over before exec"
                assert termios.tcgetattr(fd)[3] & termios.ISIG
            finally:
                os.kill(pid, signal.SIGKILL)
                os.close(fd)
    finally:
        spawner.close()


# A firmware that takes its terminal raw (the board then delivers), gives ISIG back as the
# unix REPL does for a moment at each switch between raw and friendly REPL, and sets Ctrl-C
# as the test asks; then reports what a host's 0x03 did to it.
_CTRL_C_FIRMWARE = """import micropython, select, sys, termios, time
def wait(name):
    while True:
        try:
            open(name).close()
            return
        except OSError:
            time.sleep_ms(10)
saved = termios.tcgetattr(0)
termios.setraw(0)
open('raw', 'w').close()
wait('go')
termios.tcsetattr(0, termios.TCSANOW, saved)
micropython.kbd_intr(%d)
open('window', 'w').close()
try:
    time.sleep_ms(1500)
    p = select.poll()
    p.register(sys.stdin, select.POLLIN)
    got = b''
    while len(got) < 3 and p.poll(5000):
        got += sys.stdin.buffer.read(1)
    open('got', 'wb').write(got)
except KeyboardInterrupt:
    open('interrupted', 'w').close()
"""


def _ctrl_c_into(tmp_path, kbd_intr):
    """Boot the firmware above with kbd_intr(kbd_intr), send 0x03 'ab' in its window; return
    the board and the names of the files it left."""
    from sim.board import VirtualBoard

    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "main.py").write_text(_CTRL_C_FIRMWARE % kbd_intr)
    with VirtualBoard(str(flash)) as vb:
        assert wait_for(lambda: (flash / "raw").exists(), 60)
        assert wait_for(lambda: any("ready" in what for _, what in vb.events), 60)
        (flash / "go").touch()
        assert wait_for(lambda: (flash / "window").exists(), 60)
        fd = os.open(vb.port, os.O_RDWR | os.O_NOCTTY)
        try:
            os.write(fd, b"\x03ab")
            assert wait_for(lambda: (flash / "got").exists() or (flash / "interrupted").exists(),
                            60), "the firmware never answered: %s" % vb.events
        finally:
            os.close(fd)
        return vb, flash


def test_ctrl_c_is_data_to_an_interpreter_that_made_it_so_even_with_isig_on(tmp_path):
    """kbd_intr(-1) on the unix port leaves SIGINT at its default, which ends the process.
    A terminal making SIGINT of the host's 0x03 while ISIG was on (the unix REPL's switch
    between raw and friendly REPL) killed the interpreter of a reset under way: the board
    started the next one in the raw REPL and main.py never ran. Ctrl-C is a byte then."""
    vb, flash = _ctrl_c_into(tmp_path, -1)
    assert (flash / "got").read_bytes() == b"\x03ab"
    assert vb.boots == 1, vb.events


def test_ctrl_c_still_interrupts_code_that_keeps_it(tmp_path):
    vb, flash = _ctrl_c_into(tmp_path, 3)
    assert (flash / "interrupted").exists()
    assert vb.boots == 1, vb.events


def test_a_board_whose_interpreters_cannot_start_says_why(tmp_path):
    """The bridge outlives a failed spawn and names it in the board's events, which a
    failing device test's report carries: a bridge thread that died said nothing, and the
    gun just never answered."""
    from sim.board import VirtualBoard

    with VirtualBoard(str(tmp_path / "flash")) as vb:
        vb._spawner.proc.kill()  # the helper that starts the interpreters is gone
        vb._spawner.proc.wait()
        vb.power_cycle()
        assert wait_for(lambda: any("bridge error" in what for _, what in vb.events), 30)
        assert "helper process ended" in " ".join(what for _, what in vb.events)
        assert vb._thread.is_alive()
