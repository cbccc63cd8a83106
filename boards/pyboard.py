"""Pyboard v1.1 (STM32F405): two TMC2209 step/dir drivers stepped by 32-bit timers.

Pin numbers are STM32 port * 16 + index: PA5 = 5, PB6 = 22, PC4 = 36 (board names in
README.md). The step pins are timer outputs: plunger PA5 = TIM2_CH1, carriage PA2 = TIM5_CH3;
both timers count the 84 MHz APB1 timer clock, the step clock. A timer interrupt per step
loads the next interval, which caps the step rate lower than on the pico: speeds and the
1 mL syringe's flow are set so that no move asks for more than ~26 000 steps/s.
"""

BOARD = {
    "name": "pyboard",
    "mcu": "stm32f405",
    "mpy_arch": "armv7emsp",
    "hal": "pyboard",
    "tick_period": 1073741824,
    "step_clock_hz": 84000000,
    "pins": {
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
    },
    "plunger": {
        "driver": "tmc2209",
        "steps_per_rev": 200,
        "microsteps": 16,
        "lead_mm": 1.0,
        "max_speed_mm_s": 8.0,
        "accel_mm_s2": 400.0,
        "home_speed_mm_s": 2.0,
        "travel_mm": 70.0,
        "backlash_um": 10,
    },
    "carriage": {
        "driver": "tmc2209",
        "steps_per_rev": 200,
        "microsteps": 16,
        "lead_mm": 1.0,
        "max_speed_mm_s": 8.0,
        "accel_mm_s2": 2000.0,
        "home_speed_mm_s": 4.0,
        "travel_mm": 12.0,
        "backlash_um": 5,
    },
    "syringes": [
        {"volume_ml": 1, "bore_mm": 4.78, "max_flow_ul_s": 140, "max_continuous_ul_s": 50,
         "max_burst_per_min": 150},
        {"volume_ml": 3, "bore_mm": 8.66, "max_flow_ul_s": 430, "max_continuous_ul_s": 133,
         "max_burst_per_min": 250},
        {"volume_ml": 5, "bore_mm": 12.06, "max_flow_ul_s": 800, "max_continuous_ul_s": 166,
         "max_burst_per_min": 300},
        {"volume_ml": 10, "bore_mm": 14.5, "max_flow_ul_s": 800, "max_continuous_ul_s": 166,
         "max_burst_per_min": 300},
    ],
    "needles": [
        {"length_mm": 4, "depth_cap_mm": 4},
        {"length_mm": 6, "depth_cap_mm": 6},
        {"length_mm": 13, "depth_cap_mm": 9},
    ],
    "shot": {
        "flow_ul_s": 100,
        "hold_ms": 150,
        "relief_um": 40,
        "contact_debounce_ms": 20,
        "trigger_debounce_ms": 10,
        "state_timeout_ms": 3000,
        "safe_speed_mm_s": 5.0,
    },
    "limits": {
        "dose_max_ul": 500,
        "zone_max_ul": 10000,
        "session_max_ul": 20000,
        "points_max": 2000,
        "pace_min_ms": 150,
        "pace_max_ms": 60000,
        "burst_depth_max_mm": 4,
        "pressure_max_kpa": 400,
        "step_error_max_us": 1.0,
    },
}
