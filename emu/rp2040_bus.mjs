// An RP2040 from rp2040js with no bootrom and no CPU program: its peripherals are driven over
// the bus by a JSON-lines client on stdin/stdout (emu/harness.py), one request per line.
//
// Requests: {op: "read", addr} | {op: "write", addr, value} | {op: "sram", addr, words}
//   | {op: "run", cycles, stop_on_irq} | {op: "edges"} | {op: "now"}
// Every answer is one line: {ok: true, ...} or {ok: false, error}.
// Each bus read/write first lets cpu_cycles pass, so the peripherals run while the code that
// drives them spins on a register, as they would beside a real CPU.
//
// The rp2040js gaps that matter to the step PIO program are patched below, each in one
// function named for its gap; init's `patches` can leave any of them out to show it matters.
import { createInterface } from 'node:readline';
import { ConsoleLogger, LogLevel, RP2040 } from 'rp2040js';

const NS_PER_CYCLE = 8; // 125 MHz clk_sys
const SHIFTCTRL = 0x08; // offsets inside a state machine's register block (from SMx_CLKDIV)
const SM_INSTR = 0x10;
const FJOIN_BITS = 0xc0000000;
const DMA_MULTI_CHAN_TRIGGER = 0x430;
const DMA_CHAN_ABORT = 0x444;
const DMA_INTS0 = 0x40c;

// Anything rp2040js logs goes to stderr: stdout carries the protocol.
const toStderr = (...a) => process.stderr.write(a.join(' ') + '\n');
console.log = console.info = console.debug = console.warn = toStderr;

let rp = null;
let cycle = 0;
let edges = [];
let cpuCycles = 0;
let clocked = false;
let honourEnable = false;
let inTick = false;

// Gap 1: rp2040js runs each PIO block free, 1000 instructions per host timer turn, one
// instruction per call whatever CLKDIV says and without the delay cycles. Here the harness
// clocks both blocks once per system cycle: the fractional divider decides on which cycles a
// state machine advances, delay cycles are spent one per advance, and a stalled instruction is
// retried on each advance (it completes on the advance that finds its FIFO ready).
function patchClockedPio() {
  clocked = true;
  for (const pio of rp.pio) {
    pio.run = () => {};
    for (const sm of pio.machines) {
      sm.divAcc = 0;
      sm.ticks = 0;
      const checkWait = sm.checkWait.bind(sm);
      // A FIFO write or read from the bus must not complete a stall between clock edges.
      sm.checkWait = () => {
        if (inTick) checkWait();
      };
      const write = sm.writeUint32.bind(sm);
      sm.writeUint32 = (offset, value) => {
        write(offset, value);
        // An instruction written to SMx_INSTR runs at once, outside the machine's own cycles.
        if (offset === SM_INSTR) sm.ticks = sm.cycles;
      };
      const restart = sm.restart.bind(sm);
      sm.restart = () => {
        restart();
        sm.ticks = 0; // restart zeroes sm.cycles: the delay counter restarts too
      };
    }
  }
}

function tickMachine(sm) {
  // Gap 2 (see patchSmEnable): without it every machine runs, enabled or not.
  if (honourEnable && !sm.enabled) return;
  const div = ((sm.clockDivInt || 65536) << 8) + sm.clockDivFrac; // 16.8 fixed point
  sm.divAcc += 256;
  if (sm.divAcc < div) return;
  sm.divAcc -= div;
  if (sm.ticks < sm.cycles) {
    sm.ticks++; // a delay cycle of the last instruction
    return;
  }
  if (sm.waiting) {
    inTick = true;
    sm.checkWait(); // on release, rp2040js adds the stalled instruction's delay to sm.cycles
    inTick = false;
    return;
  }
  const before = sm.cycles;
  sm.updatePC = true;
  inTick = true;
  sm.executeInstruction(sm.pio.instructions[sm.pc]);
  inTick = false;
  if (sm.updatePC) sm.nextPC();
  sm.ticks = before + 1;
}

// Gap 2: a state machine whose CTRL.SM_ENABLE bit is clear keeps executing in rp2040js.
function patchSmEnable() {
  honourEnable = true;
}

// Gap 3: CHAN_ABORT and MULTI_CHAN_TRIGGER read back 0xffffffff (unimplemented register), so
// code that aborts and waits for the abort bits to clear spins for ever. rp2040js aborts at
// once, so both read 0.
function patchDmaReadback() {
  const read = rp.dma.readUint32.bind(rp.dma);
  rp.dma.readUint32 = (offset) => {
    if (offset === DMA_CHAN_ABORT || offset === DMA_MULTI_CHAN_TRIGGER) return 0;
    return read(offset);
  };
}

// Gap 4: on silicon, any change of SHIFTCTRL.FJOIN_TX/FJOIN_RX empties both FIFOs of that
// state machine (the SDK's pio_sm_clear_fifos toggles FJOIN_RX twice); rp2040js only stores
// the value, so words queued before a stop would still run after it.
function patchFjoinFlush() {
  for (const pio of rp.pio) {
    for (const sm of pio.machines) {
      const write = sm.writeUint32.bind(sm);
      sm.writeUint32 = (offset, value) => {
        const old = sm.shiftCtrl;
        write(offset, value);
        if (offset === SHIFTCTRL && ((old ^ value) & FJOIN_BITS)) {
          sm.txFIFO.reset();
          sm.rxFIFO.reset();
          sm.updateDMATx();
          sm.updateDMARx();
        }
      };
    }
  }
}

const PATCHES = {
  clocked_pio: patchClockedPio,
  sm_enable: patchSmEnable,
  dma_readback: patchDmaReadback,
  fjoin_flush: patchFjoinFlush,
};

function init(req) {
  rp = new RP2040();
  rp.logger = new ConsoleLogger(LogLevel.Error, false);
  cycle = 0;
  edges = [];
  clocked = false;
  honourEnable = false;
  cpuCycles = req.cpu_cycles ?? 4;
  const patches = req.patches ?? Object.keys(PATCHES);
  for (const name of patches) {
    if (!PATCHES[name]) {
      throw new Error(`unknown patch ${name}; known: ${Object.keys(PATCHES).join(', ')}`);
    }
    PATCHES[name]();
  }
  for (const pin of req.watch ?? []) {
    const gpio = rp.gpio[pin];
    let level = -1;
    // Driven levels only (GPIOPinState Low 0, High 1): a pin still an input is not an edge.
    gpio.addListener((value) => {
      if (value > 1 || value === level) return;
      level = value;
      edges.push([pin, value, cycle]);
    });
  }
  return { patches };
}

function run(cycles, stopOnIrq) {
  const { clock, pio, dma } = rp;
  for (let i = 0; i < cycles; i++) {
    cycle++;
    clock.tick(NS_PER_CYCLE); // DMA transfers that are due
    if (clocked) {
      for (const block of pio) {
        const m = block.machines;
        tickMachine(m[0]);
        tickMachine(m[1]);
        tickMachine(m[2]);
        tickMachine(m[3]);
        block.checkChangedPins();
      }
    }
    if (stopOnIrq && dma.intStatus0) break;
  }
  return { cycle, ints0: dma.intStatus0 >>> 0 };
}

function handle(req) {
  switch (req.op) {
    case 'init':
      return init(req);
    case 'read':
      run(cpuCycles, false);
      return { value: rp.readUint32(req.addr) >>> 0, cycle };
    case 'write':
      run(cpuCycles, false);
      rp.writeUint32(req.addr, req.value >>> 0);
      return { cycle };
    case 'sram': {
      const base = req.addr - 0x20000000;
      req.words.forEach((w, i) => rp.sramView.setUint32(base + 4 * i, w >>> 0, true));
      return {};
    }
    case 'run':
      return run(req.cycles, !!req.stop_on_irq);
    case 'edges': {
      const out = edges;
      edges = [];
      return { edges: out, cycle };
    }
    case 'now':
      return { cycle, ints0: rp.dma.readUint32(DMA_INTS0) >>> 0 };
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let answer;
  try {
    answer = { ok: true, ...handle(JSON.parse(line)) };
  } catch (e) {
    answer = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
lines.on('close', () => process.exit(0));
