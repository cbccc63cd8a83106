"""An emulated RP2040 (npm rp2040js) that runs the rp2 HAL's step generation to the cycle.

The one place that says where the rp2 HAL's step files live: everything in emu/ and its
tests finds them through RP2_MODULES.
"""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The rp2 step generator (PIO program, DMA ring) and its word encoder, as importable modules.
RP2_MODULES = {"steps": "firmware.ports.rp2.steps", "words": "firmware.ports.rp2.words"}


def rp2_module(which):
    return RP2_MODULES[which]


def rp2_path(which):
    """The source file of an rp2 HAL module, found without importing it (it needs rp2)."""
    name = RP2_MODULES[which]
    spec = importlib.util.find_spec(name.rsplit(".", 1)[0])
    folder = next(iter(spec.submodule_search_locations))
    return os.path.join(folder, name.rsplit(".", 1)[1] + ".py")
