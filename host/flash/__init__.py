"""Flashing and servicing a gun: build, deploy with mpremote, verify, pair, calibrate."""
