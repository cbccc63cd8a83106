"""The laptop side of mesogun: the `meso` command and what it needs."""
