"""mesogun firmware: the pure core, the wire protocol and the hardware HALs."""

VERSION = "0.1.0"
