"""Fleets of simulated sessions: every combination of protocol, seed, dose model and plant
parameter, run on a process pool or a Dask cluster, collected into tables (`meso sim sweep`).
"""
