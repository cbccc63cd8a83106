"""Benchmarks: each prints its figures; run as `python -m bench.NAME`."""
