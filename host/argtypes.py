"""Argument types for figures that must be in range: argparse names the option on a bad one."""

import argparse
import math


def _number(kind, text):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number" % text)
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError("%r is not a finite number" % text)
    return value


def positive_int(text):
    value = _number(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError("%s is not a whole number of 1 or more" % text)
    return value


def non_negative_int(text):
    value = _number(int, text)
    if value < 0:
        raise argparse.ArgumentTypeError("%s is not a whole number of 0 or more" % text)
    return value


def positive_float(text):
    value = _number(float, text)
    if value <= 0:
        raise argparse.ArgumentTypeError("%s is not a number above 0" % text)
    return value
