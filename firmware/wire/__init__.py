"""The wire protocol between host and gun, defined once: framing, CRC, messages, delivery.

firmware/ runs it on the device; host/ and sim/ import the same modules. docs/PROTOCOL.md
describes frames, messages, states and error codes.
"""

# Bumped whenever a frame or message layout changes; both ends refuse a different version.
PROTOCOL_VERSION = 1
