"""The RP2040 step PIO program, run cycle by cycle on a model of a PIO state machine.

The program is taken from the rp2 HAL's step file as written (emu/pio_asm.py runs its body
against a recording assembler), then executed on words in the format of the rp2 port's words.py. Checks: every
step costs its delay plus OVERHEAD_TICKS cycles, a word makes count steps, one counter token
per step, and the pulse and gap widths a TMC2209 needs (100 ns each at 125 MHz).
"""

import emu
from emu import pio_asm

MASK = 0xFFFFFFFF


def assemble():
    """The step program's instructions, labels and wrap, from its source."""
    prog = pio_asm.assemble()
    assert "SHIFT_RIGHT" in prog["settings"]["out_shiftdir"]
    return prog


def run(prog, words):
    """Execute until the TX FIFO is empty and the machine stalls at pull.

    Returns (rising-edge cycles, falling-edge cycles, tokens pushed)."""
    code, labels = prog["code"], prog["labels"]
    fifo = list(words)
    pc, t, x, y, osr, pin = prog["wrap_target"], 0, 0, 0, 0, 0
    rises, falls, tokens = [], [], 0
    while True:
        ins = code[pc]
        op, a = ins.op, ins.args
        nxt, jumped = pc + 1, False
        if op == "pull":
            if not fifo:
                return rises, falls, tokens
            osr = fifo.pop(0)
        elif op == "out":
            assert a[0] == "x"
            x, osr = osr & ((1 << a[1]) - 1), osr >> a[1]
        elif op == "mov":
            assert a == ("y", "osr")
            y = osr
        elif op == "jmp":
            if len(a) == 1:
                nxt, jumped = labels[a[0]], True
            else:
                reg = x if a[0] == "x_dec" else y
                if labels[a[1]] == pc and a[0] == "y_dec":  # a delay loop: y + 1 cycles at once
                    t += reg
                    y, reg = MASK, 0
                if reg:
                    nxt, jumped = labels[a[1]], True
                if a[0] == "x_dec":
                    x = (x - 1) & MASK
                else:
                    y = (y - 1) & MASK
        elif op == "set":
            assert a[0] == "pins"
            if a[1] and not pin:
                rises.append(t)
            if pin and not a[1]:
                falls.append(t)
            pin = a[1]
        elif op == "push":
            tokens += 1
        t += 1 + ins.delay
        if pc == prog["wrap"] and not jumped:  # wrap unless a jump was taken
            nxt = prog["wrap_target"]
        pc = nxt


def words_consts():
    consts, _ = pio_asm.module_consts(emu.rp2_path("words"))
    return consts


def word(delay, count, bits):
    return (delay << bits) | (count - 1)


def test_each_step_costs_its_delay_plus_the_overhead():
    c = words_consts()
    runs = [(8, 1), (8, 3), (500, 128), (9, 1), (1234, 2), (77, 1), (c["MAX_DELAY"] >> 12, 2)]
    rises, falls, tokens = run(assemble(), [word(d, n, c["COUNT_BITS"]) for d, n in runs])
    intervals = [d + c["OVERHEAD_TICKS"] for d, n in runs for _ in range(n)]
    assert len(rises) == len(falls) == tokens == len(intervals)
    gaps = [b - a for a, b in zip(rises, rises[1:])]
    assert gaps == intervals[1:]
    # The first edge comes a fixed few cycles ahead of the first interval.
    assert 0 < intervals[0] - rises[0] < c["OVERHEAD_TICKS"]


def test_pulse_and_gap_meet_the_driver_minimums():
    c = words_consts()
    shortest = c["MIN_INTERVAL_TICKS"] - c["OVERHEAD_TICKS"]
    rises, falls, _ = run(assemble(), [word(shortest, 5, c["COUNT_BITS"])])
    # 13 cycles at 125 MHz is 104 ns; the TMC2209 asks for 100 ns high and 100 ns low.
    assert all(f - r >= 13 for r, f in zip(rises, falls))
    assert all(r - f >= 13 for f, r in zip(falls, rises[1:]))
    assert rises[1] - rises[0] == c["MIN_INTERVAL_TICKS"]


def test_count_field_covers_one_to_max_run():
    c = words_consts()
    for n in (1, 2, c["MAX_RUN"]):
        rises, _, tokens = run(assemble(), [word(20, n, c["COUNT_BITS"])])
        assert len(rises) == tokens == n


def test_encoding_matches_the_words_the_hal_writes_itself():
    # _pio_halt executes set(pins, 0) as 0xE000 and a jump to the start as the bare address;
    # pull(block) and push(noblock) are the SDK's well-known 0x80A0 and 0x8000.
    prog = assemble()
    words = pio_asm.encode(prog)
    ops = [(ins.op, ins.args) for ins in prog["code"]]
    assert words[ops.index(("set", ("pins", 0)))] == 0xE000
    assert words[ops.index(("pull", ("block",)))] == 0x80A0
    assert words[ops.index(("push", ("noblock",)))] == 0x8000
    assert words[ops.index(("mov", ("y", "osr")))] == 0xA047  # mov y, osr
    assert words[ops.index(("out", ("x", 7)))] == 0x6027  # out x, 7
    # Jumps carry their target moved by the load offset, and delays sit in bits 8..12.
    moved = pio_asm.encode(prog, offset=23)
    for ins, w, m in zip(prog["code"], words, moved):
        assert (w >> 8) & 0x1F == ins.delay
        if ins.op == "jmp":
            assert m & 0x1F == (w & 0x1F) + 23 and m & ~0x1F == w & ~0x1F
        else:
            assert m == w
