"""The wire protocol between host and gun, defined once: framing, CRC, messages, delivery.

firmware/ runs it on the device; host/ and sim/ import the same modules. docs/PROTOCOL.md
describes frames, messages, states and error codes.
"""

# Bumped whenever a frame or message layout changes; both ends refuse a different version.
# 2: the shot record carries the gun's power-up count (firmware/wire/record.py), the
# session's progress and choice messages joined the table.
PROTOCOL_VERSION = 2
