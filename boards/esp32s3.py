"""ESP32-S3 (DevKitC-1 style, GPIO numbers): two TMC2209 step/dir drivers stepped by RMT.

The step clock is the RMT channel's: 80 MHz APB / 8 = 10 MHz, so segments are in 0.1 µs.
"""

from boards.pico import BOARD as PICO

# The pico's mechanics, syringes, needles and limits; its own pins and step clock.
PINS = {
    "plunger_step": 4,
    "plunger_dir": 5,
    "plunger_diag": 6,
    "carriage_step": 7,
    "carriage_dir": 15,
    "carriage_diag": 16,
    "driver_enable": 17,
    "plunger_home": 18,
    "plunger_end": 8,
    "carriage_home": 9,
    "trigger": 10,
    "contact": 11,
    "pedal": None,
    "buzzer": 12,
    "led": 21,
    "pressure_adc": 1,
}

BOARD = dict(PICO, name="esp32s3", mcu="esp32s3", mpy_arch="xtensawin", port="esp32s3",
             step_clock_hz=10000000, pins=PINS)
