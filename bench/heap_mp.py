"""The MicroPython side of bench.heap: the heap and import time of the firmware, printed as
one "key value" line each (run by bench/heap.py with the firmware as files or frozen)."""

import gc
import sys
import time

gc.collect()
BASE = gc.mem_alloc()
t0 = time.ticks_us()
import firmware.app  # noqa: E402  the core, as bench.chip measures it

t1 = time.ticks_us()
gc.collect()
print("heap_core", gc.mem_alloc() - BASE)
t2 = time.ticks_us()
import firmware.boot  # noqa: E402  the rest of what the unix board boots
import firmware.ports.unix.hal  # noqa: E402

t3 = time.ticks_us()
gc.collect()
print("heap_all", gc.mem_alloc() - BASE)
print("us_import_core", time.ticks_diff(t1, t0))
print("us_import_all", time.ticks_diff(t1, t0) + time.ticks_diff(t3, t2))
# A frozen package's path is in the interpreter's image (.frozen), a file's on the filesystem.
print("frozen", 1 if firmware.__path__.startswith(".frozen") else 0)
print("version", sys.version.replace(" ", "_"))

from rig import Rig, point_zone, protocol  # noqa: E402

# bench.chip's 300 points: 30 zones of 10, alternating depth.
zones = [point_zone(name="z%d" % i, points=10, dose_ul=20, pace_ms=600,
                    depth_mm=1.0 if i % 2 else 1.5) for i in range(30)]
rig = Rig(protocol(zones, syringe_ml=1), board="pico")
gc.collect()
print("heap_loaded", gc.mem_alloc() - BASE)
