"""SimPy model of the mesogun device and its world; runs the real firmware core."""
