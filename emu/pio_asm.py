"""The rp2 step PIO program read from its firmware source and encoded to PIO machine words.

The firmware module imports rp2 and cannot be imported on CPython, so its source is parsed:
the program function's body runs against a recording assembler (the names of MicroPython's
PIO DSL), which gives the instructions, labels and wrap points. encode() turns those into the
16-bit instruction words of the RP2040 datasheet (section 3.4), the words rp2.asm_pio loads
into instruction memory.
"""

import ast

import emu

# Field values of the RP2040 PIO instruction set (datasheet 3.4.2 to 3.4.10).
JMP_COND = {None: 0, "not_x": 1, "x_dec": 2, "not_y": 3, "y_dec": 4, "x_not_y": 5, "pin": 6,
            "not_osre": 7}
OUT_DEST = {"pins": 0, "x": 1, "y": 2, "null": 3, "pindirs": 4, "pc": 5, "isr": 6, "exec": 7}
MOV_DEST = {"pins": 0, "x": 1, "y": 2, "exec": 4, "pc": 5, "isr": 6, "osr": 7}
MOV_SRC = {"pins": 0, "x": 1, "y": 2, "null": 3, "status": 5, "isr": 6, "osr": 7}
SET_DEST = {"pins": 0, "x": 1, "y": 2, "pindirs": 4}
IN_SRC = {"pins": 0, "x": 1, "y": 2, "null": 3, "isr": 6, "osr": 7}
OPS = ("jmp", "out", "mov", "set", "push", "pull", "nop")
NAMES = set(JMP_COND) | set(OUT_DEST) | set(MOV_SRC) | {"block", "noblock", "iffull", "ifempty"}
NAMES.discard(None)


def module_consts(path):
    """NAME = const(value) assignments of a firmware module (it does not import on CPython)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    consts = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "") == "const"):
            consts[node.targets[0].id] = eval(compile(ast.Expression(node.value.args[0]),
                                                      path, "eval"), {}, dict(consts))
    return consts, tree


class Instr:
    """One recorded instruction: op name, DSL arguments, delay cycles ([n] after the call)."""

    def __init__(self, op, *args):
        self.op, self.args, self.delay = op, args, 0

    def __getitem__(self, delay):
        self.delay = delay
        return self


def dsl(prog):
    """The names a PIO program body uses, recording into prog (code, labels, wrap points)."""
    def emit(op):
        def f(*args):
            ins = Instr(op, *args)
            prog["code"].append(ins)
            return ins
        return f

    env = {op: emit(op) for op in OPS}
    env["in_"] = emit("in")
    for name in NAMES:
        env[name] = name
    env["label"] = lambda name: prog["labels"].__setitem__(name, len(prog["code"]))
    env["wrap_target"] = lambda: prog.__setitem__("wrap_target", len(prog["code"]))
    env["wrap"] = lambda: prog.__setitem__("wrap", len(prog["code"]) - 1)
    return env


def new_program():
    return {"code": [], "labels": {}, "wrap_target": 0, "wrap": None}


def assemble(name="step_program"):
    """The program's instructions, labels, wrap points and decorator settings, from source."""
    path = emu.rp2_path("steps")
    consts, tree = module_consts(path)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    deco = fn.decorator_list[0]
    prog = new_program()
    prog["settings"] = {k.arg: ast.unparse(k.value) for k in getattr(deco, "keywords", [])}
    env = dict(consts)
    env.update(dsl(prog))
    # The program's own body, run against the recording DSL: the firmware file as written.
    exec(compile(ast.Module(body=fn.body, type_ignores=[]), path, "exec"), env)  # noqa: S102
    if prog["wrap"] is None:
        prog["wrap"] = len(prog["code"]) - 1
    return prog


def encode_one(ins, labels, offset=0):
    """One instruction as a 16-bit PIO word; jump targets are moved by offset."""
    op, a = ins.op, ins.args
    if not 0 <= ins.delay <= 31:
        raise ValueError("delay %d out of 0..31" % ins.delay)
    if op == "jmp":
        cond, target = (None, a[0]) if len(a) == 1 else a
        word = (JMP_COND[cond] << 5) | (labels[target] + offset) & 0x1F
    elif op == "out":
        word = 0x6000 | (OUT_DEST[a[0]] << 5) | (a[1] & 0x1F)
    elif op == "in":
        word = 0x4000 | (IN_SRC[a[0]] << 5) | (a[1] & 0x1F)
    elif op == "mov":
        word = 0xA000 | (MOV_DEST[a[0]] << 5) | MOV_SRC[a[1]]
    elif op == "nop":
        word = 0xA000 | (MOV_DEST["y"] << 5) | MOV_SRC["y"]
    elif op == "set":
        if not 0 <= a[1] <= 31:
            raise ValueError("set value %d out of 0..31" % a[1])
        word = 0xE000 | (SET_DEST[a[0]] << 5) | a[1]
    elif op in ("push", "pull"):
        block = 1 if not a or "block" in a else 0
        cond = 1 if ("iffull" in a or "ifempty" in a) else 0
        word = 0x8000 | ((op == "pull") << 7) | (cond << 6) | (block << 5)
    else:
        raise ValueError("no encoding for %s" % op)
    return word | (ins.delay << 8)


def encode(prog, offset=0):
    """Every instruction of prog as PIO words, loaded at instruction memory offset."""
    return [encode_one(ins, prog["labels"], offset) for ins in prog["code"]]
