"""Pyboard v1.1 (STM32F405): two TMC2209 step/dir drivers stepped by 32-bit timers.

Pin numbers are STM32 port * 16 + index: PA5 = 5, PB6 = 22, PC4 = 36 (board names in
README.md). The step pins are timer outputs: plunger PA5 = TIM2_CH1, carriage PA2 = TIM5_CH3;
both timers count the 84 MHz APB1 timer clock, the step clock. A timer interrupt per step
loads the next interval, which caps the step rate lower than on the pico: speeds and the
1 mL syringe's flow are set so that no move asks for more than ~26 000 steps/s.
"""

from boards.pico import BOARD as PICO

PINS = {
    "plunger_step": 5,
    "plunger_dir": 6,
    "plunger_diag": 7,
    "carriage_step": 2,
    "carriage_dir": 3,
    "carriage_diag": 4,
    "driver_enable": 22,
    "plunger_home": 38,
    "plunger_end": 39,
    "carriage_home": 24,
    "trigger": 25,
    "contact": 28,
    "pedal": None,
    "buzzer": 29,
    "led": 13,
    "pressure_adc": 36,
}

# The pico's data, with speeds and the small syringes' shot flow capped where one timer
# interrupt per step keeps up (~26 000 steps/s).
SYRINGES = [
    dict(PICO["syringes"][0], max_flow_ul_s=140),
    dict(PICO["syringes"][1], max_flow_ul_s=430),
] + PICO["syringes"][2:]

BOARD = dict(PICO, name="pyboard", mcu="stm32f405", mpy_arch="armv7emsp", port="pyboard",
             step_clock_hz=84000000, pins=PINS,
             plunger=dict(PICO["plunger"], max_speed_mm_s=8.0),
             carriage=dict(PICO["carriage"], max_speed_mm_s=8.0),
             syringes=SYRINGES)
