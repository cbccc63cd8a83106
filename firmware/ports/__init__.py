"""MCU ports: one package per family, each exporting one HAL class (see firmware/hal.py)."""
