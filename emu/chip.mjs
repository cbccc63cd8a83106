// A whole RP2040 from rp2040js, its CPU running a MicroPython rp2 image: the bootrom and the
// image are the engineer's (neither ships with the project), an optional filesystem image is
// laid into the flash where the port mounts it, and the port's USB serial is bridged to this
// process's stdin/stdout byte for byte (emu/chip.py drives it).
//
//   node emu/chip.mjs --bootrom B1.bin --image firmware.bin [--fs lfs.img --fs-offset 0xa0000]
//
// Time on the chip is the emulator's: each instruction advances the clock by its cycles at
// 125 MHz (rp2040js counts Cortex-M0+ cycles per instruction approximately, with no bus or
// flash wait states), so the port's ticks_us() reads emulated time. On stdin's end the process
// prints one JSON line of totals to stderr and exits.
import { readFileSync } from 'node:fs';
import { ConsoleLogger, LogLevel, Simulator, USBCDC } from 'rp2040js';

const NS_PER_CYCLE = 8; // 125 MHz clk_sys
const BATCH = 200000; // instructions between looks at the host's input

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) {
    if (fallback === undefined) fail(`${name} is required`);
    return fallback;
  }
  return process.argv[i + 1];
}

function fail(message) {
  process.stderr.write(`chip.mjs: ${message}\n`);
  process.exit(2);
}

// A .uf2 holds 512-byte blocks, each naming its flash address; a .bin is the flash from 0.
function loadImage(path, flash) {
  const data = readFileSync(path);
  if (!path.endsWith('.uf2')) {
    flash.set(data, 0);
    return;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 512 <= data.length; at += 512) {
    if (view.getUint32(at, true) !== 0x0a324655 || view.getUint32(at + 4, true) !== 0x9e5d5157) {
      fail(`${path}: block at byte ${at} is not a UF2 block`);
    }
    const address = view.getUint32(at + 12, true);
    const size = view.getUint32(at + 16, true);
    flash.set(data.subarray(at + 32, at + 32 + size), address - 0x10000000);
  }
}

const bootrom = readFileSync(arg('--bootrom'));
if (bootrom.length !== 16384) fail(`the bootrom must be 16384 bytes, not ${bootrom.length}`);

const sim = new Simulator();
const mcu = sim.rp2040;
mcu.logger = new ConsoleLogger(LogLevel.Error);
mcu.loadBootrom(new Uint32Array(bootrom.buffer, bootrom.byteOffset, 4096));
loadImage(arg('--image'), mcu.flash);
const fsPath = arg('--fs', '');
if (fsPath) mcu.flash.set(readFileSync(fsPath), Number(arg('--fs-offset')));

// rp2040js does not model the flash chip behind the SSI, so the bootrom's flash routines
// would program nothing: the port's filesystem could be read but never written. The routines
// the pico-sdk calls to erase and program are done here instead, on the flash array, when the
// CPU reaches their entry (found through the bootrom's function table, as rom_func_lookup
// finds them), and return to their caller. The flash keeps NOR semantics: erase sets a
// sector's bytes to 0xff, programming can only clear bits.
const ROM = new DataView(bootrom.buffer, bootrom.byteOffset, bootrom.length);
function romFunction(code) {
  const tag = code.charCodeAt(0) | (code.charCodeAt(1) << 8);
  for (let at = ROM.getUint16(0x14, true); ; at += 4) {
    const c = ROM.getUint16(at, true);
    if (c === 0) fail(`the bootrom has no function ${code}`);
    if (c === tag) return ROM.getUint16(at + 2, true) & ~1;
  }
}
const FLASH_SECTOR = 4096;
const FLASH_PAGE = 256;
const r = mcu.core.registers;
const flashOps = { erased: 0, programmed: 0 };
const romCalls = new Map([
  [romFunction('RE'), () => { // flash_range_erase(addr, count, block_size, block_cmd)
    const [addr, count] = [r[0], r[1]];
    if (addr % FLASH_SECTOR || count % FLASH_SECTOR) fail(`erase of ${count} at ${addr} not by sector`);
    mcu.flash.fill(0xff, addr, addr + count);
    flashOps.erased += count;
  }],
  [romFunction('RP'), () => { // flash_range_program(addr, data, count)
    const [addr, data, count] = [r[0], r[1], r[2]];
    if (addr % FLASH_PAGE || count % FLASH_PAGE) fail(`program of ${count} at ${addr} not by page`);
    for (let i = 0; i < count; i++) mcu.flash[addr + i] &= mcu.readUint8(data + i);
    flashOps.programmed += count;
  }],
]);

// The host's bytes wait here until the emulated USB host's FIFO has room: rp2040js drops what
// is pushed into a full FIFO.
const queue = [];
let queueAt = 0;
let inputDone = false;
const cdc = new USBCDC(mcu.usbCtrl);
cdc.onSerialData = (bytes) => process.stdout.write(bytes);
// The port prints its banner before the USB host has enumerated it, into nothing: a line
// ending sent once the device is up makes it print a prompt.
cdc.onDeviceConnected = () => cdc.sendSerialByte(13);
process.stdin.on('data', (chunk) => {
  for (const b of chunk) queue.push(b);
});
process.stdin.on('end', () => {
  inputDone = true;
});

let cycles = 0;
const wallStart = process.hrtime.bigint();

// rp2040js's USB host answers the device's OUT endpoint at once, with an empty packet when it
// has nothing to send; the port then asks again, and the CPU spends most of its cycles in the
// USB interrupt, which would make every figure timed on the chip several times too slow. A
// real host sends only when it has data: a read that finds nothing waits here for the next.
let pendingRead = 0;
const answerRead = cdc.usb.onEndpointRead;
cdc.usb.onEndpointRead = (endpoint, size) => {
  if (endpoint === cdc.outEndpoint && cdc.txFIFO.itemCount === 0) {
    pendingRead = size;
    return;
  }
  answerRead(endpoint, size);
};

function feed() {
  const room = cdc.txFIFO.size - cdc.txFIFO.itemCount;
  for (let i = 0; i < room && queueAt < queue.length; i++) cdc.sendSerialByte(queue[queueAt++]);
  if (queueAt > 65536) {
    queue.splice(0, queueAt);
    queueAt = 0;
  }
  if (pendingRead && cdc.txFIFO.itemCount > 0) {
    const size = pendingRead;
    pendingRead = 0;
    answerRead(cdc.outEndpoint, size);
  }
}

function finish() {
  const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
  process.stderr.write(JSON.stringify({ cycles, emulated_s: cycles / 125e6, wall_s: wallS, flash: flashOps }) + '\n');
  process.exit(0);
}

// The same loop as rp2040js's Simulator.execute, with the input fed between batches and the
// cycles counted.
function run() {
  const { clock } = sim;
  for (let i = 0; i < BATCH; i++) {
    if (mcu.core.waiting) {
      const ns = clock.nanosToNextAlarm;
      clock.tick(ns);
      cycles += ns / NS_PER_CYCLE;
      i += ns / NS_PER_CYCLE;
    } else {
      const call = romCalls.get(mcu.core.PC);
      if (call !== undefined) {
        call();
        mcu.core.PC = mcu.core.LR & ~1;
      }
      const n = mcu.core.executeInstruction();
      clock.tick(n * NS_PER_CYCLE);
      cycles += n;
    }
  }
  feed();
  // The host closes stdin once it has read every answer it waits for.
  if (inputDone) finish();
  setImmediate(run);
}

mcu.core.PC = 0x10000000;
run();
